package io.quiver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.filter.FilterParseException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * What every endpoint shares: the Qdrant envelope, the one mapping of exceptions to HTTP errors, the request body
 * (read once, size-limited), read deadlines, {@code ?wait}, and the server's batch and window limits.
 */
final class Endpoints implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(QuiverServer.class.getName());

  /** An endpoint: computes the {@code result} of the envelope (or throws). */
  @FunctionalInterface
  interface Endpoint {
    JsonNode handle(ServerRequest req) throws Exception;
  }

  /** A Qdrant operation shared by REST and gRPC: computes the {@code result} of one {@link Call} (or throws). */
  @FunctionalInterface
  interface Op {
    JsonNode run(Call call) throws Exception;
  }

  /** The parsed request body, kept in the request context so it is read once. */
  private record ParsedBody(ObjectNode node) {}

  final Quiver db;
  final ObjectMapper json;
  final ServerConfig config;
  /** Mean document lengths of the fields {@code quiver/bm25} documents are written into. */
  final DocumentLengths documentLengths = new DocumentLengths();
  /** Runs read requests that have a deadline, so the handler thread can give up waiting and answer 408. */
  private final ExecutorService deadlineExecutor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong operationIds = new AtomicLong();

  Endpoints(Quiver db, ObjectMapper json, ServerConfig config) {
    this.db = db;
    this.json = json;
    this.config = config;
  }

  @Override
  public void close() {
    deadlineExecutor.shutdownNow();
  }

  // ------------------------------------------------------------------ envelope and errors

  Handler wrap(Endpoint e) {
    return wrap(e, true);
  }

  /** A handler running the shared operation {@code op} on the REST request. */
  Handler wrapCall(Op op) {
    return wrap(req -> op.run(new HttpCall(req, this)), true);
  }

  /** A handler answering {@code e}'s result in the envelope (or bare, for {@code GET /}), or the error it throws. */
  Handler wrap(Endpoint e, boolean envelope) {
    return (req, res) -> {
      long start = System.nanoTime();
      JsonNode result;
      try {
        result = runWithDeadline(e, req);
      } catch (Exception err) {
        sendError(res, req, err, start);
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

  /** Answers {@code err} as Qdrant's error envelope (see {@link #failure}). */
  void sendError(ServerResponse res, ServerRequest req, Exception err, long start) {
    JsonApi.Failure f = failure(err, req.path().path());
    sendError(res, f.status(), f.message(), start);
  }

  /**
   * The one place exceptions become errors: the HTTP status and Qdrant's message for {@code err}, raised while
   * serving {@code where} (logged for server-side failures). The gRPC services map the status to a gRPC code.
   */
  static JsonApi.Failure failure(Exception err, String where) {
    return switch (err) {
      case ApiError a -> {
        String m = a.getMessage();
        if (a.status == 400 && !m.startsWith("Bad request") && !m.startsWith("Wrong input")
            && !m.startsWith("Json deserialize error")) {
          m = "Bad request: " + m;
        }
        yield new JsonApi.Failure(a.status, m, a.unsupported);
      }
      case FilterParseException f -> new JsonApi.Failure(400, "Bad request: " + f.getMessage(), false);
      case QuiverException.InvalidInput i -> new JsonApi.Failure(400, "Bad request: " + i.getMessage(), false);
      case IllegalArgumentException i -> new JsonApi.Failure(400, "Bad request: " + i.getMessage(), false);
      case QuiverException.NotFound n -> new JsonApi.Failure(404, "Not found: " + n.getMessage(), false);
      case QuiverException.AlreadyExists a -> new JsonApi.Failure(409, "Conflict: " + a.getMessage(), false);
      case QuiverException.OverBudget o -> new JsonApi.Failure(507, "Insufficient storage: " + o.getMessage(), false);
      case QuiverException.Storage s -> {
        LOG.log(System.Logger.Level.ERROR, "storage error on " + where, s);
        yield new JsonApi.Failure(500, "Service internal error: " + s.getMessage(), false);
      }
      default -> {
        LOG.log(System.Logger.Level.ERROR, "unexpected error on " + where, err);
        yield new JsonApi.Failure(500, "Service internal error: the request failed unexpectedly", false);
      }
    };
  }

  void sendError(ServerResponse res, int status, String message, long start) {
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

  // ------------------------------------------------------------------ deadlines and wait

  /**
   * Runs a read endpoint under the request timeout ({@code ?timeout=s} or {@code service.request_timeout_sec}); 408
   * when it takes longer. Writes always run to completion: answering before a write is applied would leave the
   * client unsure whether it happened.
   */
  private JsonNode runWithDeadline(Endpoint e, ServerRequest req) throws Exception {
    Duration timeout = config.requestTimeout();
    if (req.query().contains("timeout")) {
      String t = req.query().get("timeout");
      try {
        long seconds = Long.parseLong(t);
        if (seconds <= 0) {
          throw new NumberFormatException();
        }
        timeout = Duration.ofSeconds(seconds);
      } catch (NumberFormatException ex) {
        throw ApiError.badRequest("timeout: expected a positive whole number of seconds, got '" + t + "'");
      }
    }
    if (timeout.isZero() || !AccessFilter.isRead(req.prologue().method(), req.path().path())) {
      return e.handle(req);
    }
    body(req); // read the body on the connection's thread; the endpoint gets the parsed copy
    return withDeadline(() -> e.handle(req), timeout);
  }

  /** Runs {@code task} on its own virtual thread; 408 when it takes longer than {@code timeout}. */
  JsonNode withDeadline(Callable<JsonNode> task, Duration timeout) throws Exception {
    var future = deadlineExecutor.submit(task);
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException ex) {
      future.cancel(true);
      throw new ApiError(408, "Timeout error: the request did not finish within " + timeout.toMillis() / 1000.0
          + " s");
    } catch (ExecutionException ex) {
      throw ex.getCause() instanceof Exception cause ? cause : new IllegalStateException(ex.getCause());
    }
  }

  /**
   * Point and index updates apply synchronously, but like Qdrant they report {@code "acknowledged"} unless the request
   * asked for {@code ?wait=true} (Qdrant's default is wait=false).
   */
  static Op waitAware(Op e) {
    return req -> {
      JsonNode result = e.run(req);
      boolean wait = "true".equalsIgnoreCase(req.queryParam("wait"));
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

  /** An update's result: {@code {operation_id, status: "completed"}}. */
  ObjectNode updateResult() {
    ObjectNode o = json.createObjectNode();
    o.put("operation_id", operationIds.incrementAndGet());
    o.put("status", "completed");
    return o;
  }

  // ------------------------------------------------------------------ request

  /** The request body as a JSON object ({} when empty); 400 when it is not JSON, 413 when too large. */
  ObjectNode body(ServerRequest req) {
    var cached = req.context().get(ParsedBody.class);
    if (cached.isPresent()) {
      return cached.get().node();
    }
    ObjectNode node = readBody(req);
    req.context().register(new ParsedBody(node));
    return node;
  }

  private ObjectNode readBody(ServerRequest req) {
    long maxBodyBytes = config.maxRequestBytes();
    if (req.headers().contentLength().orElse(0) > maxBodyBytes) {
      throw new ApiError(413, "Payload too large: the request body exceeds " + maxBodyBytes + " bytes");
    }
    if (!req.content().hasEntity()) {
      return json.createObjectNode();
    }
    byte[] bytes;
    try (InputStream in = req.content().inputStream()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
    } catch (IOException | RuntimeException e) {
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
    } catch (IOException e) {
      String where = Json.nonFiniteNumber(bytes);
      if (where != null) {
        throw ApiError.badRequest(where);
      }
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

  /** The {@code {name}} path parameter. */
  static String name(Call req) {
    return req.pathParam("name");
  }

  /** The request body of {@code call}. */
  ObjectNode body(Call call) {
    return call.body();
  }

  /** The collection (or alias) named in the path of a REST-only endpoint; 404 when there is none. */
  Collection collection(ServerRequest req) {
    return collection(new HttpCall(req, this));
  }

  /** The collection (or alias) named in the path; 404 when there is none. */
  Collection collection(Call req) {
    String name = name(req);
    if (!db.exists(name)) {
      throw new ApiError(404, "Not found: Collection `" + name + "` doesn't exist!");
    }
    return db.collection(name);
  }

  // ------------------------------------------------------------------ limits

  /** 400 when one request carries more points, ids, operations or searches than {@code max_batch_size}. */
  void checkBatchSize(int n, String path) {
    if (n > config.maxBatch()) {
      throw ApiError.badRequest(path + ": " + n + " entries exceed the server's max_batch_size of "
          + config.maxBatch() + "; split the request");
    }
  }

  /**
   * A batch body, {@code {"searches": [...]}}: each request answered by {@code one} (given the request and its JSON
   * path), in order.
   */
  ArrayNode batch(ObjectNode body, String what, BiFunction<ObjectNode, String, JsonNode> one) {
    Json.onlyFields(body, "body", "searches");
    JsonNode searches = body.get("searches");
    if (searches == null || !searches.isArray()) {
      throw ApiError.badRequest("body.searches: expected an array of " + what);
    }
    checkBatchSize(searches.size(), "body.searches");
    ArrayNode out = json.createArrayNode();
    for (int i = 0; i < searches.size(); i++) {
      String path = "body.searches[" + i + "]";
      out.add(one.apply(Json.object(searches.get(i), path), path));
    }
    return out;
  }

  /** 400 when {@code limit + offset} exceeds the server's {@code max_limit}. */
  void checkWindow(long window, String path) {
    if (window > config.maxLimit()) {
      throw ApiError.badRequest(path + ".limit: limit + offset = " + window + " exceeds the server's max_limit of "
          + config.maxLimit());
    }
  }

  static void checkBatchLength(JsonNode n, int expected, String path) {
    if (!n.isArray() || n.size() != expected) {
      throw ApiError.badRequest(path + ": expected an array of " + expected + " entries (one per id)");
    }
  }
}
