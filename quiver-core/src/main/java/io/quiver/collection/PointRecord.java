package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import java.util.Map;

/**
 * A stored point as read back: payload and vectors are null when not requested; {@code sparseVectors} holds the
 * requested sparse fields the point has (empty when none were requested).
 */
public record PointRecord(PointId id, ObjectNode payload, Map<String, float[]> vectors,
    Map<String, SparseVector> sparseVectors) {
  public PointRecord {
    sparseVectors = sparseVectors == null ? Map.of() : sparseVectors;
  }

  public PointRecord(PointId id, ObjectNode payload, Map<String, float[]> vectors) {
    this(id, payload, vectors, Map.of());
  }
}
