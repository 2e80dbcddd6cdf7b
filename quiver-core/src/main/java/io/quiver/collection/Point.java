package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import java.util.Map;
import java.util.Objects;

/**
 * A point to write: its id, its dense vectors by field name ({@link CollectionConfig#DEFAULT_VECTOR} for the unnamed
 * one), an optional JSON object payload, and its sparse vectors by field name.
 */
public record Point(PointId id, Map<String, float[]> vectors, ObjectNode payload,
    Map<String, SparseVector> sparseVectors) {
  public Point {
    Objects.requireNonNull(id, "id");
    vectors = Map.copyOf(vectors);
    sparseVectors = sparseVectors == null ? Map.of() : Map.copyOf(sparseVectors);
  }

  /** A point without sparse vectors. */
  public Point(PointId id, Map<String, float[]> vectors, ObjectNode payload) {
    this(id, vectors, payload, Map.of());
  }

  /** A point with the unnamed vector. */
  public static Point of(long id, float[] vector, ObjectNode payload) {
    return new Point(PointId.of(id), Map.of(CollectionConfig.DEFAULT_VECTOR, vector), payload);
  }

  public static Point of(PointId id, float[] vector, ObjectNode payload) {
    return new Point(id, Map.of(CollectionConfig.DEFAULT_VECTOR, vector), payload);
  }

  /**
   * A point with the unnamed vector and a payload given as a map (values: strings, numbers, booleans, null, lists
   * and maps of these), converted to a JSON object.
   */
  public static Point fromMap(long id, float[] vector, Map<String, ?> payload) {
    return fromMap(PointId.of(id), vector, payload);
  }

  public static Point fromMap(PointId id, float[] vector, Map<String, ?> payload) {
    return new Point(id, Map.of(CollectionConfig.DEFAULT_VECTOR, vector), Payloads.of(payload));
  }
}
