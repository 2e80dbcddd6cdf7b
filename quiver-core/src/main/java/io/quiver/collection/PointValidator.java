package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.Vectors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks what a write or a query brings before anything changes: vector fields, dimensions and finite components
 * (through {@link Vectors}, shared with the indexes), cosine's non-zero norm, payload depth and size, batch size.
 * Returns vectors as they are stored: copies, normalized for cosine.
 */
final class PointValidator {
  static final int MAX_PAYLOAD_DEPTH = 64;
  static final int MAX_BATCH = 1_000_000;

  private final String name;
  private final Supplier<CollectionConfig> config;
  private final ObjectMapper json;

  PointValidator(String name, Supplier<CollectionConfig> config, ObjectMapper json) {
    this.name = name;
    this.config = config;
    this.json = json;
  }

  static void checkBatch(int n) {
    if (n > MAX_BATCH) {
      throw new QuiverException.InvalidInput("batch of " + n + " exceeds the limit of " + MAX_BATCH);
    }
  }

  /**
   * The vectors of point {@code id}, each checked against its field and prepared for storage (without payload);
   * {@code requireDefault}: the unnamed vector must be there if the collection has one.
   */
  Point vectors(PointId id, Map<String, float[]> vectors, boolean requireDefault) {
    return vectors(id, vectors, Map.of(), requireDefault);
  }

  /** As {@link #vectors(PointId, Map, boolean)}, with sparse vectors (returned sorted by index). */
  Point vectors(PointId id, Map<String, float[]> vectors, Map<String, SparseVector> sparse, boolean requireDefault) {
    CollectionConfig c = config.get();
    Map<String, SparseVector> sparseCopy = new LinkedHashMap<>();
    for (var e : sparse.entrySet()) {
      sparseCopy.put(e.getKey(), sparse(e.getValue(), e.getKey(), "point " + id));
    }
    Map<String, float[]> copy = new LinkedHashMap<>();
    for (var e : vectors.entrySet()) {
      VectorParams params = c.vector(e.getKey());
      if (params == null && c.multiVector(e.getKey()) != null) {
        copy.put(e.getKey(), multi(e.getValue(), e.getKey(), "point " + id));
        continue;
      }
      if (params == null && c.sparseVector(e.getKey()) != null) {
        throw new QuiverException.InvalidInput("point " + id + ": vector '" + e.getKey()
            + "' is a sparse vector field; give it indices and values, not a dense vector");
      }
      if (params == null) {
        throw new QuiverException.InvalidInput("point " + id + ": collection " + name + " has no vector field '"
            + e.getKey() + "'; it has " + fieldNames());
      }
      copy.put(e.getKey(), vector(e.getValue(), params, id, e.getKey()));
    }
    if (requireDefault && (c.vectors().containsKey(CollectionConfig.DEFAULT_VECTOR)
        || c.multiVectors().containsKey(CollectionConfig.DEFAULT_VECTOR))
        && !vectors.containsKey(CollectionConfig.DEFAULT_VECTOR)) {
      throw new QuiverException.InvalidInput("point " + id + " has no vector");
    }
    return new Point(id, copy, null, sparseCopy);
  }

  /**
   * The multi-vector {@code flat} (vectors back to back) for multi-vector field {@code field} of what {@code label}
   * names (a point or the query), checked (see {@link MultiVectors}) and prepared as stored.
   */
  float[] multi(float[] flat, String field, String label) {
    CollectionConfig c = config.get();
    VectorParams params = c.multiVector(field);
    if (params == null) {
      throw new QuiverException.InvalidInput(label + ": collection " + name + " has no multi-vector field '" + field
          + "'; it has " + c.multiVectors().keySet());
    }
    String problem = MultiVectors.problem(flat, params);
    if (problem != null) {
      throw new QuiverException.InvalidInput(label + (field.isEmpty() ? "" : " vector '" + field + "'") + ": "
          + problem);
    }
    return MultiVectors.prepared(flat, params);
  }

  /**
   * The sparse vector {@code v} for field {@code field} of what {@code label} names (a point or the query), checked
   * (the field exists and is sparse, equal lengths, unique indices, finite values) and sorted by index.
   */
  SparseVector sparse(SparseVector v, String field, String label) {
    CollectionConfig c = config.get();
    if (c.sparseVector(field) == null) {
      if (c.vector(field) != null) {
        throw new QuiverException.InvalidInput(label + ": vector '" + field
            + "' is a dense vector field; a sparse vector cannot go there");
      }
      throw new QuiverException.InvalidInput(label + ": collection " + name + " has no sparse vector field '" + field
          + "'; it has " + c.sparseVectors().keySet());
    }
    String problem = v.problem();
    if (problem != null) {
      throw new QuiverException.InvalidInput(label + " sparse vector '" + field + "': " + problem);
    }
    return v.sorted();
  }

  /** The query vector for field {@code field}, checked and prepared like a stored one. */
  float[] query(float[] v, VectorParams params, String field) {
    return vector(v, params, null, field);
  }

  /** The vector fields of the collection, for messages. */
  String fieldNames() {
    return config.get().vectors().keySet().stream().map(n -> n.isEmpty() ? "the unnamed vector" : "'" + n + "'")
        .toList().toString();
  }

  /** Validates one vector of point {@code id} (null: a query) and returns a normalized copy for cosine. */
  private static float[] vector(float[] v, VectorParams params, PointId id, String field) {
    String problem = Vectors.problem(v, params.size(), "the collection's");
    boolean zero = problem == null && params.metric() == Metric.COSINE && VectorUtil.dot(v, v) == 0f;
    if (problem != null || zero) {
      // the label is only built for an error
      String what = id == null ? "query" : "point " + id + (field.isEmpty() ? "" : " vector '" + field + "'");
      throw new QuiverException.InvalidInput(what + ": " + (zero ? "a zero vector has no cosine direction" : problem));
    }
    float[] copy = v.clone();
    if (params.metric().normalizes()) {
      VectorUtil.normalize(copy); // stored and logged normalized; the original norm is not kept
    }
    return copy;
  }

  /** Checks depth and size; returns the payload's JSON bytes (null for none), which the log record reuses. */
  byte[] payload(PointId id, ObjectNode payload) {
    if (payload == null) {
      return null;
    }
    if (depth(payload, 0) > MAX_PAYLOAD_DEPTH) {
      throw new QuiverException.InvalidInput("point " + id + ": payload nests deeper than " + MAX_PAYLOAD_DEPTH
          + " levels");
    }
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new QuiverException.InvalidInput("point " + id + ": payload cannot be serialized: " + e.getMessage());
    }
    int max = config.get().maxPayloadBytes();
    if (bytes.length > max) {
      throw new QuiverException.InvalidInput("point " + id + ": payload of " + bytes.length
          + " bytes exceeds the limit of " + max);
    }
    return bytes;
  }

  private static int depth(JsonNode node, int level) {
    if (level > MAX_PAYLOAD_DEPTH) {
      return level;
    }
    int max = level;
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        max = Math.max(max, depth(child, level + 1));
      }
    }
    return max;
  }
}
