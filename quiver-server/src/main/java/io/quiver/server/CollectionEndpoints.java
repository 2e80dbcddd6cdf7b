package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.StorageUsage;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import io.quiver.text.TextIndexParams;
import io.quiver.text.TextIndexParamsJson;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** {@code /collections}: list, create, info, update (PATCH), delete, and the payload indexes of a collection. */
final class CollectionEndpoints {
  private static final System.Logger LOG = System.getLogger(QuiverServer.class.getName());

  private final Endpoints ep;
  private final Quiver db;
  private final SnapshotEndpoints snapshots;
  /**
   * Qdrant settings accepted and echoed back but not acted on (optimizers_config but for deleted_threshold and
   * max_segment_size, wal_config), by collection; kept in {@code server-settings.json} beside the database's
   * collections. What a collection acts on is reported from its own config, persisted with it.
   */
  private final Map<String, ObjectNode> storedSettings = new ConcurrentHashMap<>();
  private final Path settingsFile;

  CollectionEndpoints(Endpoints ep, SnapshotEndpoints snapshots) {
    this.ep = ep;
    this.snapshots = snapshots;
    this.db = ep.db;
    this.settingsFile = db.directory().resolve("server-settings.json");
    loadSettings();
  }

  private void loadSettings() {
    if (!Files.exists(settingsFile)) {
      return;
    }
    try {
      JsonNode root = ep.json.readTree(settingsFile.toFile());
      root.properties().forEach(e -> {
        if (e.getValue() instanceof ObjectNode o && db.exists(e.getKey())) {
          storedSettings.put(e.getKey(), o);
        }
      });
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + settingsFile + ": " + e.getMessage());
    }
  }

  private synchronized void saveSettings() throws IOException {
    ObjectNode root = ep.json.createObjectNode();
    new TreeMap<>(storedSettings).forEach((k, v) -> {
      if (db.exists(k)) {
        root.set(k, v);
      }
    });
    AtomicFiles.write(settingsFile, ep.json.writeValueAsBytes(root));
  }

  JsonNode list(Call req) {
    ObjectNode o = ep.json.createObjectNode();
    ArrayNode list = o.putArray("collections");
    for (String n : db.collectionNames()) {
      list.addObject().put("name", n);
    }
    return o;
  }

  JsonNode exists(Call req) {
    ObjectNode o = ep.json.createObjectNode();
    o.put("exists", db.exists(Endpoints.name(req)));
    return o;
  }

  JsonNode delete(Call req) throws IOException {
    String name = Endpoints.name(req);
    boolean deleted = db.deleteCollection(name);
    if (deleted) {
      snapshots.retire(name);
      if (storedSettings.remove(name) != null) {
        saveSettings();
      }
    }
    return Json.NODES.booleanNode(deleted);
  }

  JsonNode create(Call req) throws Exception {
    String name = Endpoints.name(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "vectors", "shard_number", "sharding_method", "replication_factor",
        "write_consistency_factor", "on_disk_payload", "hnsw_config", "wal_config", "optimizers_config",
        "init_from", "quantization_config", "sparse_vectors", "strict_mode_config", "metadata", "payload");
    if (db.exists(name)) {
      throw new ApiError(409, "Wrong input: Collection `" + name + "` already exists!");
    }
    Json.object(body.get("payload"), "body.payload");
    if (Json.present(body.get("init_from"))) {
      throw ApiError.unsupported("body.init_from: not supported");
    }
    ObjectNode defaultHnsw = Json.object(body.get("hnsw_config"), "body.hnsw_config");
    ObjectNode sparse = Json.object(body.get("sparse_vectors"), "body.sparse_vectors");
    JsonNode vectors = body.get("vectors");
    if (sparse.isEmpty() && (!Json.present(vectors) || !vectors.isObject())) {
      throw ApiError.badRequest("body.vectors: required, {size, distance} or an object of named vector params");
    }
    CollectionConfig.Builder b = CollectionConfig.builder().maxPayloadBytes(ep.config.maxPayloadBytes());
    if (Json.present(vectors) && !vectors.isObject()) {
      throw ApiError.badRequest("body.vectors: expected {size, distance} or an object of named vector params");
    }
    if (Json.present(vectors) && (vectors.has("size") || vectors.has("distance"))) {
      b.vector(CollectionConfigJson.vectorParams(vectors, "body.vectors", defaultHnsw));
    } else if (Json.present(vectors)) {
      if (vectors.isEmpty() && sparse.isEmpty()) {
        throw ApiError.badRequest("body.vectors: at least one vector is required");
      }
      for (var e : vectors.properties()) {
        b.vector(e.getKey(), CollectionConfigJson.vectorParams(e.getValue(), "body.vectors." + e.getKey(),
            defaultHnsw));
      }
    }
    for (var e : sparse.properties()) {
      String at = "body.sparse_vectors." + e.getKey();
      if (Json.present(vectors) && vectors.has(e.getKey())) {
        throw ApiError.badRequest(at + ": '" + e.getKey() + "' already names a dense vector");
      }
      b.sparseVector(e.getKey(), SparseJson.params(e.getValue(), at));
    }
    CollectionConfigJson.applyOptimizers(b, Json.object(body.get("optimizers_config"), "body.optimizers_config"));
    if (Json.present(body.get("quantization_config"))) {
      b.quantization(CollectionConfigJson.quantization(body.get("quantization_config"), "body.quantization_config"));
    }
    CollectionConfig config;
    try {
      config = b.build();
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("body: " + e.getMessage());
    }
    db.createCollection(name, config);
    ObjectNode stored = ep.json.createObjectNode();
    for (String k : List.of("optimizers_config", "wal_config")) {
      if (Json.present(body.get(k))) {
        stored.set(k, body.get(k));
      }
    }
    storedSettings.put(name, stored);
    saveSettings();
    return Json.NODES.booleanNode(true);
  }

  JsonNode info(Call req) {
    Collection c = ep.collection(req);
    CollectionInfo info = c.info();
    CollectionConfig config = info.config();
    ObjectNode o = ep.json.createObjectNode();
    o.put("status", info.status());
    o.put("optimizer_status", "ok");
    o.put("indexed_vectors_count", info.indexedPoints());
    o.put("points_count", info.points());
    o.put("segments_count", info.segments());
    o.set("storage", storageJson(info.storage()));
    ObjectNode cfg = o.putObject("config");
    ObjectNode params = cfg.putObject("params");
    // a collection with sparse fields only reports the default HNSW settings, as Qdrant does
    VectorParams first = config.vectors().values().stream().findFirst()
        .orElse(new VectorParams(1, Metric.DOT, HnswConfig.DEFAULT, false));
    Map<String, VectorParams> all = MultiVectorJson.allVectors(config);
    if (all.containsKey(CollectionConfig.DEFAULT_VECTOR)) {
      params.set("vectors", CollectionConfigJson.vectorParamsJson(all.get(CollectionConfig.DEFAULT_VECTOR)));
    } else {
      ObjectNode named = params.putObject("vectors");
      all.forEach((k, v) -> named.set(k, CollectionConfigJson.vectorParamsJson(v)));
    }
    if (!config.sparseVectors().isEmpty()) {
      ObjectNode sparseParams = params.putObject("sparse_vectors");
      config.sparseVectors().forEach((k, v) -> sparseParams.set(k, SparseJson.paramsJson(v)));
    }
    params.put("shard_number", 1);
    params.put("replication_factor", 1);
    params.put("write_consistency_factor", 1);
    params.put("on_disk_payload", true);
    ObjectNode hnsw = cfg.putObject("hnsw_config");
    hnsw.put("m", first.hnsw().m());
    hnsw.put("ef_construct", first.hnsw().efConstruction());
    hnsw.put("payload_m", first.hnsw().payloadM());
    hnsw.put("full_scan_threshold", 10_000);
    hnsw.put("max_indexing_threads", 0);
    hnsw.put("on_disk", first.hnswOnDisk());
    ObjectNode stored = storedSettings.getOrDefault(c.name(), ep.json.createObjectNode());
    ObjectNode optimizer = cfg.putObject("optimizer_config");
    optimizer.put("vacuum_min_vector_number", 1000);
    optimizer.put("default_segment_number", 0);
    long bytesPerPoint = config.vectors().values().stream().mapToLong(v -> 4L * v.size()).sum();
    optimizer.putNull("memmap_threshold");
    optimizer.put("indexing_threshold", 10_000);
    optimizer.put("flush_interval_sec", 5);
    optimizer.putNull("max_optimization_threads");
    if (stored.get("optimizers_config") instanceof ObjectNode given) {
      optimizer.setAll(given);
    }
    // what the collection acts on, whatever was asked
    optimizer.put("deleted_threshold", config.vacuumRatio());
    optimizer.put("max_segment_size", config.sealThreshold() * bytesPerPoint / 1024);
    ObjectNode wal = cfg.putObject("wal_config");
    wal.put("wal_capacity_mb", 32);
    wal.put("wal_segments_ahead", 0);
    cfg.set("quantization_config", CollectionConfigJson.quantizationJson(config.quantization()));
    ObjectNode schema = o.putObject("payload_schema");
    config.payloadSchema().forEach((k, v) -> {
      ObjectNode s = schema.putObject(k);
      s.put("data_type", v.qdrantName());
      if (v == FieldSchema.TEXT) {
        s.set("params", TextIndexParamsJson.write(config.textIndex(k)));
      } else if (config.tenantFields().contains(k)) {
        s.putObject("params").put("type", v.qdrantName()).put("is_tenant", true);
      }
      s.put("points", info.points());
    });
    return o;
  }

  /**
   * Quiver's own field (Qdrant has none): bytes by part and place as {@link CollectionInfo#storage()} counts them,
   * the same figures as the {@code quiver_collection_storage_bytes} metric, and their sums per place.
   */
  private ObjectNode storageJson(StorageUsage st) {
    ObjectNode o = ep.json.createObjectNode();
    long heap = 0;
    long mapped = 0;
    long disk = 0;
    for (Map.Entry<String, StorageUsage.Part> e : List.of(Map.entry("vectors", st.vectors()),
        Map.entry("graph", st.graph()), Map.entry("codes", st.codes()), Map.entry("payloads", st.payloads()),
        Map.entry("caches", st.caches()))) {
      StorageUsage.Part p = e.getValue();
      o.putObject(e.getKey()).put("heap_bytes", p.heap()).put("mapped_bytes", p.mapped()).put("disk_bytes", p.disk());
      heap += p.heap();
      mapped += p.mapped();
      disk += p.disk();
    }
    o.putObject("total").put("heap_bytes", heap).put("mapped_bytes", mapped).put("disk_bytes", disk);
    return o;
  }

  /**
   * PATCH: accepts Qdrant's updatable settings. quantization_config (an object, or "Disabled") re-encodes the sealed
   * segments' codes before answering; hnsw_config.payload_m (only that key of hnsw_config) changes payload_m of
   * every vector field: 0 drops the payload links before answering, other values have the optimizer build links for
   * the segments already sealed, in the background (status "yellow" until done); optimizers_config is stored and
   * echoed (deleted_threshold and max_segment_size stay as created).
   */
  JsonNode update(Call req) throws Exception {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "vectors", "optimizers_config", "params", "hnsw_config", "quantization_config",
        "sparse_vectors", "strict_mode_config", "metadata");
    for (String k : List.of("vectors", "params", "sparse_vectors")) {
      if (Json.present(body.get(k)) && !body.get(k).isEmpty()) {
        throw ApiError.unsupported("body." + k + ": changing it on an existing collection is not supported");
      }
    }
    Integer payloadM = null;
    if (Json.present(body.get("hnsw_config"))) {
      ObjectNode hnsw = Json.object(body.get("hnsw_config"), "body.hnsw_config");
      for (var it = hnsw.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("payload_m") && Json.present(hnsw.get(f))) {
          throw ApiError.badRequest("body.hnsw_config." + f + ": changing it on an existing collection is not "
              + "supported (only payload_m is)");
        }
      }
      if (Json.present(hnsw.get("payload_m"))) {
        payloadM = Json.intField(hnsw, "payload_m", "body.hnsw_config", 0, 0);
        if (payloadM > 512) {
          throw ApiError.badRequest("body.hnsw_config.payload_m: must be at most 512, got " + payloadM);
        }
      }
    }
    JsonNode qc = body.get("quantization_config");
    boolean disable = qc != null && qc.isTextual() && qc.asText().equals("Disabled");
    QuantizationConfig quantization = null;
    if (Json.present(qc) && !disable) {
      quantization = CollectionConfigJson.quantization(qc, "body.quantization_config");
      if (c.config().vectors().values().stream().anyMatch(v -> v.metric() == Metric.L1)) {
        throw ApiError.badRequest("body.quantization_config: quantization supports Euclid, Dot and Cosine vectors,"
            + " not Manhattan");
      }
    }
    if (Json.present(qc)) {
      c.updateQuantization(quantization);
    }
    if (payloadM != null) {
      c.updateHnswPayloadM(payloadM);
    }
    if (Json.present(body.get("optimizers_config"))) {
      ObjectNode given = Json.object(body.get("optimizers_config"), "body.optimizers_config");
      ObjectNode stored = storedSettings.computeIfAbsent(c.name(), k -> ep.json.createObjectNode());
      synchronized (stored) {
        if (stored.get("optimizers_config") instanceof ObjectNode old) {
          old.setAll(given);
        } else {
          stored.set("optimizers_config", given);
        }
      }
      saveSettings();
    }
    return Json.NODES.booleanNode(true);
  }

  /** PUT /collections/{name}/index. */
  JsonNode createIndex(Call req) throws Exception {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "field_name", "field_schema", "field_type");
    String field = Json.stringField(body, "field_name", "body", null);
    if (field == null) {
      throw ApiError.badRequest("body.field_name: required");
    }
    JsonNode schema = Json.present(body.get("field_schema")) ? body.get("field_schema") : body.get("field_type");
    String type;
    boolean isTenant = false;
    if (schema != null && schema.isObject() && "text".equals(schema.path("type").asText(null))) {
      String path = Json.present(body.get("field_schema")) ? "body.field_schema" : "body.field_type";
      TextIndexParams params;
      try {
        params = TextIndexParamsJson.parse(schema, path);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(e.getMessage());
      }
      c.createPayloadIndex(field, params);
      return ep.updateResult();
    }
    if (schema != null && schema.isTextual()) {
      type = schema.textValue();
    } else if (schema != null && schema.isObject() && schema.path("type").isTextual()) {
      type = schema.get("type").textValue();
      isTenant = Json.boolField(schema, "is_tenant", "body.field_schema", false);
    } else {
      throw ApiError.badRequest("body.field_schema: expected a type name or {type: ...}");
    }
    FieldSchema parsed = FieldSchema.parse(type);
    if (isTenant && parsed != FieldSchema.KEYWORD && parsed != FieldSchema.INTEGER) {
      throw ApiError.badRequest("body.field_schema.is_tenant: only keyword and integer indexes can be tenant fields");
    }
    c.createPayloadIndex(field, parsed, isTenant);
    return ep.updateResult();
  }

  /** DELETE /collections/{name}/index/{field}. */
  /**
   * PUT /collections/{name}/vectors/{vector}: Qdrant's create named vector. A sparse one
   * ({@code {"sparse": {"modifier": ...}}}) is declared at once; adding a dense field to a collection that holds points
   * is not supported.
   */
  JsonNode createVector(Call req) throws Exception {
    Collection c = ep.collection(req);
    String vector = req.pathParam("vector");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "dense", "sparse");
    if (Json.present(body.get("dense"))) {
      throw ApiError.unsupported("body.dense: adding a dense vector to an existing collection is not supported");
    }
    if (!Json.present(body.get("sparse"))) {
      throw ApiError.badRequest("body: expected {\"sparse\": {\"modifier\": \"none\" | \"idf\"}} or {\"dense\": ...}");
    }
    c.createSparseVector(vector, SparseJson.nameConfig(body.get("sparse"), "body.sparse"));
    return ep.updateResult();
  }

  JsonNode deleteIndex(Call req) throws Exception {
    ep.collection(req).deletePayloadIndex(req.pathParam("field"));
    return ep.updateResult();
  }
}
