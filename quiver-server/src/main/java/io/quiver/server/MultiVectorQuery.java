package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.MultiVectorSearchRequest;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.VectorParams;
import io.quiver.filter.Filter;
import java.util.List;
import java.util.Set;

/**
 * Queries of a multi-vector field, scored by MaxSim: by a multi-vector {@code [[...], ...]}, by one vector (a
 * multi-vector of one), or by the id of a point whose multi-vector is the query (the point itself left out), as
 * {@code /points/query} and its prefetches ask. {@code params.hnsw_ef} sets the FDE candidate pool and
 * {@code params.exact} scores every point.
 */
final class MultiVectorQuery {
  private MultiVectorQuery() {}

  /** Whether {@code using} names a multi-vector field of {@code c}. */
  static boolean isMultiField(Collection c, String using) {
    return c.config().multiVector(using) != null;
  }

  /**
   * Refuses what a multi-vector field cannot answer: an object query other than {@code nearest} without MMR
   * (recommend, discover, context, mmr) or a {@code Document}.
   */
  static void checkSupported(Collection c, JsonNode q, String path, String using) {
    if (isMultiField(c, using) && q != null && q.isObject()
        && (q.size() != 1 || !q.has("nearest") || DocumentVectors.isDocument(q))) {
      throw ApiError.badRequest(path + ": '" + using + "' is a multi-vector field: only nearest queries by "
          + "[[...], ...], a vector or a point id are supported");
    }
  }

  /** The flat query of multi-vector field {@code using} in {@code q} (at {@code path}), or null for a point id. */
  static float[] vector(Collection c, JsonNode q, String path, String using) {
    VectorParams params = c.config().multiVector(using);
    if (q == null || !q.isArray()) {
      return null;
    }
    if (MultiVectorJson.isMulti(q)) {
      return MultiVectorJson.read(q, path, params);
    }
    float[] one = Json.vector(q, path);
    if (one.length != params.size()) {
      throw ApiError.badRequest(path + ": vector dimension " + one.length + " does not match the field's size "
          + params.size() + " ('" + using + "' is a multi-vector field: pass [[...], ...])");
    }
    return one;
  }

  /** Runs the query ({@code vector} null: by point {@code near}); {@code offset} hits are skipped from the top. */
  static List<ScoredPoint> search(Collection c, float[] vector, PointId near, String using, Filter filter, int limit,
      int offset, Float threshold, int ef, boolean exact, PayloadSelector payload, Set<String> withVectors) {
    float[] v = vector;
    int extra = 0;
    if (v == null) {
      PointRecord r = c.retrieve(List.of(near), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
          .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + near + " found"));
      v = r.vectors() == null ? null : r.vectors().get(using);
      if (v == null) {
        throw new ApiError(404, "Not found: point " + near + " has no vector '" + using + "'");
      }
      extra = 1; // one more from the top: the point itself is usually its own best match
    }
    List<ScoredPoint> hits = c.search(MultiVectorSearchRequest.builder(v, using).limit(offset + limit + extra)
        .filter(filter).scoreThreshold(threshold).withPayload(payload).withVectors(withVectors)
        .candidates(ef > 0 ? ef : null).exact(exact).build());
    return hits.stream().filter(h -> near == null || !h.id().equals(near)).skip(offset).limit(limit).toList();
  }

  /** A whole request body's query ({@code limit}, {@code offset}, {@code filter}, ...) of field {@code using}. */
  static HybridQuery.Page run(Collection c, JsonNode q, String queryPath, String using, ObjectNode body, String path,
      Endpoints ep) {
    float[] v = vector(c, q, queryPath, using);
    PointId near = v == null ? Json.pointId(q, queryPath) : null;
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    ep.checkWindow((long) limit + offset, path);
    ObjectNode params = Json.object(body.get("params"), path + ".params");
    Json.onlyFields(params, path + ".params", "hnsw_ef", "exact", "quantization", "indexed_only", "acorn");
    PayloadSelector asked = Json.payloadSelector(body.get("with_payload"), path + ".with_payload",
        PayloadSelector.NONE);
    List<ScoredPoint> hits = search(c, v, near, using, Json.filter(body.get("filter")), limit, offset,
        Json.floatField(body, "score_threshold", path), Json.intField(params, "hnsw_ef", path + ".params", 0, 0),
        Json.boolField(params, "exact", path + ".params", false), asked,
        Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false));
    return new HybridQuery.Page(hits, asked);
  }
}
