package io.quiver.agent.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * JSON-RPC 2.0 dispatch shared by both transports (stdio, streamable HTTP): one message or a batch in, the reply out
 * (null when nothing is answered), with the protocol's methods run on the caller's {@link McpSession}.
 *
 * <p>Errors follow JSON-RPC: text that is not JSON answers -32700 with a null id, a JSON value that is not a request
 * -32600, an unknown method -32601, bad params or an unknown tool -32602; a tool's own failure is a normal result with
 * {@code isError: true}. Batches (a JSON array, allowed by the 2025-03-26 revision) are answered with an array of the
 * requests' responses, in order.
 */
public final class McpDispatcher {
  private static final Logger LOG = System.getLogger("io.quiver.agent.mcp");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ObjectMapper mapper = new ObjectMapper();
  private final ToolRegistry registry;
  private final ServerInfo info;

  public McpDispatcher(ToolRegistry registry, ServerInfo info) {
    this.registry = registry;
    this.info = info;
  }

  /** A new client connection's state (its negotiated version). */
  public McpSession newSession() {
    return new McpSession(registry, info, mapper);
  }

  public ToolRegistry registry() {
    return registry;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** The reply to {@code text} (one message or a batch), or null when nothing is answered. */
  public JsonNode handleText(String text, McpSession session, ToolGuard guard) {
    JsonNode message;
    try {
      message = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return error(NullNode.instance, JsonRpcException.PARSE_ERROR, "Parse error: " + e.getOriginalMessage());
    }
    if (message == null || message.isMissingNode()) {
      return error(NullNode.instance, JsonRpcException.INVALID_REQUEST, "Invalid Request: no JSON value");
    }
    return handle(message, session, guard);
  }

  /** The reply to a parsed message or batch, or null when nothing is answered (notifications, responses). */
  public JsonNode handle(JsonNode message, McpSession session, ToolGuard guard) {
    if (message instanceof ArrayNode batch) {
      if (batch.isEmpty()) {
        return error(NullNode.instance, JsonRpcException.INVALID_REQUEST, "Invalid Request: empty batch");
      }
      ArrayNode replies = JSON.arrayNode();
      batch.forEach(m -> {
        JsonNode r = handleMessage(m, session, guard);
        if (r != null) {
          replies.add(r);
        }
      });
      return replies.isEmpty() ? null : replies;
    }
    return handleMessage(message, session, guard);
  }

  /** Whether {@code message} is a request (a method and an id), i.e. expects a response. */
  public static boolean isRequest(JsonNode message) {
    return message instanceof ObjectNode m && m.path("method").isTextual() && m.has("id");
  }

  private JsonNode handleMessage(JsonNode message, McpSession session, ToolGuard guard) {
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
      reply.set("result", session.request(method.asText(), p, guard));
      return reply;
    } catch (JsonRpcException e) {
      return error(id, e.code(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + method.asText() + " failed", e);
      return error(id, JsonRpcException.INTERNAL_ERROR, "Internal error: " + e);
    }
  }

  /** A JSON-RPC error response. */
  public static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode reply = JSON.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("id", id);
    reply.putObject("error").put("code", code).put("message", message);
    return reply;
  }
}
