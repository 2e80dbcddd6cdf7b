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
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /points/query} and {@code /points/query/batch}: by vector, by point id, without a query (id order), or with
 * prefetches and fusion ({@link HybridQuery}).
 */
final class QueryEndpoints {
  private final Endpoints ep;

  QueryEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** POST /collections/{name}/points/query. */
  JsonNode query(Call req) {
    return query(ep.collection(req), ep.body(req), "body");
  }

  /** POST /collections/{name}/points/query/batch. */
  JsonNode queryBatch(Call req) {
    Collection c = ep.collection(req);
    return ep.batch(ep.body(req), "query requests", (one, path) -> query(c, one, path));
  }

  private JsonNode query(Collection c, ObjectNode body, String path) {
    HybridQuery.Page page = run(c, body, path);
    ObjectNode result = ep.json.createObjectNode();
    ArrayNode points = result.putArray("points");
    for (int i = 0; i < page.points().size(); i++) {
      ObjectNode o = Json.scoredJson(page.points().get(i), page.payload(), c.config());
      if (!page.orderValues().isEmpty()) {
        o.set("order_value", page.orderValues().get(i));
      }
      points.add(o);
    }
    return result;
  }

  /** Runs a query request body (at {@code path}): its ranked points with the payload and vectors it asks for. */
  HybridQuery.Page run(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "query", "using", "filter", "params", "limit", "offset", "with_payload",
        "with_vector", "score_threshold", "shard_key", "prefetch", "lookup_from");
    if (Json.present(body.get("lookup_from"))) {
      throw ApiError.unsupported(path + ".lookup_from: not supported yet");
    }
    if (HybridQuery.applies(body)) {
      return HybridQuery.run(c, body, path);
    }
    String named = Json.stringField(body, "using", path, CollectionConfig.DEFAULT_VECTOR);
    JsonNode q = body.get("query");
    String queryPath = path + ".query";
    MultiVectorQuery.checkSupported(c, q, queryPath, named);
    if (OrderedQuery.applies(q)) {
      return OrderedQuery.run(c, body, path, ep);
    }
    if (ExampleQuery.applies(q)) {
      return ExampleSearch.run(c, ExampleQuery.parse(c, q, queryPath, named), body, path, named, ep);
    }
    if (q != null && q.isObject() && !SparseJson.isSparse(q) && !DocumentVectors.isDocument(q)) {
      Json.onlyFields(q, queryPath, "nearest", "mmr");
      if (Json.present(q.get("mmr"))) {
        return Mmr.run(c, body, path, named, this);
      }
      q = q.get("nearest");
      queryPath += ".nearest";
    }
    q = DenseDocuments.resolve(c, q, queryPath, named);
    SparseQuery.Target sparse = Json.present(q) ? SparseQuery.target(c, q, queryPath, named) : null;
    if (sparse != null) {
      PayloadSelector[] asked = new PayloadSelector[1];
      List<ScoredPoint> hits = SparseQuery.run(c, sparse, named, body, path, ep, asked);
      return new HybridQuery.Page(hits, asked[0]);
    }
    if (Json.present(q) && MultiVectorQuery.isMultiField(c, named)) {
      return MultiVectorQuery.run(c, q, queryPath, named, body, path, ep);
    }
    String using = SearchParams.vectorName(c, named);
    if (!Json.present(q)) {
      // No query: points in id order, as Qdrant's scroll-like query.
      int limit = Json.intField(body, "limit", path, 10, 1);
      int offset = Json.intField(body, "offset", path, 0, 0);
      ep.checkWindow((long) limit + offset, path);
      PayloadSelector asked = Json.payloadSelector(body.get("with_payload"), path + ".with_payload", PayloadSelector.NONE);
      ScrollPage page = c.scroll(new ScrollRequest(Json.filter(body.get("filter")), null, offset + limit, asked,
          Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false), null));
      List<PointRecord> rs = page.points();
      List<ScoredPoint> out = new ArrayList<>();
      for (int i = offset; i < rs.size(); i++) {
        PointRecord r = rs.get(i);
        out.add(new ScoredPoint(r.id(), 0f, r.payload(), r.vectors(), r.sparseVectors()));
      }
      return new HybridQuery.Page(out, asked);
    }
    if (!q.isArray()) { // a point id: its own vector, and the point left out of its own neighbours
      PointId near = Json.pointId(q, queryPath);
      SearchRequest.Builder b = SearchRequest.builder(new float[0]).using(using);
      SearchParams.apply(b, c, using, body, path, ep);
      SearchRequest sr = b.build();
      return new HybridQuery.Page(c.searchNear(near, sr), sr.payload());
    }
    SearchRequest.Builder b = SearchRequest.builder(Json.vector(q, queryPath)).using(using);
    SearchParams.apply(b, c, using, body, path, ep);
    SearchRequest sr = b.build();
    return new HybridQuery.Page(c.search(sr), sr.payload());
  }
}
