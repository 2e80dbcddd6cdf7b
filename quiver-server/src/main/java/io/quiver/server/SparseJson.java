package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.SparseVector;
import io.quiver.collection.SparseVectorParams;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Qdrant's sparse vector JSON: {@code {"indices": [u32...], "values": [f32...]}} in a point's named vectors, as a
 * query, and in collection configs; and a point's vectors read into dense and sparse by the collection's fields.
 */
final class SparseJson {
  private static final long MAX_U32 = 0xFFFF_FFFFL;

  private SparseJson() {}

  /** A point's vectors split by kind. */
  record PointVectors(Map<String, float[]> dense, Map<String, SparseVector> sparse) {
    Point point(PointId id, ObjectNode payload) {
      return new Point(id, dense, payload, sparse);
    }
  }

  /** Whether {@code n} is shaped as a sparse vector (an object with indices or values). */
  static boolean isSparse(JsonNode n) {
    return n != null && n.isObject() && (n.has("indices") || n.has("values"));
  }

  /** Reads a sparse vector, every problem a 400 naming the path (indices 0..4294967295, unique, as many values). */
  static SparseVector sparse(JsonNode n, String path) {
    Json.object(n, path);
    Json.onlyFields(n, path, "indices", "values");
    JsonNode idx = n.get("indices");
    JsonNode val = n.get("values");
    if (idx == null || !idx.isArray()) {
      throw ApiError.badRequest(path + ".indices: required, an array of unsigned 32-bit integers");
    }
    if (val == null || !val.isArray()) {
      throw ApiError.badRequest(path + ".values: required, an array of numbers");
    }
    if (idx.size() != val.size()) {
      throw ApiError.badRequest(path + ": indices and values must have the same length, got " + idx.size()
          + " indices and " + val.size() + " values");
    }
    int[] indices = new int[idx.size()];
    for (int i = 0; i < indices.length; i++) {
      JsonNode x = idx.get(i);
      if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0 || x.longValue() > MAX_U32) {
        throw ApiError.badRequest(path + ".indices[" + i + "]: expected an unsigned 32-bit integer (0.."
            + MAX_U32 + "), got " + x);
      }
      indices[i] = (int) x.longValue();
    }
    float[] values = Json.vector(val, path + ".values");
    int[] sorted = indices.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw ApiError.badRequest(path + ".indices: must be unique, " + Integer.toUnsignedString(sorted[i])
            + " appears more than once");
      }
    }
    return new SparseVector(indices, values);
  }

  /**
   * A point's {@code vector}: an array (the unnamed dense vector) or an object of named vectors, each an array
   * (dense) or {indices, values} (sparse), checked against the kind of the collection's field of that name; a
   * {@code Document} in place of a vector goes to {@code docs} as point number {@code point} of the request.
   */
  static PointVectors vectors(JsonNode n, String path, CollectionConfig config, DocumentVectors docs, int point) {
    Map<String, float[]> dense = new LinkedHashMap<>();
    Map<String, SparseVector> sparse = new LinkedHashMap<>();
    if (DocumentVectors.isDocument(n)) { // a Document in the unnamed slot
      docs.add(point, CollectionConfig.DEFAULT_VECTOR, n, path);
    } else if (n != null && n.isArray() && config.multiVector(CollectionConfig.DEFAULT_VECTOR) != null) {
      dense.put(CollectionConfig.DEFAULT_VECTOR, MultiVectorJson.read(n, path,
          config.multiVector(CollectionConfig.DEFAULT_VECTOR)));
    } else if (n != null && n.isArray()) {
      if (config.sparseVector(CollectionConfig.DEFAULT_VECTOR) == null
          && config.vector(CollectionConfig.DEFAULT_VECTOR) == null) {
        throw ApiError.badRequest(path + ": the collection has no unnamed vector; give an object of named vectors");
      }
      dense.put(CollectionConfig.DEFAULT_VECTOR, Json.vector(n, path));
    } else if (n != null && n.isObject()) {
      for (var e : n.properties()) {
        put(e.getKey(), e.getValue(), path + "." + e.getKey(), config, dense, sparse, docs, point);
      }
    } else {
      throw ApiError.badRequest(path + ": expected an array of numbers or an object of named vectors");
    }
    return new PointVectors(dense, sparse);
  }

  /** Reads one named vector {@code v} at {@code path} into {@code dense} or {@code sparse} by its field's kind. */
  static void put(String name, JsonNode v, String path, CollectionConfig config, Map<String, float[]> dense,
      Map<String, SparseVector> sparse, DocumentVectors docs, int point) {
    if (DocumentVectors.isDocument(v)) {
      docs.add(point, name, v, path);
      return;
    }
    if (config.multiVector(name) != null) {
      dense.put(name, MultiVectorJson.read(v, path, config.multiVector(name)));
      return;
    }
    boolean isSparseField = config.sparseVector(name) != null;
    if (!isSparseField && config.vector(name) == null) {
      throw ApiError.badRequest(path + ": Wrong input: Not existing vector name error: " + name);
    }
    if (isSparse(v) != isSparseField) {
      throw ApiError.badRequest(path + ": '" + name + "' is a " + (isSparseField
          ? "sparse vector field; expected {indices, values}" : "dense vector field; expected an array of numbers"));
    }
    if (isSparseField) {
      sparse.put(name, sparse(v, path));
    } else {
      dense.put(name, Json.vector(v, path));
    }
  }

  /** Qdrant's sparse vector output: indices as unsigned integers. */
  static ObjectNode json(SparseVector v) {
    ObjectNode o = Json.NODES.objectNode();
    ArrayNode idx = o.putArray("indices");
    for (int i : v.indices()) {
      idx.add(Integer.toUnsignedLong(i));
    }
    o.set("values", Json.floats(v.values()));
    return o;
  }

  /** A point's vectors as Qdrant returns them: named sparse vectors join the dense ones in one object. */
  static JsonNode vectorsJson(Map<String, float[]> dense, Map<String, SparseVector> sparse) {
    if (sparse == null || sparse.isEmpty()) {
      return Json.vectorsJson(dense);
    }
    ObjectNode o = Json.NODES.objectNode();
    if (dense != null) {
      dense.forEach((k, v) -> o.set(k, Json.floats(v)));
    }
    sparse.forEach((k, v) -> o.set(k, json(v)));
    return o;
  }

  /** Qdrant's {@code SparseVectorParams}: {@code {modifier, index: {full_scan_threshold, on_disk, datatype}}}. */
  static SparseVectorParams params(JsonNode n, String path) {
    ObjectNode o = Json.object(n, path);
    Json.onlyFields(o, path, "modifier", "index");
    SparseVectorParams.Modifier modifier = modifier(o, path);
    String at = path + ".index";
    ObjectNode index = Json.object(o.get("index"), at);
    Json.onlyFields(index, at, "full_scan_threshold", "on_disk", "datatype", "memory");
    Integer threshold = Json.present(index.get("full_scan_threshold"))
        ? Json.intField(index, "full_scan_threshold", at, 0, 0) : null;
    String memory = Json.stringField(index, "memory", at, null);
    if (memory != null && !memory.equals("cold") && !memory.equals("cached") && !memory.equals("pinned")) {
      throw ApiError.badRequest(at + ".memory: unknown variant `" + memory + "`, expected cold, cached or pinned");
    }
    // memory overrides the deprecated on_disk: cold data stays in the mapped file
    boolean onDisk = memory != null ? memory.equals("cold") : Json.boolField(index, "on_disk", at, false);
    return new SparseVectorParams(modifier, threshold, onDisk, datatype(index, at));
  }

  /** Qdrant's {@code SparseVectorConfig} of create named vector: {@code {modifier, datatype}}. */
  static SparseVectorParams nameConfig(JsonNode n, String path) {
    ObjectNode o = Json.object(n, path);
    Json.onlyFields(o, path, "modifier", "datatype");
    return new SparseVectorParams(modifier(o, path), null, false, datatype(o, path));
  }

  private static SparseVectorParams.Modifier modifier(ObjectNode o, String path) {
    String m = Json.stringField(o, "modifier", path, "none");
    return switch (m.toLowerCase(Locale.ROOT)) {
      case "none" -> SparseVectorParams.Modifier.NONE;
      case "idf" -> SparseVectorParams.Modifier.IDF;
      default -> throw ApiError.badRequest(path + ".modifier: unknown variant `" + m + "`, expected `none` or `idf`");
    };
  }

  private static String datatype(ObjectNode o, String path) {
    String datatype = Json.stringField(o, "datatype", path, null);
    if (datatype != null && !datatype.equals("float32") && !datatype.equals("float16")
        && !datatype.equals("uint8")) {
      throw ApiError.badRequest(path + ".datatype: expected float32, float16 or uint8, got `" + datatype + "`");
    }
    return datatype;
  }

  /** The params as Qdrant reports them. */
  static ObjectNode paramsJson(SparseVectorParams p) {
    ObjectNode o = Json.NODES.objectNode();
    ObjectNode index = o.putObject("index");
    if (p.fullScanThreshold() != null) {
      index.put("full_scan_threshold", p.fullScanThreshold());
    }
    index.put("on_disk", p.onDisk());
    if (p.datatype() != null) {
      index.put("datatype", p.datatype());
    }
    if (p.modifier() != SparseVectorParams.Modifier.NONE) {
      o.put("modifier", p.modifier().qdrantName());
    }
    return o;
  }
}
