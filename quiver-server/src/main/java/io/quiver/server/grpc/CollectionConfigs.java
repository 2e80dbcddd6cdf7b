package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.MultiVectorComparator;
import io.qdrant.client.grpc.Collections.MultiVectorConfig;
import io.qdrant.client.grpc.Collections.OptimizerStatus;
import io.qdrant.client.grpc.Collections.OptimizersConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.QuantizationConfig;
import io.qdrant.client.grpc.Collections.QuantizationConfigDiff;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Collections.WalConfigDiff;
import java.util.Locale;

/** Collection settings between Qdrant's protobuf messages and the REST API's JSON (create, update, info). */
final class CollectionConfigs {
  private CollectionConfigs() {}

  // ------------------------------------------------------------------ requests

  static ObjectNode create(CreateCollection r) {
    ObjectNode b = Rpc.body();
    if (r.hasVectorsConfig()) {
      VectorsConfig v = r.getVectorsConfig();
      switch (v.getConfigCase()) {
        case PARAMS -> b.set("vectors", vectorParams(v.getParams()));
        case PARAMS_MAP -> {
          ObjectNode named = b.putObject("vectors");
          v.getParamsMap().getMapMap().forEach((k, p) -> named.set(k, vectorParams(p)));
        }
        case CONFIG_NOT_SET -> { }
      }
    }
    if (r.hasSparseVectorsConfig()) {
      b.set("sparse_vectors", sparse(r.getSparseVectorsConfig()));
    }
    if (r.hasHnswConfig()) {
      b.set("hnsw_config", hnsw(r.getHnswConfig()));
    }
    if (r.hasOptimizersConfig()) {
      b.set("optimizers_config", optimizers(r.getOptimizersConfig()));
    }
    if (r.hasWalConfig()) {
      b.set("wal_config", wal(r.getWalConfig()));
    }
    if (r.hasQuantizationConfig()) {
      b.set("quantization_config", quantization(r.getQuantizationConfig()));
    }
    if (r.hasShardNumber()) {
      b.put("shard_number", r.getShardNumber());
    }
    if (r.hasReplicationFactor()) {
      b.put("replication_factor", r.getReplicationFactor());
    }
    if (r.hasWriteConsistencyFactor()) {
      b.put("write_consistency_factor", r.getWriteConsistencyFactor());
    }
    if (r.hasOnDiskPayload()) {
      b.put("on_disk_payload", r.getOnDiskPayload());
    }
    if (r.hasShardingMethod() && r.getShardingMethod() == io.qdrant.client.grpc.Collections.ShardingMethod.Custom) {
      throw Rpc.unimplemented("custom sharding (shard keys) is not supported by a single-node Quiver");
    }
    if (r.getMetadataCount() > 0) {
      b.set("metadata", Values.json(r.getMetadataMap()));
    }
    return b;
  }

  static ObjectNode update(UpdateCollection r) {
    ObjectNode b = Rpc.body();
    if (r.hasOptimizersConfig()) {
      b.set("optimizers_config", optimizers(r.getOptimizersConfig()));
    }
    if (r.hasHnswConfig()) {
      b.set("hnsw_config", hnsw(r.getHnswConfig()));
    }
    if (r.hasQuantizationConfig()) {
      QuantizationConfigDiff q = r.getQuantizationConfig();
      switch (q.getQuantizationCase()) {
        case DISABLED -> b.put("quantization_config", "Disabled");
        case SCALAR -> b.set("quantization_config", quantization(QuantizationConfig.newBuilder()
            .setScalar(q.getScalar()).build()));
        case PRODUCT -> b.set("quantization_config", quantization(QuantizationConfig.newBuilder()
            .setProduct(q.getProduct()).build()));
        case BINARY -> b.set("quantization_config", quantization(QuantizationConfig.newBuilder()
            .setBinary(q.getBinary()).build()));
        case TURBOQUANT -> throw Rpc.unimplemented("turbo quantization is not supported");
        case QUANTIZATION_NOT_SET -> { }
      }
    }
    if (r.hasVectorsConfig() || r.hasParams() || r.hasSparseVectorsConfig()) {
      throw Rpc.unimplemented("changing vectors, params or sparse vectors of an existing collection is not "
          + "supported");
    }
    if (r.getMetadataCount() > 0) {
      b.set("metadata", Values.json(r.getMetadataMap()));
    }
    return b;
  }

  private static ObjectNode vectorParams(VectorParams p) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("size", p.getSize());
    o.put("distance", distanceName(p.getDistance()));
    if (p.hasHnswConfig()) {
      o.set("hnsw_config", hnsw(p.getHnswConfig()));
    }
    if (p.hasQuantizationConfig()) {
      o.set("quantization_config", quantization(p.getQuantizationConfig()));
    }
    if (p.hasOnDisk()) {
      o.put("on_disk", p.getOnDisk());
    }
    if (p.hasDatatype() && p.getDatatype() != io.qdrant.client.grpc.Collections.Datatype.Default) {
      o.put("datatype", p.getDatatype().name().toLowerCase(Locale.ROOT));
    }
    if (p.hasMultivectorConfig()) {
      o.putObject("multivector_config").put("comparator", "max_sim");
    }
    return o;
  }

  private static String distanceName(Distance d) {
    return switch (d) {
      case Cosine -> "Cosine";
      case Euclid -> "Euclid";
      case Dot -> "Dot";
      case Manhattan -> "Manhattan";
      default -> throw Filters.invalid("vectors_config.distance: unknown distance " + d);
    };
  }

  private static ObjectNode sparse(SparseVectorConfig c) {
    ObjectNode o = Values.NODES.objectNode();
    c.getMapMap().forEach((k, p) -> {
      ObjectNode s = o.putObject(k);
      if (p.hasModifier()) {
        s.put("modifier", p.getModifier() == io.qdrant.client.grpc.Collections.Modifier.Idf ? "idf" : "none");
      }
      if (p.hasIndex()) {
        ObjectNode i = s.putObject("index");
        if (p.getIndex().hasOnDisk()) i.put("on_disk", p.getIndex().getOnDisk());
        if (p.getIndex().hasFullScanThreshold()) i.put("full_scan_threshold", p.getIndex().getFullScanThreshold());
      }
    });
    return o;
  }

  private static ObjectNode hnsw(HnswConfigDiff h) {
    ObjectNode o = Values.NODES.objectNode();
    if (h.hasM()) o.put("m", h.getM());
    if (h.hasEfConstruct()) o.put("ef_construct", h.getEfConstruct());
    if (h.hasFullScanThreshold()) o.put("full_scan_threshold", h.getFullScanThreshold());
    if (h.hasMaxIndexingThreads()) o.put("max_indexing_threads", h.getMaxIndexingThreads());
    if (h.hasOnDisk()) o.put("on_disk", h.getOnDisk());
    if (h.hasPayloadM()) o.put("payload_m", h.getPayloadM());
    return o;
  }

  private static ObjectNode optimizers(OptimizersConfigDiff c) {
    ObjectNode o = Values.NODES.objectNode();
    if (c.hasDeletedThreshold()) o.put("deleted_threshold", c.getDeletedThreshold());
    if (c.hasVacuumMinVectorNumber()) o.put("vacuum_min_vector_number", c.getVacuumMinVectorNumber());
    if (c.hasDefaultSegmentNumber()) o.put("default_segment_number", c.getDefaultSegmentNumber());
    if (c.hasMaxSegmentSize()) o.put("max_segment_size", c.getMaxSegmentSize());
    if (c.hasMemmapThreshold()) o.put("memmap_threshold", c.getMemmapThreshold());
    if (c.hasIndexingThreshold()) o.put("indexing_threshold", c.getIndexingThreshold());
    if (c.hasFlushIntervalSec()) o.put("flush_interval_sec", c.getFlushIntervalSec());
    return o;
  }

  private static ObjectNode wal(WalConfigDiff w) {
    ObjectNode o = Values.NODES.objectNode();
    if (w.hasWalCapacityMb()) o.put("wal_capacity_mb", w.getWalCapacityMb());
    if (w.hasWalSegmentsAhead()) o.put("wal_segments_ahead", w.getWalSegmentsAhead());
    return o;
  }

  private static ObjectNode quantization(QuantizationConfig q) {
    ObjectNode o = Values.NODES.objectNode();
    switch (q.getQuantizationCase()) {
      case SCALAR -> {
        ObjectNode s = o.putObject("scalar").put("type", "int8");
        if (q.getScalar().hasQuantile()) s.put("quantile", q.getScalar().getQuantile());
        if (q.getScalar().hasAlwaysRam()) s.put("always_ram", q.getScalar().getAlwaysRam());
      }
      case PRODUCT -> {
        ObjectNode p = o.putObject("product").put("compression", q.getProduct().getCompression().name());
        if (q.getProduct().hasAlwaysRam()) p.put("always_ram", q.getProduct().getAlwaysRam());
      }
      case BINARY -> {
        ObjectNode p = o.putObject("binary");
        if (q.getBinary().hasAlwaysRam()) p.put("always_ram", q.getBinary().getAlwaysRam());
      }
      case TURBOQUANT -> throw Rpc.unimplemented("turbo quantization is not supported");
      case QUANTIZATION_NOT_SET -> throw Filters.invalid("quantization_config is empty");
    }
    return o;
  }

  // ------------------------------------------------------------------ answers

  /** The REST API's collection info as Qdrant's {@code CollectionInfo}. */
  static CollectionInfo info(JsonNode o) {
    CollectionInfo.Builder b = CollectionInfo.newBuilder()
        .setStatus(switch (o.path("status").asText("green")) {
          case "yellow" -> CollectionStatus.Yellow;
          case "red" -> CollectionStatus.Red;
          case "grey" -> CollectionStatus.Grey;
          default -> CollectionStatus.Green;
        })
        .setOptimizerStatus(OptimizerStatus.newBuilder().setOk(true))
        .setSegmentsCount(o.path("segments_count").asLong())
        .setPointsCount(o.path("points_count").asLong())
        .setIndexedVectorsCount(o.path("indexed_vectors_count").asLong());
    JsonNode cfg = o.path("config");
    JsonNode params = cfg.path("params");
    CollectionParams.Builder p = CollectionParams.newBuilder()
        .setShardNumber(params.path("shard_number").asInt(1))
        .setOnDiskPayload(params.path("on_disk_payload").asBoolean(true))
        .setReplicationFactor(params.path("replication_factor").asInt(1))
        .setWriteConsistencyFactor(params.path("write_consistency_factor").asInt(1));
    JsonNode vectors = params.path("vectors");
    if (vectors.has("size")) {
      p.setVectorsConfig(VectorsConfig.newBuilder().setParams(vectorParamsOut(vectors)));
    } else if (vectors.isObject()) {
      VectorParamsMap.Builder m = VectorParamsMap.newBuilder();
      vectors.properties().forEach(e -> m.putMap(e.getKey(), vectorParamsOut(e.getValue())));
      p.setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(m));
    }
    if (params.path("sparse_vectors").isObject()) {
      SparseVectorConfig.Builder s = SparseVectorConfig.newBuilder();
      params.get("sparse_vectors").properties().forEach(e -> {
        SparseVectorParams.Builder sp = SparseVectorParams.newBuilder();
        if ("idf".equals(e.getValue().path("modifier").asText())) {
          sp.setModifier(io.qdrant.client.grpc.Collections.Modifier.Idf);
        }
        s.putMap(e.getKey(), sp.build());
      });
      p.setSparseVectorsConfig(s);
    }
    JsonNode h = cfg.path("hnsw_config");
    JsonNode opt = cfg.path("optimizer_config");
    JsonNode wal = cfg.path("wal_config");
    CollectionConfig.Builder c = CollectionConfig.newBuilder().setParams(p)
        .setHnswConfig(HnswConfigDiff.newBuilder().setM(h.path("m").asLong()).setEfConstruct(h.path("ef_construct")
            .asLong()).setFullScanThreshold(h.path("full_scan_threshold").asLong()).setPayloadM(h.path("payload_m")
            .asLong()).setOnDisk(h.path("on_disk").asBoolean()).setMaxIndexingThreads(h.path("max_indexing_threads")
            .asLong()))
        .setOptimizerConfig(OptimizersConfigDiff.newBuilder()
            .setDeletedThreshold(opt.path("deleted_threshold").asDouble())
            .setVacuumMinVectorNumber(opt.path("vacuum_min_vector_number").asLong())
            .setDefaultSegmentNumber(opt.path("default_segment_number").asLong())
            .setMaxSegmentSize(opt.path("max_segment_size").asLong())
            .setIndexingThreshold(opt.path("indexing_threshold").asLong())
            .setFlushIntervalSec(opt.path("flush_interval_sec").asLong()))
        .setWalConfig(WalConfigDiff.newBuilder().setWalCapacityMb(wal.path("wal_capacity_mb").asLong())
            .setWalSegmentsAhead(wal.path("wal_segments_ahead").asLong()));
    b.setConfig(c);
    o.path("payload_schema").properties().forEach(e -> b.putPayloadSchema(e.getKey(), PayloadSchemaInfo.newBuilder()
        .setDataType(schemaType(e.getValue().path("data_type").asText()))
        .setPoints(e.getValue().path("points").asLong()).build()));
    return b.build();
  }

  private static VectorParams vectorParamsOut(JsonNode v) {
    VectorParams.Builder b = VectorParams.newBuilder().setSize(v.path("size").asLong())
        .setDistance(switch (v.path("distance").asText()) {
          case "Cosine" -> Distance.Cosine;
          case "Euclid" -> Distance.Euclid;
          case "Dot" -> Distance.Dot;
          case "Manhattan" -> Distance.Manhattan;
          default -> Distance.UnknownDistance;
        });
    if (v.has("on_disk")) {
      b.setOnDisk(v.path("on_disk").asBoolean());
    }
    JsonNode h = v.path("hnsw_config");
    if (h.isObject()) {
      b.setHnswConfig(HnswConfigDiff.newBuilder().setM(h.path("m").asLong()).setEfConstruct(
          h.path("ef_construct").asLong()).setPayloadM(h.path("payload_m").asLong())
          .setOnDisk(h.path("on_disk").asBoolean()));
    }
    if (v.path("multivector_config").isObject()) {
      b.setMultivectorConfig(MultiVectorConfig.newBuilder().setComparator(MultiVectorComparator.MaxSim));
    }
    return b.build();
  }

  private static PayloadSchemaType schemaType(String name) {
    return switch (name) {
      case "keyword" -> PayloadSchemaType.Keyword;
      case "integer" -> PayloadSchemaType.Integer;
      case "float" -> PayloadSchemaType.Float;
      case "geo" -> PayloadSchemaType.Geo;
      case "text" -> PayloadSchemaType.Text;
      case "bool" -> PayloadSchemaType.Bool;
      case "datetime" -> PayloadSchemaType.Datetime;
      case "uuid" -> PayloadSchemaType.Uuid;
      default -> PayloadSchemaType.UnknownType;
    };
  }
}
