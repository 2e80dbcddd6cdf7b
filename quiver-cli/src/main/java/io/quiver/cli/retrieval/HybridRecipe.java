package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Quiver's fixed hybrid recipe, in Qdrant's request shapes only (nested {@code prefetch}, {@code fusion: dbsf}); the
 * same on every collection, nothing tuned per data set. Two requests per query:
 * <ol>
 *   <li>first pass: the top {@link #depth} of BM25 and of dense; their union re-scored by each (an outer prefetch
 *   per signal whose {@code query} is that signal: every candidate gets both scores), fused by DBSF; its top
 *   {@link #FEEDBACK} points come back with their dense vectors;</li>
 *   <li>final pass: a third signal, the dense field queried with the mean of those {@link #FEEDBACK} vectors
 *   (pseudo-relevance feedback, computed by the client); the union of the three top {@link #depth} lists re-scored
 *   by each of the three signals and fused by DBSF, equal weights.</li>
 * </ol>
 * DBSF normalises each list by its mean and 3 standard deviations; as every list holds the same union (less, for
 * BM25, the candidates sharing no term with the query), that is a sum of z-scores with equal weights. The feedback
 * vector is sent as a plain vector, not as {@code recommend} by point ids: recommend leaves its example points out
 * of the results, and those are the first pass's best.
 */
record HybridRecipe(String sparseField, String denseField, int depth) {
  /** The number of first-pass documents averaged into the feedback query. */
  static final int FEEDBACK = 3;

  /** The first-pass request: its top {@link #FEEDBACK} points, with their dense vectors, feed {@link #finalPass}. */
  ObjectNode firstPass(JsonNode sparseQuery, JsonNode denseQuery) {
    ObjectNode o = fused(List.of(leg(sparseQuery, sparseField), leg(denseQuery, denseField)),
        List.of(sparseQuery, denseQuery), List.of(sparseField, denseField));
    o.putArray("with_vector").add(denseField);
    return o.put("limit", FEEDBACK);
  }

  /** The final request, given the first pass's {@code result} (its {@code points}). */
  ObjectNode finalPass(JsonNode sparseQuery, JsonNode denseQuery, JsonNode result, int limit) {
    float[] mean = null;
    int n = 0;
    for (JsonNode point : result.get("points")) {
      JsonNode v = point.get("vector").get(denseField);
      if (mean == null) {
        mean = new float[v.size()];
      }
      for (int i = 0; i < mean.length; i++) {
        mean[i] += v.get(i).floatValue();
      }
      n++;
    }
    if (mean == null) { // nothing found: the first pass's fusion is all there is
      return fused(List.of(leg(sparseQuery, sparseField), leg(denseQuery, denseField)),
          List.of(sparseQuery, denseQuery), List.of(sparseField, denseField)).put("limit", limit);
    }
    ArrayNode feedback = RestSession.JSON.createArrayNode();
    for (float x : mean) {
      feedback.add(x / n);
    }
    return fused(List.of(leg(sparseQuery, sparseField), leg(denseQuery, denseField), leg(feedback, denseField)),
        List.of(sparseQuery, denseQuery, feedback), List.of(sparseField, denseField, denseField)).put("limit", limit);
  }

  /** DBSF of the union of {@code legs} re-scored by each query in turn. */
  private ObjectNode fused(List<ObjectNode> legs, List<JsonNode> queries, List<String> fields) {
    ObjectNode o = RestSession.JSON.createObjectNode();
    ArrayNode p = o.putArray("prefetch");
    for (int i = 0; i < queries.size(); i++) {
      p.add(rescored(legs, queries.get(i), fields.get(i)));
    }
    o.putObject("query").put("fusion", "dbsf");
    return o;
  }

  private ObjectNode leg(JsonNode query, String using) {
    ObjectNode o = RestSession.JSON.createObjectNode();
    o.set("query", query.deepCopy());
    return o.put("using", using).put("limit", depth);
  }

  /** The union of {@code legs}, every point scored by {@code query} on {@code using}. */
  private ObjectNode rescored(List<ObjectNode> legs, JsonNode query, String using) {
    ObjectNode o = RestSession.JSON.createObjectNode();
    ArrayNode p = o.putArray("prefetch");
    legs.forEach(l -> p.add(l.deepCopy()));
    o.set("query", query.deepCopy());
    return o.put("using", using).put("limit", depth * legs.size());
  }
}
