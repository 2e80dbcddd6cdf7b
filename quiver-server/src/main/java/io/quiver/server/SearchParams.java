package io.quiver.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.SearchRequest;
import java.util.Set;

/** The request fields search, query and explain share: limit, offset, filter, threshold, selectors, params. */
final class SearchParams {
  private SearchParams() {}

  /**
   * Reads the shared fields of {@code body} (at {@code path}) into {@code b}; 400 when it asks for a calibrated
   * threshold, which needs {@link #apply(SearchRequest.Builder, Collection, String, ObjectNode, String, Endpoints)}.
   */
  static void apply(SearchRequest.Builder b, ObjectNode body, String path, Endpoints ep) {
    CalibratedThreshold.refuse(body, path, "with this query");
    apply(b, body, path, ep, null, null);
  }

  /** {@link #apply} for a search of field {@code using} of {@code c}, with its calibrated threshold if asked. */
  static void apply(SearchRequest.Builder b, Collection c, String using, ObjectNode body, String path,
      Endpoints ep) {
    apply(b, body, path, ep, c, using);
  }

  private static void apply(SearchRequest.Builder b, ObjectNode body, String path, Endpoints ep, Collection c,
      String using) {
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    ep.checkWindow((long) limit + offset, path);
    b.limit(limit).offset(offset);
    b.filter(Json.filter(body.get("filter")));
    b.scoreThreshold(c == null ? Json.floatField(body, "score_threshold", path)
        : CalibratedThreshold.scoreThreshold(c, using, body, path));
    b.withPayload(Json.payloadSelector(body.get("with_payload"), path + ".with_payload", PayloadSelector.NONE));
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false);
    if (vectors != null) {
      b.withVectors(vectors.toArray(String[]::new));
    }
    ObjectNode params = Json.object(body.get("params"), path + ".params");
    Json.onlyFields(params, path + ".params", "hnsw_ef", "exact", "quantization", "indexed_only", "acorn", "idf",
        CalibratedThreshold.PARAM);
    b.ef(Json.intField(params, "hnsw_ef", path + ".params", 0, 0));
    if (Json.present(params.get("quantization"))) {
      String at = path + ".params.quantization";
      ObjectNode qp = Json.object(params.get("quantization"), at);
      Json.onlyFields(qp, at, "ignore", "rescore", "oversampling");
      Float over = Json.floatField(qp, "oversampling", at);
      b.quantization(new SearchRequest.QuantizationParams(Json.boolField(qp, "ignore", at, false),
          Json.present(qp.get("rescore")) ? Json.boolField(qp, "rescore", at, true) : null,
          over == null ? null : over.doubleValue()));
    }
    b.exact(Json.boolField(params, "exact", path + ".params", false));
  }

  /** The vector field {@code name} of the collection; 400 when it has none of that name. */
  static String vectorName(Collection c, String name) {
    if (c.config().multiVector(name) != null) {
      throw ApiError.badRequest("Wrong input: '" + name + "' is a multi-vector field: query it by /points/query");
    }
    if (c.config().vector(name) == null) {
      throw ApiError.badRequest("Wrong input: Not existing vector name error: "
          + (name.isEmpty() ? "the collection has only named vectors; pass one" : name));
    }
    return name;
  }
}
