package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.MultiVectorConfig;
import io.quiver.collection.MultiVectors;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Qdrant's multi-vector shapes: {@code multivector_config: {comparator: "max_sim"}} on a vector field, and a
 * multi-vector as a non-empty list of vectors of the field's size ({@code [[...], ...]}), which Quiver's core takes
 * as one array of the vectors back to back.
 */
final class MultiVectorJson {
  private MultiVectorJson() {}

  /** {@code multivector_config} at {@code path}, or null when absent. */
  static MultiVectorConfig config(JsonNode n, String path) {
    if (!Json.present(n)) {
      return null;
    }
    ObjectNode o = Json.object(n, path);
    Json.onlyFields(o, path, "comparator");
    String name = Json.stringField(o, "comparator", path, null);
    if (name == null) {
      throw ApiError.badRequest(path + ".comparator: required (max_sim)");
    }
    MultiVectorConfig.Comparator c = MultiVectorConfig.Comparator.parse(name);
    if (c == null) {
      throw ApiError.badRequest(path + ".comparator: unknown variant `" + name + "`, expected `max_sim`");
    }
    return new MultiVectorConfig(c, true);
  }

  /** Adds {@code multivector_config} to a field's params as Qdrant reports them ({@code m: 0} for rerank-only). */
  static void echo(MultiVectorConfig mv, ObjectNode params, ObjectNode hnsw) {
    params.putObject("multivector_config").put("comparator", mv.comparator().qdrantName());
    if (!mv.indexed()) {
      hnsw.put("m", 0);
    }
  }

  /** The one-vector and multi-vector fields together, as Qdrant lists them under {@code vectors}. */
  static Map<String, VectorParams> allVectors(CollectionConfig config) {
    Map<String, VectorParams> all = new LinkedHashMap<>(config.vectors());
    all.putAll(config.multiVectors());
    return all;
  }

  /** Whether {@code n} has the shape of a multi-vector: an array whose first element is an array. */
  static boolean isMulti(JsonNode n) {
    return n != null && n.isArray() && !n.isEmpty() && n.get(0).isArray();
  }

  /**
   * The multi-vector at {@code path} for a field of {@code params}: a non-empty array of arrays of the field's size
   * with finite values, flattened. A plain vector is refused, as Qdrant refuses converting it.
   */
  static float[] read(JsonNode n, String path, VectorParams params) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(path + ": expected a multi-vector, a list of vectors [[...], ...]");
    }
    if (n.isEmpty()) {
      throw ApiError.badRequest(path + ": a multi-vector needs at least one vector");
    }
    if (n.size() > MultiVectors.MAX_VECTORS) {
      throw ApiError.badRequest(path + ": a multi-vector holds at most " + MultiVectors.MAX_VECTORS + " vectors, got "
          + n.size());
    }
    int dim = params.size();
    float[] out = new float[n.size() * dim];
    for (int i = 0; i < n.size(); i++) {
      String at = path + "[" + i + "]";
      if (!n.get(i).isArray()) {
        throw ApiError.badRequest(at + ": expected a vector (an array of numbers); a multi-vector field takes a "
            + "list of vectors [[...], ...]");
      }
      float[] v = Json.vector(n.get(i), at);
      if (v.length != dim) {
        throw ApiError.badRequest(at + ": vector dimension " + v.length + " does not match the field's size " + dim);
      }
      if (params.metric() == Metric.COSINE && isZero(v)) {
        throw ApiError.badRequest(at + ": a zero vector has no cosine direction");
      }
      System.arraycopy(v, 0, out, i * dim, dim);
    }
    return out;
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }

  /** Rewrites the multi-vector fields of a point's {@code vector} output from flat arrays into lists of vectors. */
  static ObjectNode reshape(ObjectNode point, CollectionConfig config) {
    JsonNode v = point.get("vector");
    if (config.multiVectors().isEmpty() || v == null) {
      return point;
    }
    if (v.isArray()) {
      VectorParams p = config.multiVector(CollectionConfig.DEFAULT_VECTOR);
      if (p != null) {
        point.set("vector", nested((ArrayNode) v, p.size()));
      }
    } else if (v.isObject()) {
      ObjectNode o = (ObjectNode) v;
      config.multiVectors().forEach((name, p) -> {
        if (o.get(name) instanceof ArrayNode flat) {
          o.set(name, nested(flat, p.size()));
        }
      });
    }
    return point;
  }

  private static ArrayNode nested(ArrayNode flat, int dim) {
    ArrayNode out = Json.NODES.arrayNode();
    for (int i = 0; i + dim <= flat.size(); i += dim) {
      ArrayNode one = out.addArray();
      for (int j = i; j < i + dim; j++) {
        one.add(flat.get(j));
      }
    }
    return out;
  }
}
