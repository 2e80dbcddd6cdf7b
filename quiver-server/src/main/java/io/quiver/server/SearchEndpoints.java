package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchExplain;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SearchStrategy;
import io.quiver.collection.SegmentPlan;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code /points/search}, {@code /points/search/batch} and Quiver's {@code /points/explain}. */
final class SearchEndpoints {
  private final Endpoints ep;

  SearchEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** POST /collections/{name}/points/search. */
  JsonNode search(Call req) {
    return search(ep.collection(req), ep.body(req), "body");
  }

  /** POST /collections/{name}/points/search/batch. */
  JsonNode searchBatch(Call req) {
    Collection c = ep.collection(req);
    return ep.batch(ep.body(req), "search requests", (one, path) -> search(c, one, path));
  }

  private JsonNode search(Collection c, ObjectNode body, String path) {
    HybridQuery.Page page = run(c, body, path);
    ArrayNode out = ep.json.createArrayNode();
    for (ScoredPoint p : page.points()) {
      out.add(Json.scoredJson(p, page.payload(), c.config()));
    }
    return out;
  }

  /** Runs a search request body (at {@code path}): its hits with the payload and vectors it asks for. */
  HybridQuery.Page run(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "vector", "filter", "params", "limit", "offset", "with_payload", "with_vector",
        "score_threshold", "shard_key");
    JsonNode v = body.get("vector");
    float[] vector;
    String using = CollectionConfig.DEFAULT_VECTOR;
    if (v != null && v.isObject()) {
      Json.onlyFields(v, path + ".vector", "name", "vector");
      using = Json.stringField(v, "name", path + ".vector", CollectionConfig.DEFAULT_VECTOR);
      SparseQuery.Target sparse = SparseQuery.target(c, v.get("vector"), path + ".vector.vector", using);
      if (sparse != null) { // Qdrant's NamedSparseVector
        PayloadSelector[] asked = new PayloadSelector[1];
        List<ScoredPoint> hits = SparseQuery.run(c, sparse, using, body, path, ep, asked);
        return new HybridQuery.Page(hits, asked[0]);
      }
      vector = Json.vector(v.get("vector"), path + ".vector.vector");
    } else {
      vector = Json.vector(v, path + ".vector");
    }
    SearchRequest.Builder b = SearchRequest.builder(vector).using(SearchParams.vectorName(c, using));
    SearchParams.apply(b, c, using, body, path, ep);
    SearchRequest sr = b.build();
    return new HybridQuery.Page(c.search(sr), sr.payload());
  }

  /**
   * POST /quiver/collections/{name}/points/explain: {@code query} (a vector, or a point id), {@code using},
   * {@code filter}, {@code params}, {@code limit}, {@code offset}, {@code score_threshold}, {@code with_payload},
   * {@code with_vector}, and {@code strategy} (auto, exact, acorn, route_through) to force one. Answers the points
   * and, per segment, how it was searched.
   */
  JsonNode explain(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "query", "using", "filter", "params", "limit", "offset", "with_payload",
        "with_vector", "score_threshold", "strategy");
    String using = SearchParams.vectorName(c, Json.stringField(body, "using", "body", CollectionConfig.DEFAULT_VECTOR));
    JsonNode q = body.get("query");
    float[] vector;
    if (q != null && q.isArray()) {
      vector = Json.vector(q, "body.query");
    } else if (Json.present(q)) {
      PointId id = Json.pointId(q, "body.query");
      PointRecord r = c.retrieve(List.of(id), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
          .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + id + " found"));
      vector = r.vectors().get(using);
    } else {
      throw ApiError.badRequest("body.query: required, a vector or a point id");
    }
    String strategy = Json.stringField(body, "strategy", "body", "auto");
    SearchRequest.Builder b = SearchRequest.builder(vector).using(using);
    SearchParams.apply(b, c, using, body, "body", ep);
    try {
      b.strategy(SearchStrategy.valueOf(strategy.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("body.strategy: expected one of auto, exact, acorn, route_through, got '"
          + strategy + "'");
    }
    SearchRequest sr = b.build();
    SearchExplain e = c.explain(sr);
    ObjectNode out = ep.json.createObjectNode();
    ArrayNode points = out.putArray("points");
    e.points().forEach(p -> points.add(Json.scoredJson(p, sr.payload(), c.config())));
    ObjectNode plan = out.putObject("plan");
    plan.put("distance_computations", e.distanceComputations());
    ArrayNode segments = plan.putArray("segments");
    for (SegmentPlan p : e.segments()) {
      ObjectNode o = segments.addObject();
      o.put("segment", p.segment());
      o.put("live_points", p.livePoints());
      o.put("strategy", p.strategy().name().toLowerCase(Locale.ROOT));
      o.put("planned", p.planned().name().toLowerCase(Locale.ROOT));
      o.put("estimated_matches", p.estimatedMatches());
      o.put("estimate_exact", p.estimateExact());
      o.put("fallback", p.fallback());
      o.put("distance_computations", p.distanceComputations());
      o.put("payload_links", p.payloadLinks());
    }
    return out;
  }
}
