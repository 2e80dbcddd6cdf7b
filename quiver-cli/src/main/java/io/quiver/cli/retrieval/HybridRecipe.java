package io.quiver.cli.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Quiver's fixed hybrid recipe, in Qdrant's request shapes only (nested {@code prefetch}, {@code fusion: dbsf},
 * {@code recommend} with {@code average_vector}); the same on every collection, nothing tuned per data set. Two
 * requests per query:
 * <ol>
 *   <li>first pass: the top {@link #depth} of BM25 and of dense; their union re-scored by each (an outer prefetch
 *   per signal whose {@code query} is that signal: every candidate gets both scores), fused by DBSF; its top
 *   {@link #FEEDBACK} ids are kept;</li>
 *   <li>final pass: a third signal, the dense field queried with the average of the query vector and those
 *   {@link #FEEDBACK} documents' vectors (pseudo-relevance feedback, Rocchio's form as
 *   {@code recommend: {positive: [query, id, id, id], strategy: average_vector}}); the union of the three top
 *   {@link #depth} lists re-scored by each signal and fused by DBSF, equal weights.</li>
 * </ol>
 * DBSF normalises each list by its mean and 3 standard deviations; as every list holds the same union, that is a
 * sum of z-scores with equal weights.
 */
record HybridRecipe(String sparseField, String denseField, int depth) {
  /** The number of first-pass documents averaged into the feedback query. */
  static final int FEEDBACK = 3;

  /** The first-pass request: its top {@link #FEEDBACK} points feed {@link #finalPass}. */
  ObjectNode firstPass(JsonNode sparseQuery, JsonNode denseQuery) {
    List<ObjectNode> legs = List.of(leg(sparseQuery, sparseField), leg(denseQuery, denseField));
    ObjectNode o = RestSession.JSON.createObjectNode();
    ArrayNode p = o.putArray("prefetch");
    p.add(rescored(legs, sparseQuery, sparseField));
    p.add(rescored(legs, denseQuery, denseField));
    o.putObject("query").put("fusion", "dbsf");
    return o.put("limit", FEEDBACK);
  }

  /** The final request, given the first pass's {@code result} (its {@code points}). */
  ObjectNode finalPass(JsonNode sparseQuery, JsonNode denseQuery, JsonNode result, int limit) {
    ObjectNode feedback = RestSession.JSON.createObjectNode();
    ObjectNode rec = feedback.putObject("recommend");
    ArrayNode positive = rec.putArray("positive");
    positive.add(denseQuery);
    for (JsonNode point : result.get("points")) {
      positive.add(point.get("id"));
    }
    rec.put("strategy", "average_vector");
    List<ObjectNode> legs = List.of(leg(sparseQuery, sparseField), leg(denseQuery, denseField),
        leg(feedback, denseField));
    ObjectNode o = RestSession.JSON.createObjectNode();
    ArrayNode p = o.putArray("prefetch");
    p.add(rescored(legs, sparseQuery, sparseField));
    p.add(rescored(legs, denseQuery, denseField));
    p.add(rescored(legs, feedback, denseField));
    o.putObject("query").put("fusion", "dbsf");
    return o.put("limit", limit);
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
