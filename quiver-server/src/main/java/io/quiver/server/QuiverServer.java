package io.quiver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.ConfigCodec;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParseException;
import io.quiver.filter.PointId;
import io.quiver.filter.index.FieldSchema;
import io.quiver.index.hnsw.HnswConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves an open {@link Quiver} over the Qdrant REST API (v1.x shapes) on Helidon SE's web server, whose handlers run
 * on virtual threads. Answers use Qdrant's envelope {@code {"result":..., "status":"ok", "time":s}}; errors
 * {@code {"status":{"error":msg}, "time":s}} with 400/404/409/413/500. Closing stops the server, not the database.
 */
public final class QuiverServer implements AutoCloseable {
  /** The Qdrant API version reported at {@code GET /}. */
  public static final String QDRANT_VERSION = "1.19.0";
  public static final long DEFAULT_MAX_BODY_BYTES = ServerConfig.DEFAULT_MAX_REQUEST_BYTES;
  private static final System.Logger LOG = System.getLogger(QuiverServer.class.getName());

  private final Quiver db;
  private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final ServerConfig config;
  private final long maxBodyBytes;
  /** Runs read requests that have a deadline, so the handler thread can give up waiting and answer 408. */
  private final java.util.concurrent.ExecutorService deadlineExecutor =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong operationIds = new AtomicLong();
  /**
   * Qdrant settings accepted and echoed back but not acted on yet (optimizers_config, quantization_config,
   * wal_config), by collection; kept in {@code server-settings.json} beside the database's collections.
   */
  private final Map<String, ObjectNode> storedSettings = new ConcurrentHashMap<>();
  private final java.nio.file.Path settingsFile;
  private final WebServer server;
  private final ServerMetrics metrics;

  private QuiverServer(Quiver db, ServerConfig config) {
    this.db = Objects.requireNonNull(db, "db");
    this.config = Objects.requireNonNull(config, "config");
    this.maxBodyBytes = config.maxRequestBytes();
    this.settingsFile = db.directory().resolve("server-settings.json");
    loadSettings();
    this.metrics = new ServerMetrics(db);
    var builder = WebServer.builder()
        .host(config.host())
        .port(config.port())
        .shutdownHook(false) // the owner closes us (quiver serve: server first, then the database)
        .routing(r -> {
          // log and measure first, so refused requests (401, 403, 429) are counted too
          r.addFilter(new RequestLog(config.requestLogLevel())).addFilter(metrics).addFilter(new AccessFilter(config));
          routes(r);
        });
    if (config.tls() != null) {
      builder.tls(TlsSetup.tls(config.tls()));
    }
    this.server = builder.build().start();
  }

  private void loadSettings() {
    if (!java.nio.file.Files.exists(settingsFile)) {
      return;
    }
    try {
      JsonNode root = json.readTree(settingsFile.toFile());
      root.properties().forEach(e -> {
        if (e.getValue() instanceof ObjectNode o && db.exists(e.getKey())) {
          storedSettings.put(e.getKey(), o);
        }
      });
    } catch (java.io.IOException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + settingsFile + ": " + e.getMessage());
    }
  }

  private synchronized void saveSettings() throws java.io.IOException {
    ObjectNode root = json.createObjectNode();
    new java.util.TreeMap<>(storedSettings).forEach((k, v) -> {
      if (db.exists(k)) {
        root.set(k, v);
      }
    });
    io.quiver.storage.AtomicFiles.write(settingsFile, json.writeValueAsBytes(root));
  }

  /** Starts serving {@code db} on {@code host:port} (port 0: an ephemeral port, see {@link #port()}). */
  public static QuiverServer start(Quiver db, String host, int port) {
    return start(db, ServerConfig.builder().host(host).port(port).build());
  }

  public static QuiverServer start(Quiver db, String host, int port, long maxBodyBytes) {
    return start(db, ServerConfig.builder().host(host).port(port).maxRequestBytes(maxBodyBytes).build());
  }

  /** Starts serving {@code db} as {@code config} says (its {@code dataDir} is not used: {@code db} is open). */
  public static QuiverServer start(Quiver db, ServerConfig config) {
    return new QuiverServer(db, config);
  }

  public ServerConfig config() {
    return config;
  }

  /** The port the server listens on. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
    deadlineExecutor.shutdownNow();
    metrics.close();
  }

  // ------------------------------------------------------------------ routing

  /** An endpoint: computes the {@code result} of the envelope (or throws). */
  @FunctionalInterface
  private interface Endpoint {
    JsonNode handle(ServerRequest req) throws Exception;
  }

  private void routes(HttpRouting.Builder r) {
    r.get("/metrics", metrics::handle);
    r.get("/", wrap(req -> {
      ObjectNode o = json.createObjectNode();
      o.put("title", "quiver - vector search engine");
      o.put("version", QDRANT_VERSION);
      return o;
    }, false));
    for (String probe : List.of("/healthz", "/livez", "/readyz")) {
      r.get(probe, (req, res) -> {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("healthz check passed");
      });
    }
    r.get("/collections", wrap(this::listCollections));
    r.get("/collections/{name}/exists", wrap(req -> {
      ObjectNode o = json.createObjectNode();
      o.put("exists", db.exists(name(req)));
      return o;
    }));
    r.put("/collections/{name}", wrap(this::createCollection));
    r.get("/collections/{name}", wrap(this::collectionInfo));
    r.delete("/collections/{name}", wrap(req -> {
      boolean deleted = db.deleteCollection(name(req));
      if (deleted && storedSettings.remove(name(req)) != null) {
        saveSettings();
      }
      return json.getNodeFactory().booleanNode(deleted);
    }));
    r.patch("/collections/{name}", wrap(this::updateCollection));
    r.get("/aliases", wrap(req -> aliases(null)));
    r.get("/collections/{name}/aliases", wrap(req -> aliases(collection(req).name())));
    r.post("/collections/aliases", wrap(this::updateAliases));
    r.put("/collections/{name}/index", wrap(waitAware(this::createIndex)));
    r.delete("/collections/{name}/index/{field}", wrap(waitAware(req -> {
      collection(req).deletePayloadIndex(req.path().pathParameters().get("field"));
      return updateResult();
    })));
    r.put("/collections/{name}/points", wrap(waitAware(this::upsert)));
    r.post("/collections/{name}/points", wrap(this::retrieve));
    r.post("/collections/{name}/points/delete", wrap(waitAware(this::deletePoints)));
    r.post("/collections/{name}/points/batch", wrap(waitAware(this::batchUpdate)));
    r.put("/collections/{name}/points/vectors", wrap(waitAware(this::updateVectors)));
    r.post("/collections/{name}/points/payload", wrap(waitAware(req -> payloadOp(req, "set"))));
    r.put("/collections/{name}/points/payload", wrap(waitAware(req -> payloadOp(req, "overwrite"))));
    r.post("/collections/{name}/points/payload/delete", wrap(waitAware(req -> payloadOp(req, "delete"))));
    r.post("/collections/{name}/points/payload/clear", wrap(waitAware(this::clearPayload)));
    r.post("/collections/{name}/points/search", wrap(this::search));
    r.post("/collections/{name}/points/query", wrap(this::query));
    r.post("/collections/{name}/points/search/batch", wrap(this::searchBatch));
    r.post("/collections/{name}/points/query/batch", wrap(this::queryBatch));
    r.post("/collections/{name}/points/scroll", wrap(this::scroll));
    // Quiver-only: a search with the planner's account of each segment (strategy, estimate, fallback, cost)
    r.post("/quiver/collections/{name}/points/explain", wrap(this::explain));
    r.post("/collections/{name}/points/count", wrap(this::count));
    r.get("/collections/{name}/points/{id}", wrap(this::getPoint));
    SnapshotEndpoints snapshots = new SnapshotEndpoints(db, json, config.maxSnapshotUploadBytes());
    r.post("/collections/{name}/snapshots", wrap(snapshots::create));
    r.get("/collections/{name}/snapshots", wrap(snapshots::list));
    r.put("/collections/{name}/snapshots/recover", wrap(req -> snapshots.recover(req, body(req))));
    r.post("/collections/{name}/snapshots/upload", wrap(snapshots::upload));
    r.get("/collections/{name}/snapshots/{snapshot}", (req, res) -> downloadSnapshot(snapshots, req, res));
    r.delete("/collections/{name}/snapshots/{snapshot}", wrap(snapshots::delete));
    r.any((req, res) -> sendError(res, 404, "Not found: " + req.prologue().method().text() + " "
        + req.path().path() + " is not an endpoint", System.nanoTime()));
  }

  /** Streams a snapshot file; errors (bad name, missing) in the usual JSON envelope. */
  private void downloadSnapshot(SnapshotEndpoints snapshots, ServerRequest req, ServerResponse res)
      throws java.io.IOException {
    long start = System.nanoTime();
    java.nio.file.Path file;
    try {
      file = snapshots.file(req);
    } catch (ApiError err) {
      sendError(res, err.status, err.status == 400 ? "Bad request: " + err.getMessage() : err.getMessage(), start);
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
    res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + file.getFileName() + "\"");
    res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(java.nio.file.Files.size(file)));
    try (java.io.OutputStream out = res.outputStream()) {
      java.nio.file.Files.copy(file, out);
    }
  }

  /**
   * Point and index updates apply synchronously, but like Qdrant they report {@code "acknowledged"} unless the request
   * asked for {@code ?wait=true} (Qdrant's default is wait=false).
   */
  private static Endpoint waitAware(Endpoint e) {
    return req -> {
      JsonNode result = e.handle(req);
      boolean wait = req.query().contains("wait") && "true".equalsIgnoreCase(req.query().get("wait"));
      if (!wait) {
        for (JsonNode r : result.isArray() ? result : List.of(result)) {
          if (r instanceof ObjectNode o && o.has("operation_id")) {
            o.put("status", "acknowledged");
          }
        }
      }
      return result;
    };
  }

  private io.helidon.webserver.http.Handler wrap(Endpoint e) {
    return wrap(e, true);
  }

  private io.helidon.webserver.http.Handler wrap(Endpoint e, boolean envelope) {
    return (req, res) -> {
      long start = System.nanoTime();
      JsonNode result;
      try {
        result = runWithDeadline(e, req);
      } catch (ApiError err) {
        String m = err.getMessage();
        if (err.status == 400 && !m.startsWith("Bad request") && !m.startsWith("Wrong input")
            && !m.startsWith("Json deserialize error")) {
          m = "Bad request: " + m;
        }
        sendError(res, err.status, m, start);
        return;
      } catch (FilterParseException err) {
        sendError(res, 400, "Bad request: " + err.getMessage(), start);
        return;
      } catch (QuiverException.InvalidInput | IllegalArgumentException err) {
        sendError(res, 400, "Bad request: " + err.getMessage(), start);
        return;
      } catch (QuiverException.NotFound err) {
        sendError(res, 404, "Not found: " + err.getMessage(), start);
        return;
      } catch (QuiverException.AlreadyExists err) {
        sendError(res, 409, "Conflict: " + err.getMessage(), start);
        return;
      } catch (QuiverException.Storage err) {
        LOG.log(System.Logger.Level.ERROR, "storage error on " + req.path().path(), err);
        sendError(res, 500, "Service internal error: " + err.getMessage(), start);
        return;
      } catch (Exception err) {
        LOG.log(System.Logger.Level.ERROR, "unexpected error on " + req.path().path(), err);
        sendError(res, 500, "Service internal error: the request failed unexpectedly", start);
        return;
      }
      ObjectNode body;
      if (envelope) {
        body = json.createObjectNode();
        body.set("result", result);
        body.put("status", "ok");
        body.put("time", seconds(start));
      } else {
        body = (ObjectNode) result;
      }
      send(res, 200, body);
    };
  }

  /**
   * Runs a read endpoint under the request timeout ({@code ?timeout=s} or {@code service.request_timeout_sec}); 408
   * when it takes longer. Writes always run to completion: answering before a write is applied would leave the
   * client unsure whether it happened.
   */
  private JsonNode runWithDeadline(Endpoint e, ServerRequest req) throws Exception {
    java.time.Duration timeout = config.requestTimeout();
    if (req.query().contains("timeout")) {
      String t = req.query().get("timeout");
      try {
        long seconds = Long.parseLong(t);
        if (seconds <= 0) {
          throw new NumberFormatException();
        }
        timeout = java.time.Duration.ofSeconds(seconds);
      } catch (NumberFormatException ex) {
        throw ApiError.badRequest("timeout: expected a positive whole number of seconds, got '" + t + "'");
      }
    }
    if (timeout.isZero() || !AccessFilter.isRead(req.prologue().method(), req.path().path())) {
      return e.handle(req);
    }
    body(req); // read the body on the connection's thread; the endpoint gets the parsed copy
    var future = deadlineExecutor.submit(() -> e.handle(req));
    try {
      return future.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException ex) {
      future.cancel(true);
      throw new ApiError(408, "Timeout error: the request did not finish within " + timeout.toMillis() / 1000.0
          + " s");
    } catch (java.util.concurrent.ExecutionException ex) {
      throw ex.getCause() instanceof Exception cause ? cause : new IllegalStateException(ex.getCause());
    }
  }

  /** The parsed request body, kept in the request context so it is read once. */
  private record ParsedBody(ObjectNode node) {}

  private void sendError(ServerResponse res, int status, String message, long start) {
    ObjectNode body = json.createObjectNode();
    body.putObject("status").put("error", message);
    body.put("time", seconds(start));
    send(res, status, body);
  }

  private void send(ServerResponse res, int status, JsonNode body) {
    try {
      res.status(status);
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The request body as a JSON object ({} when empty); 400 when it is not JSON, 413 when too large. */
  private ObjectNode body(ServerRequest req) {
    var cached = req.context().get(ParsedBody.class);
    if (cached.isPresent()) {
      return cached.get().node();
    }
    ObjectNode node = readBody(req);
    req.context().register(new ParsedBody(node));
    return node;
  }

  private ObjectNode readBody(ServerRequest req) {
    if (req.headers().contentLength().orElse(0) > maxBodyBytes) {
      throw new ApiError(413, "Payload too large: the request body exceeds " + maxBodyBytes + " bytes");
    }
    if (!req.content().hasEntity()) {
      return json.createObjectNode();
    }
    byte[] bytes;
    try (java.io.InputStream in = req.content().inputStream()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
    } catch (java.io.IOException | RuntimeException e) {
      throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
    }
    if (bytes.length > maxBodyBytes) {
      throw new ApiError(413, "Payload too large: the request body exceeds " + maxBodyBytes + " bytes");
    }
    if (bytes.length == 0) {
      return json.createObjectNode();
    }
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("Json deserialize error: " + firstLine(e.getMessage()));
    }
    if (node == null || node.isMissingNode()) {
      return json.createObjectNode();
    }
    if (!node.isObject()) {
      throw ApiError.badRequest("Json deserialize error: the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "malformed JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String name(ServerRequest req) {
    return req.path().pathParameters().get("name");
  }

  private Collection collection(ServerRequest req) {
    String name = name(req);
    if (!db.exists(name)) {
      throw new ApiError(404, "Not found: Collection `" + name + "` doesn't exist!");
    }
    return db.collection(name);
  }

  private ObjectNode updateResult() {
    ObjectNode o = json.createObjectNode();
    o.put("operation_id", operationIds.incrementAndGet());
    o.put("status", "completed");
    return o;
  }

  // ------------------------------------------------------------------ collections

  private JsonNode listCollections(ServerRequest req) {
    ObjectNode o = json.createObjectNode();
    ArrayNode list = o.putArray("collections");
    for (String n : db.collectionNames()) {
      list.addObject().put("name", n);
    }
    return o;
  }

  private JsonNode createCollection(ServerRequest req) throws Exception {
    String name = name(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "vectors", "shard_number", "sharding_method", "replication_factor",
        "write_consistency_factor", "on_disk_payload", "hnsw_config", "wal_config", "optimizers_config",
        "init_from", "quantization_config", "sparse_vectors", "strict_mode_config", "metadata", "payload");
    if (db.exists(name)) {
      throw new ApiError(409, "Wrong input: Collection `" + name + "` already exists!");
    }
    Json.object(body.get("payload"), "body.payload");
    if (Json.present(body.get("sparse_vectors")) && !body.get("sparse_vectors").isEmpty()) {
      throw ApiError.badRequest("body.sparse_vectors: sparse vectors are not supported");
    }
    if (Json.present(body.get("init_from"))) {
      throw ApiError.badRequest("body.init_from: not supported");
    }
    ObjectNode defaultHnsw = Json.object(body.get("hnsw_config"), "body.hnsw_config");
    JsonNode vectors = body.get("vectors");
    if (!Json.present(vectors) || !vectors.isObject()) {
      throw ApiError.badRequest("body.vectors: required, {size, distance} or an object of named vector params");
    }
    CollectionConfig.Builder b = CollectionConfig.builder();
    if (vectors.has("size") || vectors.has("distance")) {
      b.vector(vectorParams(vectors, "body.vectors", defaultHnsw));
    } else {
      if (vectors.isEmpty()) {
        throw ApiError.badRequest("body.vectors: at least one vector is required");
      }
      for (var e : vectors.properties()) {
        b.vector(e.getKey(), vectorParams(e.getValue(), "body.vectors." + e.getKey(), defaultHnsw));
      }
    }
    applyOptimizers(b, Json.object(body.get("optimizers_config"), "body.optimizers_config"));
    if (Json.present(body.get("quantization_config"))) {
      b.quantization(quantization(body.get("quantization_config"), "body.quantization_config"));
    }
    CollectionConfig config = b.build();
    db.createCollection(name, config);
    ObjectNode stored = json.createObjectNode();
    for (String k : List.of("optimizers_config", "quantization_config", "wal_config")) {
      if (Json.present(body.get(k))) {
        stored.set(k, body.get(k));
      }
    }
    storedSettings.put(name, stored);
    saveSettings();
    return json.getNodeFactory().booleanNode(true);
  }

  /**
   * The optimizer settings Quiver acts on: {@code deleted_threshold} is the vacuum ratio and
   * {@code max_segment_size} (KiB of vectors, as in Qdrant) sets how many points a segment holds before it is
   * sealed. The others are stored and echoed only.
   */
  private static void applyOptimizers(CollectionConfig.Builder b, ObjectNode opt) {
    Double deleted = opt.hasNonNull("deleted_threshold") ? opt.get("deleted_threshold").asDouble(Double.NaN) : null;
    if (deleted != null) {
      if (!(deleted > 0 && deleted <= 1)) {
        throw ApiError.badRequest("body.optimizers_config.deleted_threshold: expected a number in (0, 1]");
      }
      b.vacuumRatio(deleted);
    }
    if (opt.hasNonNull("max_segment_size")) {
      long kib = Json.intField(opt, "max_segment_size", "body.optimizers_config", 0, 1);
      long bytesPerPoint = b.build().vectors().values().stream().mapToLong(v -> 4L * v.size()).sum();
      b.sealThreshold((int) Math.max(1_000, Math.min(Integer.MAX_VALUE, kib * 1024 / bytesPerPoint)));
    }
  }

  /**
   * Qdrant's {@code quantization_config}: {@code {"scalar": {"type": "int8", "quantile": q, "always_ram": b}}},
   * {@code {"product": {"compression": "x16", "always_ram": b}}} or {@code {"binary": {"always_ram": b}}}; Quiver
   * also takes {@code {"float16": {}}}. Codes are always kept in RAM.
   */
  static io.quiver.collection.QuantizationConfig quantization(JsonNode n, String path) {
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
          yield io.quiver.collection.QuantizationConfig.int8(q == null ? 1f : q);
        }
        case "product" -> {
          Json.onlyFields(p, at, "compression", "always_ram");
          String c = Json.stringField(p, "compression", at, null);
          if (c == null || !c.matches("x(4|8|16|32|64)")) {
            throw ApiError.badRequest(at + ".compression: expected x4, x8, x16, x32 or x64, got " + c);
          }
          yield io.quiver.collection.QuantizationConfig.product(Integer.parseInt(c.substring(1)));
        }
        case "binary" -> {
          Json.onlyFields(p, at, "always_ram", "encoding", "query_encoding");
          yield io.quiver.collection.QuantizationConfig.binary();
        }
        default -> {
          Json.onlyFields(p, at);
          yield io.quiver.collection.QuantizationConfig.float16();
        }
      };
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(at + ": " + e.getMessage());
    }
  }

  private static VectorParams vectorParams(JsonNode n, String path, ObjectNode defaultHnsw) {
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
    if (Json.present(n.get("multivector_config"))) {
      throw ApiError.badRequest(path + ".multivector_config: multivectors are not supported");
    }
    HnswConfig.Builder h = HnswConfig.builder();
    applyHnsw(h, defaultHnsw, "body.hnsw_config");
    applyHnsw(h, Json.object(n.get("hnsw_config"), path + ".hnsw_config"), path + ".hnsw_config");
    return new VectorParams(size, metric, h.build(), Json.boolField(n, "on_disk", path, false));
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

  private JsonNode collectionInfo(ServerRequest req) {
    Collection c = collection(req);
    CollectionInfo info = c.info();
    CollectionConfig config = info.config();
    ObjectNode o = json.createObjectNode();
    o.put("status", info.status());
    o.put("optimizer_status", "ok");
    o.put("indexed_vectors_count", info.indexedPoints());
    o.put("points_count", info.points());
    o.put("segments_count", info.segments());
    ObjectNode cfg = o.putObject("config");
    ObjectNode params = cfg.putObject("params");
    VectorParams first = config.vectors().values().iterator().next();
    if (config.vectors().containsKey(CollectionConfig.DEFAULT_VECTOR)) {
      params.set("vectors", vectorParamsJson(first));
    } else {
      ObjectNode named = params.putObject("vectors");
      config.vectors().forEach((k, v) -> named.set(k, vectorParamsJson(v)));
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
    hnsw.put("on_disk", first.onDisk());
    ObjectNode stored = storedSettings.getOrDefault(c.name(), json.createObjectNode());
    ObjectNode optimizer = cfg.putObject("optimizer_config");
    optimizer.put("deleted_threshold", config.vacuumRatio());
    optimizer.put("vacuum_min_vector_number", 1000);
    optimizer.put("default_segment_number", 0);
    long bytesPerPoint = config.vectors().values().stream().mapToLong(v -> 4L * v.size()).sum();
    optimizer.put("max_segment_size", config.sealThreshold() * bytesPerPoint / 1024);
    optimizer.putNull("memmap_threshold");
    optimizer.put("indexing_threshold", 10_000);
    optimizer.put("flush_interval_sec", 5);
    optimizer.putNull("max_optimization_threads");
    if (stored.get("optimizers_config") instanceof ObjectNode given) {
      optimizer.setAll(given);
    }
    ObjectNode wal = cfg.putObject("wal_config");
    wal.put("wal_capacity_mb", 32);
    wal.put("wal_segments_ahead", 0);
    cfg.set("quantization_config", stored.has("quantization_config") ? stored.get("quantization_config")
        : json.getNodeFactory().nullNode());
    ObjectNode schema = o.putObject("payload_schema");
    config.payloadSchema().forEach((k, v) -> {
      ObjectNode s = schema.putObject(k);
      s.put("data_type", v.qdrantName());
      if (config.tenantFields().contains(k)) {
        s.putObject("params").put("type", v.qdrantName()).put("is_tenant", true);
      }
      s.put("points", info.points());
    });
    return o;
  }

  private ObjectNode vectorParamsJson(VectorParams v) {
    ObjectNode n = json.createObjectNode();
    n.put("size", v.size());
    n.put("distance", ConfigCodec.distanceName(v.metric()));
    ObjectNode h = n.putObject("hnsw_config");
    h.put("m", v.hnsw().m());
    h.put("ef_construct", v.hnsw().efConstruction());
    h.put("payload_m", v.hnsw().payloadM());
    n.put("on_disk", v.onDisk());
    return n;
  }

  /**
   * PATCH: accepts Qdrant's updatable settings. quantization_config (an object, or "Disabled") re-encodes the sealed
   * segments' codes before answering; hnsw_config.payload_m (only that key of hnsw_config) changes payload_m of
   * every vector field: 0 drops the payload links before answering, other values have the optimizer build links for
   * the segments already sealed, in the background (status "yellow" until done); optimizers_config is stored and
   * echoed.
   */
  private JsonNode updateCollection(ServerRequest req) throws Exception {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "vectors", "optimizers_config", "params", "hnsw_config", "quantization_config",
        "sparse_vectors", "strict_mode_config", "metadata");
    for (String k : List.of("vectors", "params", "sparse_vectors")) {
      if (Json.present(body.get(k)) && !body.get(k).isEmpty()) {
        throw ApiError.badRequest("body." + k + ": changing it on an existing collection is not supported");
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
    io.quiver.collection.QuantizationConfig quantization = null;
    if (Json.present(qc) && !disable) {
      quantization = quantization(qc, "body.quantization_config");
      if (c.config().vectors().values().stream().anyMatch(v -> v.metric() == io.quiver.distance.Metric.L1)) {
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
    ObjectNode stored = storedSettings.computeIfAbsent(c.name(), k -> json.createObjectNode());
    synchronized (stored) {
      if (disable) {
        stored.remove("quantization_config");
      }
      for (String k : List.of("optimizers_config", "quantization_config")) {
        if (Json.present(body.get(k)) && !(disable && k.equals("quantization_config"))) {
          Json.object(body.get(k), "body." + k);
          if (stored.get(k) instanceof ObjectNode old && k.equals("optimizers_config")) {
            old.setAll((ObjectNode) body.get(k));
          } else {
            stored.set(k, body.get(k));
          }
        }
      }
    }
    saveSettings();
    return json.getNodeFactory().booleanNode(true);
  }

  private JsonNode aliases(String collection) {
    ObjectNode o = json.createObjectNode();
    ArrayNode list = o.putArray("aliases");
    new java.util.TreeMap<>(db.aliases()).forEach((alias, target) -> {
      if (collection == null || collection.equals(target)) {
        list.addObject().put("alias_name", alias).put("collection_name", target);
      }
    });
    return o;
  }

  private JsonNode updateAliases(ServerRequest req) throws Exception {
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "actions");
    JsonNode actions = body.get("actions");
    if (actions == null || !actions.isArray()) {
      throw ApiError.badRequest("body.actions: expected an array of alias actions");
    }
    // Validate every action before applying any.
    List<String[]> plan = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      String path = "body.actions[" + i + "]";
      JsonNode a = Json.object(actions.get(i), path);
      if (a.size() != 1) {
        throw ApiError.badRequest(path + ": expected one of create_alias, delete_alias, rename_alias");
      }
      String kind = a.fieldNames().next();
      ObjectNode args = Json.object(a.get(kind), path + "." + kind);
      String p = path + "." + kind;
      switch (kind) {
        case "create_alias" -> {
          Json.onlyFields(args, p, "collection_name", "alias_name");
          plan.add(new String[] {"create", required(args, "alias_name", p), required(args, "collection_name", p)});
        }
        case "delete_alias" -> {
          Json.onlyFields(args, p, "alias_name");
          plan.add(new String[] {"delete", required(args, "alias_name", p)});
        }
        case "rename_alias" -> {
          Json.onlyFields(args, p, "old_alias_name", "new_alias_name");
          plan.add(new String[] {"rename", required(args, "old_alias_name", p), required(args, "new_alias_name", p)});
        }
        default -> throw ApiError.badRequest(path + ": unknown action `" + kind + "`");
      }
    }
    synchronized (this) {
      for (String[] step : plan) {
        switch (step[0]) {
          case "create" -> db.createAlias(step[1], step[2]);
          case "delete" -> {
            if (!db.deleteAlias(step[1])) {
              throw new ApiError(404, "Not found: Alias " + step[1] + " does not exist!");
            }
          }
          default -> {
            String target = db.aliases().get(step[1]);
            if (target == null) {
              throw new ApiError(404, "Not found: Alias " + step[1] + " does not exist!");
            }
            db.createAlias(step[2], target);
            db.deleteAlias(step[1]);
          }
        }
      }
    }
    return json.getNodeFactory().booleanNode(true);
  }

  private static String required(JsonNode n, String field, String path) {
    String v = Json.stringField(n, field, path, null);
    if (v == null) {
      throw ApiError.badRequest(path + "." + field + ": required");
    }
    return v;
  }

  private JsonNode createIndex(ServerRequest req) throws Exception {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "field_name", "field_schema", "field_type");
    String field = Json.stringField(body, "field_name", "body", null);
    if (field == null) {
      throw ApiError.badRequest("body.field_name: required");
    }
    JsonNode schema = Json.present(body.get("field_schema")) ? body.get("field_schema") : body.get("field_type");
    String type;
    boolean isTenant = false;
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
    return updateResult();
  }

  // ------------------------------------------------------------------ points

  private JsonNode upsert(ServerRequest req) {
    return upsert(collection(req), body(req));
  }

  private JsonNode upsert(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "batch", "shard_key", "update_filter", "update_mode");
    String mode = Json.stringField(body, "update_mode", "body", "upsert");
    if (!mode.equals("upsert") && !mode.equals("insert_only") && !mode.equals("update_only")) {
      throw ApiError.badRequest("body.update_mode: unknown variant `" + mode
          + "`, expected one of `upsert`, `insert_only`, `update_only`");
    }
    List<Point> points = new ArrayList<>();
    if (Json.present(body.get("points"))) {
      JsonNode list = body.get("points");
      if (!list.isArray()) {
        throw ApiError.badRequest("body.points: expected an array of points");
      }
      checkBatchSize(list.size(), "body.points");
      for (int i = 0; i < list.size(); i++) {
        String path = "body.points[" + i + "]";
        JsonNode p = Json.object(list.get(i), path);
        Json.onlyFields(p, path, "id", "vector", "payload");
        PointId id = Json.pointId(p.get("id"), path + ".id");
        points.add(new Point(id, Json.vectors(p.get("vector"), path + ".vector"),
            Json.payload(p.get("payload"), path + ".payload")));
      }
    } else if (Json.present(body.get("batch"))) {
      ObjectNode batch = Json.object(body.get("batch"), "body.batch");
      Json.onlyFields(batch, "body.batch", "ids", "vectors", "payloads");
      List<PointId> ids = Json.pointIds(batch.get("ids"), "body.batch.ids");
      checkBatchSize(ids.size(), "body.batch.ids");
      JsonNode vectors = batch.get("vectors");
      List<Map<String, float[]>> vs = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        vs.add(new java.util.LinkedHashMap<>());
      }
      if (vectors != null && vectors.isArray()) {
        checkBatchLength(vectors, ids.size(), "body.batch.vectors");
        for (int i = 0; i < ids.size(); i++) {
          vs.get(i).put(CollectionConfig.DEFAULT_VECTOR, Json.vector(vectors.get(i), "body.batch.vectors[" + i + "]"));
        }
      } else if (vectors != null && vectors.isObject()) {
        for (var e : vectors.properties()) {
          String path = "body.batch.vectors." + e.getKey();
          checkBatchLength(e.getValue(), ids.size(), path);
          for (int i = 0; i < ids.size(); i++) {
            vs.get(i).put(e.getKey(), Json.vector(e.getValue().get(i), path + "[" + i + "]"));
          }
        }
      } else {
        throw ApiError.badRequest("body.batch.vectors: expected an array of vectors or an object of named lists");
      }
      JsonNode payloads = batch.get("payloads");
      if (Json.present(payloads)) {
        checkBatchLength(payloads, ids.size(), "body.batch.payloads");
      }
      for (int i = 0; i < ids.size(); i++) {
        ObjectNode payload = Json.present(payloads)
            ? Json.payload(payloads.get(i), "body.batch.payloads[" + i + "]") : null;
        points.add(new Point(ids.get(i), vs.get(i), payload));
      }
    } else {
      throw ApiError.badRequest("body: expected `points` or `batch`");
    }
    if (!mode.equals("upsert")) {
      // insert_only keeps only new points, update_only only existing ones (Qdrant's UpdateMode)
      boolean wantExisting = mode.equals("update_only");
      points.removeIf(p -> (c.get(p.id()) != null) != wantExisting);
    }
    c.upsert(points);
    return updateResult();
  }

  private JsonNode updateVectors(ServerRequest req) {
    return updateVectors(collection(req), body(req));
  }

  private JsonNode updateVectors(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "shard_key", "update_filter");
    JsonNode list = body.get("points");
    if (list == null || !list.isArray()) {
      throw ApiError.badRequest("body.points: expected an array of {id, vector}");
    }
    checkBatchSize(list.size(), "body.points");
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "body.points[" + i + "]";
      JsonNode p = Json.object(list.get(i), path);
      Json.onlyFields(p, path, "id", "vector");
      points.add(new Point(Json.pointId(p.get("id"), path + ".id"), Json.vectors(p.get("vector"), path + ".vector"),
          null));
    }
    c.updateVectors(points);
    return updateResult();
  }

  /** POST /points/batch: applies the update operations in order, one UpdateResult each (not atomic, as in Qdrant). */
  private JsonNode batchUpdate(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "operations");
    JsonNode ops = body.get("operations");
    if (ops == null || !ops.isArray()) {
      throw ApiError.badRequest("body.operations: expected an array of update operations");
    }
    checkBatchSize(ops.size(), "body.operations");
    // validate the shape of every operation before applying any of them
    List<Map.Entry<String, ObjectNode>> parsed = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      String path = "body.operations[" + i + "]";
      JsonNode op = Json.object(ops.get(i), path);
      if (op.size() != 1) {
        throw ApiError.badRequest(path + ": expected exactly one of upsert, delete, set_payload, overwrite_payload,"
            + " delete_payload, clear_payload, update_vectors, delete_vectors");
      }
      String kind = op.fieldNames().next();
      Json.onlyFields(op, path, "upsert", "delete", "set_payload", "overwrite_payload", "delete_payload",
          "clear_payload", "update_vectors", "delete_vectors");
      if (kind.equals("delete_vectors")) {
        throw ApiError.badRequest(path + ".delete_vectors: deleting named vectors is not supported");
      }
      ObjectNode args = Json.object(op.get(kind), path + "." + kind);
      parsed.add(Map.entry(kind, args));
    }
    ArrayNode results = json.createArrayNode();
    for (Map.Entry<String, ObjectNode> e : parsed) {
      ObjectNode args = e.getValue();
      results.add(switch (e.getKey()) {
        case "upsert" -> upsert(c, args);
        case "delete" -> deletePoints(c, args);
        case "set_payload" -> payloadOp(c, args, "set");
        case "overwrite_payload" -> payloadOp(c, args, "overwrite");
        case "delete_payload" -> payloadOp(c, args, "delete");
        case "clear_payload" -> clearPayload(c, args);
        case "update_vectors" -> updateVectors(c, args);
        default -> throw new IllegalStateException(e.getKey());
      });
    }
    return results;
  }

  /** 400 when one request carries more points, ids, operations or searches than {@code max_batch_size}. */
  private void checkBatchSize(int n, String path) {
    if (n > config.maxBatch()) {
      throw ApiError.badRequest(path + ": " + n + " entries exceed the server's max_batch_size of "
          + config.maxBatch() + "; split the request");
    }
  }

  /** 400 when {@code limit + offset} exceeds the server's {@code max_limit}. */
  private void checkWindow(long window, String path) {
    if (window > config.maxLimit()) {
      throw ApiError.badRequest(path + ".limit: limit + offset = " + window + " exceeds the server's max_limit of "
          + config.maxLimit());
    }
  }

  private static void checkBatchLength(JsonNode n, int expected, String path) {
    if (!n.isArray() || n.size() != expected) {
      throw ApiError.badRequest(path + ": expected an array of " + expected + " entries (one per id)");
    }
  }

  private JsonNode retrieve(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "ids", "with_payload", "with_vector", "shard_key");
    List<PointId> ids = Json.pointIds(body.get("ids"), "body.ids");
    checkBatchSize(ids.size(), "body.ids");
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), "body.with_payload", PayloadSelector.ALL);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), "body.with_vector", false);
    ArrayNode out = json.createArrayNode();
    for (PointRecord r : c.retrieve(ids, payload, vectors)) {
      out.add(recordJson(r, payload));
    }
    return out;
  }

  private JsonNode getPoint(ServerRequest req) {
    Collection c = collection(req);
    String raw = req.path().pathParameters().get("id");
    PointId id;
    try {
      id = PointId.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Bad request: " + e.getMessage());
    }
    PointRecord r = c.get(id);
    if (r == null) {
      throw new ApiError(404, "Not found: No point with id " + raw + " found");
    }
    return recordJson(r, PayloadSelector.ALL);
  }

  private ObjectNode recordJson(PointRecord r, PayloadSelector asked) {
    ObjectNode o = json.createObjectNode();
    o.set("id", Json.idJson(r.id()));
    o.set("payload", payloadJson(r.payload(), asked));
    o.set("vector", Json.vectorsJson(r.vectors()));
    return o;
  }

  /** {points: [ids]} or {filter: {...}}: ids, or a filter, exactly one of them. */
  private record Selector(List<PointId> ids, Filter filter) {}

  private Selector selector(ObjectNode body) {
    boolean hasIds = Json.present(body.get("points"));
    boolean hasFilter = Json.present(body.get("filter"));
    if (hasIds == hasFilter) {
      throw ApiError.badRequest("body: expected exactly one of `points` (ids) or `filter`");
    }
    if (hasIds) {
      List<PointId> ids = Json.pointIds(body.get("points"), "body.points");
      checkBatchSize(ids.size(), "body.points");
      return new Selector(ids, null);
    }
    return new Selector(null, Json.filter(body.get("filter")));
  }

  private JsonNode deletePoints(ServerRequest req) {
    return deletePoints(collection(req), body(req));
  }

  private JsonNode deletePoints(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "filter", "shard_key");
    Selector s = selector(body);
    if (s.ids() != null) {
      c.delete(s.ids());
    } else {
      c.delete(s.filter());
    }
    return updateResult();
  }

  private JsonNode payloadOp(ServerRequest req, String op) {
    return payloadOp(collection(req), body(req), op);
  }

  private JsonNode payloadOp(Collection c, ObjectNode body, String op) {
    if (op.equals("delete")) {
      Json.onlyFields(body, "body", "keys", "points", "filter", "shard_key");
      List<String> keys = Json.strings(body.get("keys"), "body.keys");
      Selector s = selector(body);
      if (s.ids() != null) {
        c.deletePayloadKeys(s.ids(), keys);
      } else {
        c.deletePayloadKeys(s.filter(), keys);
      }
      return updateResult();
    }
    Json.onlyFields(body, "body", "payload", "points", "filter", "shard_key", "key");
    if (Json.present(body.get("key"))) {
      throw ApiError.badRequest("body.key: setting a payload under a nested key is not supported");
    }
    ObjectNode payload = Json.payload(body.get("payload"), "body.payload");
    if (payload == null) {
      throw ApiError.badRequest("body.payload: required");
    }
    Selector s = selector(body);
    if (op.equals("set")) {
      if (s.ids() != null) {
        c.setPayload(s.ids(), payload);
      } else {
        c.setPayload(s.filter(), payload);
      }
    } else if (s.ids() != null) {
      c.overwritePayload(s.ids(), payload);
    } else {
      c.overwritePayload(s.filter(), payload);
    }
    return updateResult();
  }

  private JsonNode clearPayload(ServerRequest req) {
    return clearPayload(collection(req), body(req));
  }

  private JsonNode clearPayload(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "filter", "shard_key");
    Selector s = selector(body);
    if (s.ids() != null) {
      c.clearPayload(s.ids());
    } else {
      c.clearPayload(s.filter());
    }
    return updateResult();
  }

  // ------------------------------------------------------------------ search

  private JsonNode search(ServerRequest req) {
    return search(collection(req), body(req), "body");
  }

  private JsonNode searchBatch(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "searches");
    JsonNode searches = body.get("searches");
    if (searches == null || !searches.isArray()) {
      throw ApiError.badRequest("body.searches: expected an array of search requests");
    }
    checkBatchSize(searches.size(), "body.searches");
    ArrayNode out = json.createArrayNode();
    for (int i = 0; i < searches.size(); i++) {
      String path = "body.searches[" + i + "]";
      out.add(search(c, Json.object(searches.get(i), path), path));
    }
    return out;
  }

  private JsonNode queryBatch(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "searches");
    JsonNode searches = body.get("searches");
    if (searches == null || !searches.isArray()) {
      throw ApiError.badRequest("body.searches: expected an array of query requests");
    }
    checkBatchSize(searches.size(), "body.searches");
    ArrayNode out = json.createArrayNode();
    for (int i = 0; i < searches.size(); i++) {
      String path = "body.searches[" + i + "]";
      out.add(query(c, Json.object(searches.get(i), path), path));
    }
    return out;
  }

  private JsonNode search(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "vector", "filter", "params", "limit", "offset", "with_payload", "with_vector",
        "score_threshold", "shard_key");
    JsonNode v = body.get("vector");
    float[] vector;
    String using = CollectionConfig.DEFAULT_VECTOR;
    if (v != null && v.isObject()) {
      Json.onlyFields(v, path + ".vector", "name", "vector");
      using = Json.stringField(v, "name", path + ".vector", CollectionConfig.DEFAULT_VECTOR);
      vector = Json.vector(v.get("vector"), path + ".vector.vector");
    } else {
      vector = Json.vector(v, path + ".vector");
    }
    SearchRequest.Builder b = SearchRequest.builder(vector).using(vectorName(c, using));
    commonSearch(b, body, path);
    SearchRequest sr = b.build();
    ArrayNode out = json.createArrayNode();
    for (ScoredPoint p : c.search(sr)) {
      out.add(scoredJson(p, sr.payload()));
    }
    return out;
  }

  private JsonNode query(ServerRequest req) {
    return query(collection(req), body(req), "body");
  }

  private JsonNode query(Collection c, ObjectNode body, String path) {
    Json.onlyFields(body, path, "query", "using", "filter", "params", "limit", "offset", "with_payload",
        "with_vector", "score_threshold", "shard_key", "prefetch", "lookup_from");
    if (Json.present(body.get("lookup_from"))) {
      throw ApiError.badRequest(path + ".lookup_from: not supported yet");
    }
    if (HybridQuery.applies(body)) {
      HybridQuery.Page page = HybridQuery.run(c, body, path);
      ObjectNode result = json.createObjectNode();
      ArrayNode points = result.putArray("points");
      for (ScoredPoint p : page.points()) {
        points.add(scoredJson(p, page.payload()));
      }
      return result;
    }
    String using = vectorName(c, Json.stringField(body, "using", path, CollectionConfig.DEFAULT_VECTOR));
    JsonNode q = body.get("query");
    if (q != null && q.isObject()) {
      Json.onlyFields(q, path + ".query", "nearest");
      q = q.get("nearest");
    }
    ObjectNode result = json.createObjectNode();
    ArrayNode points = result.putArray("points");
    if (!Json.present(q)) {
      // No query: points in id order, as Qdrant's scroll-like query.
      int limit = Json.intField(body, "limit", path, 10, 1);
      int offset = Json.intField(body, "offset", path, 0, 0);
      checkWindow((long) limit + offset, path);
      PayloadSelector asked = Json.payloadSelector(body.get("with_payload"), path + ".with_payload", PayloadSelector.NONE);
      ScrollPage page = c.scroll(new ScrollRequest(Json.filter(body.get("filter")), null, offset + limit, asked,
          Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false), null));
      List<PointRecord> rs = page.points();
      for (int i = offset; i < rs.size(); i++) {
        ObjectNode o = recordJson(rs.get(i), asked);
        o.put("version", 0);
        o.put("score", 0.0);
        points.add(o);
      }
      return result;
    }
    float[] vector;
    PointId exclude = null;
    if (q.isArray()) {
      vector = Json.vector(q, path + ".query");
    } else {
      exclude = Json.pointId(q, path + ".query");
      PointId wanted = exclude;
      PointRecord r = c.retrieve(List.of(wanted), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
          .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + wanted + " found"));
      vector = r.vectors().get(using);
    }
    SearchRequest.Builder b = SearchRequest.builder(vector).using(using);
    commonSearch(b, body, path);
    SearchRequest sr = b.build();
    if (exclude != null) {
      // Qdrant leaves the query point out of its own neighbours: ask for one more and drop it.
      sr = new SearchRequest(sr.vector(), sr.using(), sr.offset() + sr.limit() + 1, 0, sr.filter(),
          sr.scoreThreshold(), sr.payload(), sr.withVectors(), sr.exact(), sr.ef());
      int skip = Json.intField(body, "offset", path, 0, 0);
      int limit = Json.intField(body, "limit", path, 10, 1);
      int seen = 0;
      for (ScoredPoint p : c.search(sr)) {
        if (p.id().equals(exclude)) {
          continue;
        }
        if (seen++ >= skip && points.size() < limit) {
          points.add(scoredJson(p, sr.payload()));
        }
      }
      return result;
    }
    for (ScoredPoint p : c.search(sr)) {
      points.add(scoredJson(p, sr.payload()));
    }
    return result;
  }

  /**
   * POST /quiver/collections/{name}/points/explain: {@code query} (a vector, or a point id), {@code using},
   * {@code filter}, {@code params}, {@code limit}, {@code offset}, {@code score_threshold}, {@code with_payload},
   * {@code with_vector}, and {@code strategy} (auto, exact, acorn, route_through) to force one. Answers the points
   * and, per segment, how it was searched.
   */
  private JsonNode explain(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "query", "using", "filter", "params", "limit", "offset", "with_payload",
        "with_vector", "score_threshold", "strategy");
    String using = vectorName(c, Json.stringField(body, "using", "body", CollectionConfig.DEFAULT_VECTOR));
    JsonNode q = body.get("query");
    float[] vector;
    if (q != null && q.isArray()) {
      vector = Json.vector(q, "body.query");
    } else if (Json.present(q)) {
      PointId id = Json.pointId(q, "body.query");
      PointRecord r = c.retrieve(List.of(id), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
          .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + id + " found"));
      vector = r.vectors().get(using);
    } else {
      throw ApiError.badRequest("body.query: required, a vector or a point id");
    }
    String strategy = Json.stringField(body, "strategy", "body", "auto");
    SearchRequest.Builder b = SearchRequest.builder(vector).using(using);
    commonSearch(b, body, "body");
    try {
      b.strategy(io.quiver.collection.SearchStrategy.valueOf(strategy.toUpperCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("body.strategy: expected one of auto, exact, acorn, route_through, got '"
          + strategy + "'");
    }
    SearchRequest sr = b.build();
    io.quiver.collection.SearchExplain e = c.explain(sr);
    ObjectNode out = json.createObjectNode();
    ArrayNode points = out.putArray("points");
    e.points().forEach(p -> points.add(scoredJson(p, sr.payload())));
    ObjectNode plan = out.putObject("plan");
    plan.put("distance_computations", e.distanceComputations());
    ArrayNode segments = plan.putArray("segments");
    for (io.quiver.collection.SegmentPlan p : e.segments()) {
      ObjectNode o = segments.addObject();
      o.put("segment", p.segment());
      o.put("live_points", p.livePoints());
      o.put("strategy", p.strategy().name().toLowerCase(java.util.Locale.ROOT));
      o.put("planned", p.planned().name().toLowerCase(java.util.Locale.ROOT));
      o.put("estimated_matches", p.estimatedMatches());
      o.put("estimate_exact", p.estimateExact());
      o.put("fallback", p.fallback());
      o.put("distance_computations", p.distanceComputations());
      o.put("payload_links", p.payloadLinks());
    }
    return out;
  }

  /** The vector field {@code name} of the collection; 400 when it has none of that name. */
  private static String vectorName(Collection c, String name) {
    if (c.config().vector(name) == null) {
      throw ApiError.badRequest("Wrong input: Not existing vector name error: "
          + (name.isEmpty() ? "the collection has only named vectors; pass one" : name));
    }
    return name;
  }

  private void commonSearch(SearchRequest.Builder b, ObjectNode body, String path) {
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    checkWindow((long) limit + offset, path);
    b.limit(limit).offset(offset);
    b.filter(Json.filter(body.get("filter")));
    b.scoreThreshold(Json.floatField(body, "score_threshold", path));
    b.withPayload(Json.payloadSelector(body.get("with_payload"), path + ".with_payload", PayloadSelector.NONE));
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false);
    if (vectors != null) {
      b.withVectors(vectors.toArray(String[]::new));
    }
    ObjectNode params = Json.object(body.get("params"), path + ".params");
    Json.onlyFields(params, path + ".params", "hnsw_ef", "exact", "quantization", "indexed_only", "acorn", "idf");
    b.ef(Json.intField(params, "hnsw_ef", path + ".params", 0, 0));
    if (Json.present(params.get("quantization"))) {
      String at = path + ".params.quantization";
      ObjectNode qp = Json.object(params.get("quantization"), at);
      Json.onlyFields(qp, at, "ignore", "rescore", "oversampling");
      Float over = Json.floatField(qp, "oversampling", at);
      b.quantization(new SearchRequest.QuantizationParams(Json.boolField(qp, "ignore", at, false),
          Json.present(qp.get("rescore")) ? Json.boolField(qp, "rescore", at, true) : null,
          over == null ? null : over.doubleValue()));
    }
    b.exact(Json.boolField(params, "exact", path + ".params", false));
  }

  /** A point's payload as Qdrant returns it: null when not asked for, {} when asked for but the point has none. */
  private JsonNode payloadJson(ObjectNode payload, PayloadSelector asked) {
    if (asked instanceof PayloadSelector.None) {
      return json.getNodeFactory().nullNode();
    }
    return payload == null ? json.createObjectNode() : payload;
  }

  private ObjectNode scoredJson(ScoredPoint p, PayloadSelector asked) {
    ObjectNode o = json.createObjectNode();
    o.set("id", Json.idJson(p.id()));
    o.put("version", 0);
    o.put("score", p.score());
    o.set("payload", payloadJson(p.payload(), asked));
    o.set("vector", Json.vectorsJson(p.vectors()));
    return o;
  }

  private JsonNode scroll(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "filter", "limit", "offset", "with_payload", "with_vector", "order_by",
        "shard_key");
    PointId offset = Json.present(body.get("offset")) ? Json.pointId(body.get("offset"), "body.offset") : null;
    ScrollRequest.OrderBy orderBy = null;
    JsonNode ob = body.get("order_by");
    if (ob != null && ob.isTextual()) {
      orderBy = new ScrollRequest.OrderBy(ob.textValue(), false, null);
    } else if (Json.present(ob)) {
      Json.object(ob, "body.order_by");
      Json.onlyFields(ob, "body.order_by", "key", "direction", "start_from");
      String key = Json.stringField(ob, "key", "body.order_by", null);
      if (key == null) {
        throw ApiError.badRequest("body.order_by.key: required");
      }
      String dir = Json.stringField(ob, "direction", "body.order_by", "asc");
      if (!dir.equals("asc") && !dir.equals("desc")) {
        throw ApiError.badRequest("body.order_by.direction: expected asc or desc");
      }
      JsonNode sf = ob.get("start_from");
      Double startFrom = null;
      if (Json.present(sf)) {
        if (!sf.isNumber()) {
          throw ApiError.badRequest("body.order_by.start_from: expected a number");
        }
        startFrom = sf.doubleValue();
      }
      orderBy = new ScrollRequest.OrderBy(key, dir.equals("desc"), startFrom);
    }
    checkWindow(Json.intField(body, "limit", "body", 10, 1), "body");
    ScrollRequest sr = new ScrollRequest(Json.filter(body.get("filter")), offset,
        Json.intField(body, "limit", "body", 10, 1),
        Json.payloadSelector(body.get("with_payload"), "body.with_payload", PayloadSelector.ALL),
        Json.vectorSelector(body.get("with_vector"), "body.with_vector", false), orderBy);
    ScrollPage page = c.scroll(sr);
    ObjectNode o = json.createObjectNode();
    ArrayNode points = o.putArray("points");
    for (PointRecord r : page.points()) {
      points.add(recordJson(r, sr.payload()));
    }
    o.set("next_page_offset", page.nextOffset() == null ? json.getNodeFactory().nullNode()
        : Json.idJson(page.nextOffset()));
    return o;
  }

  private JsonNode count(ServerRequest req) {
    Collection c = collection(req);
    ObjectNode body = body(req);
    Json.onlyFields(body, "body", "filter", "exact", "shard_key");
    long n = c.count(Json.filter(body.get("filter")), Json.boolField(body, "exact", "body", true));
    ObjectNode o = json.createObjectNode();
    o.put("count", n);
    return o;
  }
}
