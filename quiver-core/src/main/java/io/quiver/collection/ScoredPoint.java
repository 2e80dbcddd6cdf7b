package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import java.util.Map;

/**
 * A search hit. {@code score} follows Qdrant: higher is better for Cosine and Dot (the similarity), lower is better
 * for Euclid (the distance, not squared) and Manhattan; for a sparse field, the dot product.
 */
public record ScoredPoint(PointId id, float score, ObjectNode payload, Map<String, float[]> vectors,
    Map<String, SparseVector> sparseVectors) {
  public ScoredPoint {
    sparseVectors = sparseVectors == null ? Map.of() : sparseVectors;
  }

  public ScoredPoint(PointId id, float score, ObjectNode payload, Map<String, float[]> vectors) {
    this(id, score, payload, vectors, Map.of());
  }
}
