package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.ConfigCodec;
import io.quiver.collection.MultiVectorConfig;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;

/** Qdrant's collection settings ({@code vectors}, {@code hnsw_config}, ...) read into and written from Quiver's. */
final class CollectionConfigJson {
  private CollectionConfigJson() {}

  /**
   * The optimizer settings Quiver acts on: {@code deleted_threshold} is the vacuum ratio and
   * {@code max_segment_size} (KiB of vectors, as in Qdrant) sets how many points a segment holds before it is
   * sealed. The others are stored and echoed only.
   */
  static void applyOptimizers(CollectionConfig.Builder b, ObjectNode opt) {
    Double deleted = opt.hasNonNull("deleted_threshold") ? opt.get("deleted_threshold").asDouble(Double.NaN) : null;
    if (deleted != null) {
      if (!(deleted > 0 && deleted <= 1)) {
        throw ApiError.badRequest("body.optimizers_config.deleted_threshold: expected a number in (0, 1]");
      }
      b.vacuumRatio(deleted);
    }
    if (opt.hasNonNull("max_segment_size")) {
      long kib = Json.intField(opt, "max_segment_size", "body.optimizers_config", 0, 1);
      long bytesPerPoint = Math.max(4, b.build().vectors().values().stream().mapToLong(v -> 4L * v.size()).sum());
      b.sealThreshold((int) Math.max(1_000, Math.min(Integer.MAX_VALUE, kib * 1024 / bytesPerPoint)));
    }
  }

  /**
   * Qdrant's {@code quantization_config}: {@code {"scalar": {"type": "int8", "quantile": q, "always_ram": b}}},
   * {@code {"product": {"compression": "x16", "always_ram": b}}} or {@code {"binary": {"always_ram": b}}}; Quiver
   * also takes {@code {"float16": {}}}. Codes are always kept in RAM.
   */
  static QuantizationConfig quantization(JsonNode n, String path) {
    ObjectNode o = Json.object(n, path);
    if (o.size() != 1) {
      throw ApiError.badRequest(path + ": expected exactly one of scalar, product, binary, float16");
    }
    String kind = o.fieldNames().next();
    Json.onlyFields(o, path, "scalar", "product", "binary", "float16");
    ObjectNode p = Json.object(o.get(kind), path + "." + kind);
    String at = path + "." + kind;
    try {
      return switch (kind) {
        case "scalar" -> {
          Json.onlyFields(p, at, "type", "quantile", "always_ram");
          String type = Json.stringField(p, "type", at, "int8");
          if (!type.equals("int8")) {
            throw ApiError.badRequest(at + ".type: only int8 is supported, got '" + type + "'");
          }
          Float q = Json.floatField(p, "quantile", at);
          yield QuantizationConfig.int8(q == null ? 1f : q);
        }
        case "product" -> {
          Json.onlyFields(p, at, "compression", "always_ram");
          String c = Json.stringField(p, "compression", at, null);
          if (c == null || !c.matches("x(4|8|16|32|64)")) {
            throw ApiError.badRequest(at + ".compression: expected x4, x8, x16, x32 or x64, got " + c);
          }
          yield QuantizationConfig.product(Integer.parseInt(c.substring(1)));
        }
        case "binary" -> {
          Json.onlyFields(p, at, "always_ram", "encoding", "query_encoding");
          yield QuantizationConfig.binary();
        }
        default -> {
          Json.onlyFields(p, at);
          yield QuantizationConfig.float16();
        }
      };
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(at + ": " + e.getMessage());
    }
  }

  static VectorParams vectorParams(JsonNode n, String path, ObjectNode defaultHnsw) {
    Json.object(n, path);
    Json.onlyFields(n, path, "size", "distance", "hnsw_config", "quantization_config", "on_disk", "datatype",
        "multivector_config", "memory");
    if (!n.has("size")) {
      throw ApiError.badRequest(path + ".size: required");
    }
    int size = Json.intField(n, "size", path, 0, 1);
    String distance = Json.stringField(n, "distance", path, null);
    if (distance == null) {
      throw ApiError.badRequest(path + ".distance: required (Cosine, Euclid, Dot or Manhattan)");
    }
    Metric metric = switch (distance) {
      case "Cosine" -> Metric.COSINE;
      case "Euclid" -> Metric.L2;
      case "Dot" -> Metric.DOT;
      case "Manhattan" -> Metric.L1;
      default -> throw ApiError.badRequest(path + ".distance: unknown distance `" + distance
          + "`, expected Cosine, Euclid, Dot or Manhattan");
    };
    String datatype = Json.stringField(n, "datatype", path, "float32");
    if (!datatype.equals("float32")) {
      throw ApiError.badRequest(path + ".datatype: only float32 is supported");
    }
    MultiVectorConfig multi = MultiVectorJson.config(n.get("multivector_config"), path + ".multivector_config");
    HnswConfig.Builder h = HnswConfig.builder();
    ObjectNode fieldHnsw = Json.object(n.get("hnsw_config"), path + ".hnsw_config");
    if (multi != null && fieldHnsw.path("m").isIntegralNumber() && fieldHnsw.get("m").asInt() == 0) {
      multi = multi.rerankOnly(); // Qdrant's m: 0 on a multi-vector field: no graph, exact MaxSim only
      fieldHnsw = fieldHnsw.deepCopy().without("m");
    }
    applyHnsw(h, defaultHnsw, "body.hnsw_config");
    applyHnsw(h, fieldHnsw, path + ".hnsw_config");
    // hnsw_config.on_disk with the field's on_disk: sealed segments are disk-resident (a disk index)
    boolean hnswOnDisk = Json.boolField(fieldHnsw, "on_disk", path + ".hnsw_config",
        Json.boolField(defaultHnsw, "on_disk", "body.hnsw_config", false));
    try {
      return new VectorParams(size, metric, h.build(), Json.boolField(n, "on_disk", path, false), hnswOnDisk, multi);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(path + ": " + e.getMessage());
    }
  }

  private static void applyHnsw(HnswConfig.Builder h, ObjectNode c, String path) {
    Json.onlyFields(c, path, "m", "ef_construct", "full_scan_threshold", "max_indexing_threads", "on_disk",
        "payload_m", "inline_storage", "memory");
    if (Json.present(c.get("m"))) {
      h.m(Json.intField(c, "m", path, 16, 2));
    }
    if (Json.present(c.get("ef_construct"))) {
      h.efConstruction(Json.intField(c, "ef_construct", path, 100, 4));
    }
    if (Json.present(c.get("payload_m"))) {
      h.payloadM(Json.intField(c, "payload_m", path, 0, 0));
    }
  }

  /** A collection's quantization as Qdrant reports it ({@code null} for none); codes are always in RAM. */
  static JsonNode quantizationJson(QuantizationConfig q) {
    if (q == null) {
      return Json.NODES.nullNode();
    }
    ObjectNode o = Json.NODES.objectNode();
    switch (q.kind()) {
      case INT8 -> o.putObject("scalar").put("type", "int8").put("quantile", q.quantile()).put("always_ram", true);
      case PRODUCT -> o.putObject("product").put("compression", "x" + q.compression()).put("always_ram", true);
      case BINARY -> o.putObject("binary").put("always_ram", true);
      case FLOAT16 -> o.putObject("float16");
    }
    return o;
  }

  static ObjectNode vectorParamsJson(VectorParams v) {
    ObjectNode n = Json.NODES.objectNode();
    n.put("size", v.size());
    n.put("distance", ConfigCodec.distanceName(v.metric()));
    ObjectNode h = n.putObject("hnsw_config");
    h.put("m", v.hnsw().m());
    h.put("ef_construct", v.hnsw().efConstruction());
    h.put("payload_m", v.hnsw().payloadM());
    h.put("on_disk", v.hnswOnDisk());
    n.put("on_disk", v.onDisk());
    if (v.multivector() != null) {
      MultiVectorJson.echo(v.multivector(), n, h);
    }
    return n;
  }
}
