package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.util.Map;

/**
 * The collection behind an embedding store of another library (the LangChain4j and Spring AI adapters): opened, or
 * created, to match the store's settings, with the one vector field the store writes and searches.
 */
public record StoreCollection(Collection collection, Spec spec) {

  /** The vector field a store writes and searches, with its dimension and metric. */
  public record Spec(String vectorName, int dimension, Metric metric) {
    /** {@code vector} when it has the field's dimension and only finite components; otherwise a clear error. */
    public float[] checkVector(float[] vector, String what) {
      if (vector == null) {
        throw new IllegalArgumentException(what + " has no vector");
      }
      if (vector.length != dimension) {
        throw new IllegalArgumentException(what + " has " + vector.length + " dimensions; the collection holds "
            + dimension);
      }
      for (int i = 0; i < vector.length; i++) {
        if (!Float.isFinite(vector[i])) {
          throw new IllegalArgumentException(what + " has " + vector[i] + " at index " + i
              + "; every component must be a finite number");
        }
      }
      return vector;
    }
  }

  /**
   * Opens collection {@code name} of {@code db}, or creates it (FSYNC durability, {@code metric} or cosine) when
   * missing and {@code create} holds. Settings given must agree with an existing collection; payload indexes it lacks
   * are created. {@code howToCreate} ends the error for a missing collection that may not be created (the store's
   * own option, e.g. "createIfMissing is off").
   */
  public static StoreCollection open(Quiver db, String name, String vectorName, Integer dimension, Metric metric,
      boolean create, Map<String, FieldSchema> payloadIndexes, String howToCreate) throws IOException {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("collectionName must not be blank");
    }
    String field = vectorName == null ? CollectionConfig.DEFAULT_VECTOR : vectorName;
    if (dimension != null && dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    Collection c;
    if (db.exists(name)) {
      c = db.collection(name);
    } else if (!create) {
      throw new IllegalArgumentException("collection " + name + " does not exist; " + howToCreate);
    } else if (dimension == null) {
      throw new IllegalArgumentException("collection " + name + " does not exist; give its dimension to create it");
    } else {
      c = db.createCollection(name, CollectionConfig.builder()
          .vector(field, VectorParams.of(dimension, metric == null ? Metric.COSINE : metric))
          .durability(Durability.FSYNC).build());
    }
    VectorParams have = c.config().vector(field);
    if (have == null) {
      throw new IllegalArgumentException("collection " + name + " has no vector field "
          + (field.isEmpty() ? "(unnamed)" : "'" + field + "'") + "; it has " + c.config().vectors().keySet());
    }
    if (dimension != null && have.size() != dimension) {
      throw new IllegalArgumentException("collection " + name + " holds vectors of " + have.size()
          + " dimensions, not " + dimension);
    }
    if (metric != null && have.metric() != metric) {
      throw new IllegalArgumentException("collection " + name + " uses the " + have.metric() + " metric, not "
          + metric);
    }
    for (Map.Entry<String, FieldSchema> e : payloadIndexes.entrySet()) {
      if (!c.config().payloadSchema().containsKey(e.getKey())) {
        c.createPayloadIndex(e.getKey(), e.getValue());
      }
    }
    return new StoreCollection(c, new Spec(field, have.size(), have.metric()));
  }

  /** The point id of a store id: a UUID, or an unsigned integer written in decimal. */
  public static PointId pointId(String id) {
    try {
      return PointId.parse(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ids must be UUIDs or unsigned integers: " + e.getMessage(), e);
    }
  }
}
