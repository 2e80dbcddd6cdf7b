package io.quiver.agent.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * MCP's stdio transport: one JSON-RPC 2.0 message per line in, one per line out, nothing else written to the output.
 * Messages are handled one at a time in arrival order, so a client's writes apply in the order it sent them.
 *
 * <p>Errors follow JSON-RPC: a line that is not JSON answers -32700 with a null id, a JSON value that is not a
 * request -32600, an unknown method -32601, bad params or an unknown tool -32602; a tool's own failure is a normal
 * result with {@code isError: true}. Either way the server reads the next line. Batches (a JSON array, allowed by
 * the 2025-03-26 revision) are answered with an array of the requests' responses.
 */
public final class McpServer implements AutoCloseable {
  private static final Logger LOG = System.getLogger("io.quiver.agent.mcp");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** How long close waits for the call in flight: a batch of durable inserts finishes well within it. */
  private static final long CLOSE_WAIT_SECONDS = 30;

  private final ObjectMapper mapper = new ObjectMapper();
  private final McpSession session;
  /** Held while a message is handled; close takes it so no call is cut in half. */
  private final ReentrantLock handling = new ReentrantLock();
  private volatile boolean closed;

  public McpServer(ToolRegistry registry, ServerInfo info) {
    this.session = new McpSession(registry, info, mapper);
  }

  /** Serves until the input ends or {@link #close} is called; the output receives only JSON-RPC lines. */
  public void serve(InputStream in, OutputStream out) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    String line;
    while (!closed && (line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      handling.lock();
      try {
        if (closed) {
          break;
        }
        JsonNode reply = handleLine(line);
        if (reply != null) {
          writer.write(mapper.writeValueAsString(reply));
          writer.write('\n');
          writer.flush();
        }
      } finally {
        handling.unlock();
      }
    }
  }

  /** The reply to one line, or null when nothing is answered (notifications, responses). */
  JsonNode handleLine(String line) {
    JsonNode message;
    try {
      message = mapper.readTree(line);
    } catch (JsonProcessingException e) {
      return error(NullNode.instance, JsonRpcException.PARSE_ERROR, "Parse error: " + e.getOriginalMessage());
    }
    if (message instanceof ArrayNode batch) {
      if (batch.isEmpty()) {
        return error(NullNode.instance, JsonRpcException.INVALID_REQUEST, "Invalid Request: empty batch");
      }
      ArrayNode replies = JSON.arrayNode();
      batch.forEach(m -> {
        JsonNode r = handleMessage(m);
        if (r != null) {
          replies.add(r);
        }
      });
      return replies.isEmpty() ? null : replies;
    }
    return handleMessage(message);
  }

  private JsonNode handleMessage(JsonNode message) {
    if (!(message instanceof ObjectNode m)) {
      return error(NullNode.instance, JsonRpcException.INVALID_REQUEST, "Invalid Request: not a JSON object");
    }
    JsonNode id = m.get("id");
    // MCP: an id is a string or an integer, never null
    boolean validId = id == null || id.isTextual() || id.isIntegralNumber();
    JsonNode replyId = validId && id != null ? id : NullNode.instance;
    if (!"2.0".equals(m.path("jsonrpc").textValue())) {
      return error(replyId, JsonRpcException.INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"");
    }
    JsonNode method = m.get("method");
    if (method == null && (m.has("result") || m.has("error"))) {
      return null; // a response: this server sends no requests, so there is nothing to match it with
    }
    if (method == null || !method.isTextual()) {
      return error(replyId, JsonRpcException.INVALID_REQUEST, "Invalid Request: method must be a string");
    }
    if (!validId) {
      return error(NullNode.instance, JsonRpcException.INVALID_REQUEST, "Invalid Request: id must be a string or"
          + " an integer");
    }
    JsonNode params = m.get("params");
    if (params != null && !params.isObject() && !params.isArray()) {
      return error(replyId, JsonRpcException.INVALID_REQUEST, "Invalid Request: params must be an object");
    }
    JsonNode p = params == null ? JSON.objectNode() : params;
    if (id == null) {
      session.notification(method.asText(), p);
      return null;
    }
    try {
      ObjectNode reply = JSON.objectNode();
      reply.put("jsonrpc", "2.0");
      reply.set("id", id);
      reply.set("result", session.request(method.asText(), p));
      return reply;
    } catch (JsonRpcException e) {
      return error(id, e.code(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + method.asText() + " failed", e);
      return error(id, JsonRpcException.INTERNAL_ERROR, "Internal error: " + e);
    }
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode reply = JSON.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("id", id);
    reply.putObject("error").put("code", code).put("message", message);
    return reply;
  }

  /** The protocol version the client negotiated (the latest before initialize). */
  public String protocolVersion() {
    return session.protocolVersion();
  }

  /**
   * Stops serving: waits for the message being handled (up to 30 s) so its write completes, then refuses further
   * lines. The caller closes the stores after this returns.
   */
  @Override
  public void close() {
    boolean locked = false;
    try {
      locked = handling.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      if (!locked) {
        LOG.log(Level.WARNING, "a tool call was still running after " + CLOSE_WAIT_SECONDS + " s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      if (locked) {
        handling.unlock();
      }
    }
  }
}
