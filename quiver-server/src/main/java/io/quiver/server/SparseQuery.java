package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SparseSearchRequest;
import io.quiver.collection.SparseVector;
import io.quiver.filter.Filter;
import java.util.List;
import java.util.Set;

/**
 * Queries of a sparse vector field: by {@code {indices, values}} or by the id of a point whose vector of that field
 * is the query (the point itself left out), as {@code /points/query}, {@code /points/search} and prefetches ask.
 */
final class SparseQuery {
  private SparseQuery() {}

  /** The query of a sparse field: a vector or a point id. */
  record Target(SparseVector vector, PointId near) {}

  /** Whether {@code using} names a sparse vector field of {@code c}. */
  static boolean isSparseField(Collection c, String using) {
    return c.config().sparseVector(using) != null;
  }

  /**
   * Reads {@code q} (at {@code path}) as a query of field {@code using}, a {@code Document} encoded by its model: 400
   * when a sparse vector or a Document meets a dense field
   * or the reverse, or the field does not exist; null when {@code q} is not a query of a sparse field.
   */
  static Target target(Collection c, JsonNode q, String path, String using) {
    if (DocumentVectors.isDocument(q)) {
      return new Target(DocumentVectors.query(c, q, path, using), null);
    }
    boolean sparseField = isSparseField(c, using);
    boolean sparseShape = SparseJson.isSparse(q);
    if (sparseShape && !sparseField) {
      throw ApiError.badRequest(path + ": a sparse query {indices, values} needs `using` naming a sparse vector "
          + "field; " + (c.config().vector(using) != null ? "'" + using + "' is dense"
          : "the collection has sparse fields " + c.config().sparseVectors().keySet()));
    }
    if (!sparseField) {
      return null;
    }
    if (sparseShape) {
      return new Target(SparseJson.sparse(q, path), null);
    }
    if (q != null && q.isArray()) {
      throw ApiError.badRequest(path + ": '" + using + "' is a sparse vector field; expected {indices, values}");
    }
    return new Target(null, Json.pointId(q, path));
  }

  /** Runs the query; {@code offset} hits are skipped from the top. */
  static List<ScoredPoint> run(Collection c, Target t, String using, Filter filter, int limit, int offset,
      Float threshold, PayloadSelector payload, Set<String> withVectors) {
    SparseVector v = t.vector();
    if (v == null) {
      PointRecord r = c.retrieve(List.of(t.near()), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
          .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + t.near() + " found"));
      v = r.sparseVectors().get(using);
      if (v == null) {
        throw new ApiError(404, "Not found: point " + t.near() + " has no vector '" + using + "'");
      }
      // one more from the top: the point itself is usually its own best match
      List<ScoredPoint> hits = c.search(SparseSearchRequest.builder(v, using).limit(offset + limit + 1)
          .filter(filter).scoreThreshold(threshold).withPayload(payload).withVectors(withVectors).build());
      return hits.stream().filter(h -> !h.id().equals(t.near())).skip(offset).limit(limit).toList();
    }
    return c.search(SparseSearchRequest.builder(v, using).limit(limit).offset(offset).filter(filter)
        .scoreThreshold(threshold).withPayload(payload).withVectors(withVectors).build());
  }

  /** A whole request body's query ({@code limit}, {@code offset}, {@code filter}, ...) of field {@code using}. */
  static List<ScoredPoint> run(Collection c, Target t, String using, ObjectNode body, String path, Endpoints ep,
      PayloadSelector[] asked) {
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    ep.checkWindow((long) limit + offset, path);
    ObjectNode params = Json.object(body.get("params"), path + ".params");
    Json.onlyFields(params, path + ".params", "hnsw_ef", "exact", "quantization", "indexed_only", "acorn", "idf",
        CalibratedThreshold.PARAM);
    asked[0] = Json.payloadSelector(body.get("with_payload"), path + ".with_payload", PayloadSelector.NONE);
    return run(c, t, using, Json.filter(body.get("filter")), limit, offset,
        CalibratedThreshold.scoreThreshold(c, using, body, path), asked[0],
        Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false));
  }
}
