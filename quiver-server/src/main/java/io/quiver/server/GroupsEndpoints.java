package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.filter.PayloadPath;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code /points/query/groups}, {@code /points/search/groups} and {@code /points/recommend/groups}: the request's ranking grouped by a payload key
 * ({@link Grouper}), answered as Qdrant's {@code {groups: [{id, hits, lookup?}]}}.
 */
final class GroupsEndpoints {
  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final Endpoints ep;
  private final QueryEndpoints queries;
  private final SearchEndpoints searches;
  private final RecommendEndpoints recommends;

  /** What a groups request adds to its ranking request. */
  private record GroupParams(String groupBy, int groupSize, int limit, Lookup lookup) {}

  /** {@code with_lookup}: the collection whose point with the group's id is attached to each group. */
  private record Lookup(String collection, PayloadSelector payload, Set<String> vectors) {}

  GroupsEndpoints(Endpoints ep, QueryEndpoints queries, SearchEndpoints searches) {
    this.ep = ep;
    this.queries = queries;
    this.searches = searches;
    this.recommends = new RecommendEndpoints(ep);
  }

  /** POST /collections/{name}/points/query/groups: group_size defaults to 3 and limit to 10, as in Qdrant. */
  JsonNode queryGroups(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "query", "using", "filter", "params", "limit", "with_payload", "with_vector",
        "score_threshold", "shard_key", "prefetch", "lookup_from", "group_by", "group_size", "with_lookup");
    GroupParams g = params(body, false);
    // With prefetches a filter would reach them too and change the fused ranking: the groups are then read from
    // the request's own ranking, widened, without the grouping filters (Grouper checks membership itself).
    boolean fused = Json.present(body.get("prefetch"));
    return groups(c, body, g, (filter, n) -> queries.run(c, inner(body, fused ? null : filter, n, g.groupBy()),
        "body").points());
  }

  /** POST /collections/{name}/points/search/groups: group_size and limit are required, as in Qdrant. */
  JsonNode searchGroups(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "vector", "filter", "params", "limit", "with_payload", "with_vector",
        "score_threshold", "shard_key", "group_by", "group_size", "with_lookup");
    GroupParams g = params(body, true);
    return groups(c, body, g, (filter, n) -> searches.run(c, inner(body, filter, n, g.groupBy()), "body").points());
  }

  /** POST /collections/{name}/points/recommend/groups: group_size and limit are required, as in Qdrant. */
  JsonNode recommendGroups(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "positive", "negative", "strategy", "using", "filter", "params", "limit",
        "with_payload", "with_vector", "score_threshold", "lookup_from", "shard_key", "group_by", "group_size",
        "with_lookup");
    GroupParams g = params(body, true);
    return groups(c, body, g, (filter, n) -> recommends.run(c, inner(body, filter, n, g.groupBy()), "body").points());
  }

  private GroupParams params(ObjectNode body, boolean sizesRequired) {
    JsonNode by = body.get("group_by");
    if (!Json.present(by) || !by.isTextual() || by.textValue().isEmpty()) {
      throw ApiError.badRequest("body.group_by: required, a payload key (non-empty string)");
    }
    if (!PayloadPath.isValidKey(by.textValue())) {
      throw ApiError.badRequest("body.group_by: '" + by.textValue() + "' is not a valid payload key");
    }
    for (String f : sizesRequired ? List.of("group_size", "limit") : List.<String>of()) {
      if (!Json.present(body.get(f))) {
        throw ApiError.badRequest("body." + f + ": required");
      }
    }
    int groupSize = Json.intField(body, "group_size", "body", 3, 1);
    int limit = Json.intField(body, "limit", "body", 10, 1);
    if ((long) groupSize * limit > ep.config.maxLimit()) {
      throw ApiError.badRequest("body.group_size: group_size * limit = " + (long) groupSize * limit
          + " exceeds the server's max_limit of " + ep.config.maxLimit());
    }
    return new GroupParams(by.textValue(), groupSize, limit, lookup(body.get("with_lookup")));
  }

  private Lookup lookup(JsonNode n) {
    String at = "body.with_lookup";
    if (!Json.present(n)) {
      return null;
    }
    String name;
    PayloadSelector payload = PayloadSelector.ALL;
    Set<String> vectors = null;
    if (n.isTextual()) {
      name = n.textValue();
    } else if (n.isObject()) {
      Json.onlyFields(n, at, "collection", "with_payload", "with_vectors");
      name = Json.stringField(n, "collection", at, null);
      if (name == null) {
        throw ApiError.badRequest(at + ".collection: required");
      }
      payload = Json.payloadSelector(n.get("with_payload"), at + ".with_payload", PayloadSelector.ALL);
      vectors = Json.vectorSelector(n.get("with_vectors"), at + ".with_vectors", false);
    } else {
      throw ApiError.badRequest(at + ": expected a collection name or {collection, with_payload, with_vectors}");
    }
    if (!ep.db.exists(name)) {
      throw new ApiError(404, "Not found: Collection `" + name + "` doesn't exist!");
    }
    return new Lookup(name, payload, vectors);
  }

  /**
   * The ranking request for one prefix: {@code n} hits restricted by the user's filter and {@code extra} (if not
   * null), with the
   * payload key the groups are read from and no vectors.
   */
  private static ObjectNode inner(ObjectNode body, JsonNode extra, int n, String groupBy) {
    ObjectNode q = body.deepCopy();
    q.remove(List.of("group_by", "group_size", "with_lookup"));
    q.put("limit", n);
    int cut = firstSeparator(groupBy);
    q.putArray("with_payload").add(cut < 0 ? groupBy : groupBy.substring(0, cut));
    q.put("with_vector", false);
    if (extra != null) {
      ArrayNode must = q.putObject("filter").putArray("must");
      if (Json.present(body.get("filter"))) {
        must.add(body.get("filter"));
      }
      must.add(extra);
    }
    return q;
  }

  private static int firstSeparator(String key) {
    int dot = key.indexOf('.');
    int bracket = key.indexOf('[');
    return dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
  }

  private JsonNode groups(Collection c, ObjectNode body, GroupParams g,
      BiFunction<JsonNode, Integer, List<ScoredPoint>> rank) {
    int cap = Math.min(ep.config.maxLimit(), Collection.MAX_RESULT_WINDOW);
    List<Grouper.Group> groups = Grouper.group(rank::apply, g.groupBy(), g.limit(), g.groupSize(), cap);
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), "body.with_payload",
        PayloadSelector.NONE);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), "body.with_vector", false);
    Map<PointId, ScoredPoint> distinct = new LinkedHashMap<>(); // a point may be in several groups
    groups.forEach(gr -> gr.hits().forEach(p -> distinct.putIfAbsent(p.id(), p)));
    Map<PointId, ScoredPoint> hits = new HashMap<>();
    HybridQuery.withRecords(c, List.copyOf(distinct.values()), payload, vectors).points()
        .forEach(p -> hits.put(p.id(), p));
    Map<String, PointRecord> looked = lookups(g.lookup(), groups);

    ObjectNode result = ep.json.createObjectNode();
    ArrayNode out = result.putArray("groups");
    for (Grouper.Group gr : groups) {
      ObjectNode o = out.addObject();
      ArrayNode hs = o.putArray("hits");
      for (ScoredPoint p : gr.hits()) {
        ScoredPoint full = hits.get(p.id());
        if (full != null) { // else deleted since
          hs.add(Json.scoredJson(full, payload, c.config()));
        }
      }
      o.set("id", gr.id());
      PointRecord r = looked.get(Grouper.keyOf(gr.id()));
      if (r != null) {
        o.set("lookup", Json.recordJson(r, g.lookup().payload()));
      }
    }
    return result;
  }

  /** The looked-up points by group key; a group id that is no point id (a negative number, not a UUID) finds none. */
  private Map<String, PointRecord> lookups(Lookup lookup, List<Grouper.Group> groups) {
    Map<String, PointRecord> out = new HashMap<>();
    if (lookup == null || groups.isEmpty()) {
      return out;
    }
    Map<PointId, String> byPoint = new HashMap<>();
    for (Grouper.Group gr : groups) {
      PointId id = asPointId(gr.id());
      if (id != null) {
        byPoint.put(id, Grouper.keyOf(gr.id()));
      }
    }
    if (byPoint.isEmpty()) {
      return out;
    }
    Collection other = ep.db.collection(lookup.collection());
    for (PointRecord r : other.retrieve(List.copyOf(byPoint.keySet()), lookup.payload(), lookup.vectors())) {
      out.put(byPoint.get(r.id()), r);
    }
    return out;
  }

  private static PointId asPointId(JsonNode id) {
    if (id.isIntegralNumber()) {
      BigInteger v = id.bigIntegerValue();
      return v.signum() < 0 || v.compareTo(MAX_U64) > 0 ? null : PointId.of(v.longValue());
    }
    try {
      return new PointId.Uuid(PointId.uuid(id.textValue()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
