package io.quiver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.mcp.JsonRpcException;
import io.quiver.agent.mcp.McpDispatcher;
import io.quiver.agent.mcp.McpSession;
import io.quiver.agent.mcp.ProtocolVersions;
import io.quiver.agent.mcp.ToolGuard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

/**
 * MCP's streamable HTTP transport (revisions 2025-03-26 and 2025-06-18) at one path, answering from the same
 * {@link McpDispatcher} as stdio. POST carries one JSON-RPC message (or, in a 2025-03-26 or older session, a batch):
 * requests are answered with {@code application/json}, or with a {@code text/event-stream} of one event per response
 * when the client accepts only that; notifications and responses alone get 202. {@code initialize} opens a session
 * and answers its id in {@code Mcp-Session-Id}; every later request must carry it (400 without, 404 when unknown or
 * expired: the client initializes again). DELETE ends a session. GET (a stream of server-initiated messages) is not
 * offered: 405. This server never sends requests or notifications of its own, so no stream is needed.
 *
 * <p>Transport errors answer a JSON-RPC error with a null id and an HTTP status: 400 (not JSON, bad batch, missing
 * session, unsupported {@code MCP-Protocol-Version}), 403 (an {@code Origin} refused by {@link McpOrigins}), 404, 406
 * (an {@code Accept} naming neither type), 413 (body over {@code service.max_request_size_mb}), 415 (not JSON). API
 * keys, rate limits and the request log apply as to every route ({@link AccessFilter}); the read-only key may call
 * only the tools {@link McpToolAccess} says read, others answer JSON-RPC error {@value #FORBIDDEN}.
 */
final class McpHttpEndpoint {
  static final HeaderName SESSION_ID = HeaderNames.create("Mcp-Session-Id");
  static final HeaderName PROTOCOL_VERSION = HeaderNames.create("MCP-Protocol-Version");
  private static final HeaderName EXPOSE_HEADERS = HeaderNames.create("Access-Control-Expose-Headers");
  /** The JSON-RPC error of a tool the caller's key may not run (the server-error range of JSON-RPC). */
  static final int FORBIDDEN = -32001;
  /** Generic transport error code, as the MCP SDKs use it. */
  private static final int TRANSPORT_ERROR = -32000;
  /** Revisions whose transport allows a JSON-RPC batch in one POST; 2025-06-18 removed batching. */
  private static final Set<String> BATCH_VERSIONS = Set.of("2025-03-26", "2024-11-05");
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final ServerConfig config;
  private final McpHttpBackend backend;
  private final McpSessions sessions;

  McpHttpEndpoint(ServerConfig config, McpHttpBackend backend, McpSessions sessions) {
    this.config = config;
    this.backend = backend;
    this.sessions = sessions;
  }

  /** The endpoint at {@code config.mcp().path()} among the server's routes. */
  static void register(Routes rt, ServerConfig config, AgentBackend agent) {
    McpHttpEndpoint e = create(config, agent::memory);
    String path = config.mcp().path();
    rt.post(path, e::post);
    rt.delete(path, e::delete);
    rt.get(path, e::get);
  }

  static McpHttpEndpoint create(ServerConfig config, Supplier<AgentMemory> memory) {
    return new McpHttpEndpoint(config, new McpHttpBackend(memory, config.mcp().admin()),
        new McpSessions(config.mcp()));
  }

  /** A refusal: the HTTP status and the message of the JSON-RPC error in the body. */
  private static final class Refused extends Exception {
    final int status;
    final int code;

    Refused(int status, int code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    Refused(int status, String message) {
      this(status, TRANSPORT_ERROR, message);
    }
  }

  void post(ServerRequest req, ServerResponse res) {
    try {
      checkOrigin(req, res);
      if (!req.headers().contentType().map(t -> t.test(MediaTypes.APPLICATION_JSON)).orElse(false)) {
        throw new Refused(415, "Unsupported Media Type: the body must be JSON (Content-Type: application/json)");
      }
      McpDispatcher dispatcher = dispatcher();
      JsonNode message = parse(readBody(req));
      List<JsonNode> messages = message.isArray()
          ? StreamSupport.stream(message.spliterator(), false).toList() : List.of(message);
      boolean hasRequest = messages.stream().anyMatch(McpDispatcher::isRequest);
      boolean json = req.headers().isAccepted(MediaTypes.APPLICATION_JSON);
      if (hasRequest && !json && !req.headers().isAccepted(MediaTypes.TEXT_EVENT_STREAM)) {
        throw new Refused(406, "Not Acceptable: the client must accept application/json or text/event-stream");
      }
      ToolGuard guard = guard(req);
      if (messages.stream().anyMatch(m -> McpDispatcher.isRequest(m) && "initialize".equals(m.get("method").asText()))) {
        if (message.isArray()) {
          throw new Refused(400, JsonRpcException.INVALID_REQUEST, "Invalid Request: initialize must not be part of"
              + " a JSON-RPC batch");
        }
        McpSession session = dispatcher.newSession();
        JsonNode reply = dispatcher.handle(message, session, guard);
        if (reply.has("result")) {
          res.header(SESSION_ID, sessions.add(session));
        }
        send(res, 200, reply, json);
        return;
      }
      McpSession session = session(req);
      if (message.isArray() && !BATCH_VERSIONS.contains(session.protocolVersion())) {
        throw new Refused(400, JsonRpcException.INVALID_REQUEST, "Invalid Request: JSON-RPC batches are not part of"
            + " MCP " + session.protocolVersion() + " (the version this session negotiated); send one message per"
            + " POST");
      }
      JsonNode reply = dispatcher.handle(message, session, guard);
      if (hasRequest) {
        send(res, 200, reply, json);
      } else if (reply == null) {
        res.status(Status.ACCEPTED_202).send();
      } else {
        send(res, 400, reply, true); // only invalid messages: nothing to accept
      }
    } catch (Refused r) {
      refuse(res, r);
    } catch (ApiError a) {
      refuse(res, new Refused(a.status, a.getMessage()));
    }
  }

  void delete(ServerRequest req, ServerResponse res) {
    try {
      checkOrigin(req, res);
      String id = req.headers().first(SESSION_ID).orElse(null);
      if (id == null) {
        throw new Refused(400, "Bad Request: DELETE needs the Mcp-Session-Id header of the session to end");
      }
      if (!sessions.remove(id)) {
        throw unknownSession();
      }
      res.status(Status.NO_CONTENT_204).send();
    } catch (Refused r) {
      refuse(res, r);
    }
  }

  void get(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.ALLOW, "DELETE, POST");
    refuse(res, new Refused(405, "Method Not Allowed: this server sends no messages of its own, so it offers no"
        + " GET stream; POST JSON-RPC messages to " + config.mcp().path()));
  }

  private void checkOrigin(ServerRequest req, ServerResponse res) throws Refused {
    String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
    if (!McpOrigins.allowed(origin, config.cors())) {
      throw new Refused(403, "Forbidden: Origin " + origin + " may not use MCP here; list it in"
          + " service.cors_allowed_origins (the * wildcard does not open MCP to every site)");
    }
    if (origin != null) {
      res.header(EXPOSE_HEADERS, SESSION_ID.defaultCase());
    }
  }

  private McpDispatcher dispatcher() throws Refused {
    try {
      return backend.dispatcher();
    } catch (ApiError a) {
      throw new Refused(a.status, JsonRpcException.INTERNAL_ERROR, a.getMessage());
    }
  }

  /** The session named by {@code Mcp-Session-Id}, after the {@code MCP-Protocol-Version} checks. */
  private McpSession session(ServerRequest req) throws Refused {
    String id = req.headers().first(SESSION_ID).orElse(null);
    if (id == null) {
      throw new Refused(400, "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one");
    }
    McpSession session = sessions.use(id);
    if (session == null) {
      throw unknownSession();
    }
    String version = req.headers().first(PROTOCOL_VERSION).orElse(null);
    if (version != null && !ProtocolVersions.SUPPORTED.contains(version)) {
      throw new Refused(400, "Bad Request: unsupported MCP-Protocol-Version " + version + " (supported: "
          + String.join(", ", ProtocolVersions.SUPPORTED) + ")");
    }
    if (version != null && !version.equals(session.protocolVersion())) {
      throw new Refused(400, "Bad Request: MCP-Protocol-Version " + version + " differs from the version this"
          + " session negotiated, " + session.protocolVersion());
    }
    return session;
  }

  private static Refused unknownSession() {
    return new Refused(404, "Not Found: no such session (it expired or was ended); send initialize to start a new"
        + " one");
  }

  /** The read-only key runs only reading tools; every other caller passed AccessFilter with full access. */
  private static ToolGuard guard(ServerRequest req) {
    if (req.context().get(AccessFilter.ReadOnlyKey.class).isEmpty()) {
      return ToolGuard.ANY;
    }
    return tool -> {
      if (!McpToolAccess.reads(tool)) {
        throw new JsonRpcException(FORBIDDEN, "Forbidden: the read-only API key cannot call " + tool
            + ", which writes; use the full-access key");
      }
    };
  }

  private byte[] readBody(ServerRequest req) throws Refused {
    long max = config.maxRequestBytes();
    if (req.headers().contentLength().orElse(0) > max) {
      throw tooLarge(max);
    }
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    byte[] bytes;
    try (InputStream in = req.content().inputStream()) {
      // one byte past the limit tells "exactly the limit" from "over it"
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    } catch (IOException | RuntimeException e) {
      throw new Refused(400, "Bad Request: the body could not be read: " + e.getMessage());
    }
    if (bytes.length > max) {
      throw tooLarge(max);
    }
    return bytes;
  }

  private static Refused tooLarge(long max) {
    return new Refused(413, "Payload too large: the request body exceeds " + max + " bytes"
        + " (service.max_request_size_mb)");
  }

  private static JsonNode parse(byte[] body) throws Refused {
    JsonNode node;
    try {
      node = body.length == 0 ? null : MAPPER.readTree(body);
    } catch (IOException e) {
      throw new Refused(400, JsonRpcException.PARSE_ERROR, "Parse error: " + e.getMessage().lines().findFirst()
          .orElse("not JSON"));
    }
    if (node == null || node.isMissingNode()) {
      throw new Refused(400, JsonRpcException.INVALID_REQUEST, "Invalid Request: the body is empty");
    }
    if (node.isArray() && node.isEmpty()) {
      throw new Refused(400, JsonRpcException.INVALID_REQUEST, "Invalid Request: empty batch");
    }
    return node;
  }

  private void send(ServerResponse res, int status, JsonNode reply, boolean json) {
    res.status(status);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    try {
      if (json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(MAPPER.writeValueAsBytes(reply));
        return;
      }
      StringBuilder events = new StringBuilder();
      for (JsonNode r : reply.isArray() ? reply : List.of(reply)) {
        events.append("event: message\ndata: ").append(MAPPER.writeValueAsString(r)).append("\n\n");
      }
      res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
      res.send(events.toString().getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON-RPC reply could not be encoded", e);
    }
  }

  private void refuse(ServerResponse res, Refused r) {
    send(res, r.status, McpDispatcher.error(NullNode.instance, r.code, r.getMessage()), true);
  }
}
