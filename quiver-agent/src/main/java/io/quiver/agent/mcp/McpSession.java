package io.quiver.agent.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The MCP methods of one client connection (a stdio process, or one {@code Mcp-Session-Id} over HTTP): initialize (version negotiation, capabilities), ping, tools/list and
 * tools/call, and the notifications a client sends. Requests before initialize are served too: being lenient costs
 * nothing here, since a session has no state but the negotiated version.
 */
public final class McpSession {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ToolRegistry registry;
  private final ServerInfo info;
  private final ObjectMapper mapper;
  private volatile String protocolVersion = ProtocolVersions.latest();

  McpSession(ToolRegistry registry, ServerInfo info, ObjectMapper mapper) {
    this.registry = registry;
    this.info = info;
    this.mapper = mapper;
  }

  /** The negotiated protocol version (the latest until initialize). */
  public String protocolVersion() {
    return protocolVersion;
  }

  /** The result of a request, or a JSON-RPC error. */
  JsonNode request(String method, JsonNode params, ToolGuard guard) throws JsonRpcException {
    return switch (method) {
      case "initialize" -> initialize(params);
      case "ping" -> JSON.objectNode();
      case "tools/list" -> listTools(params);
      case "tools/call" -> callTool(params, guard);
      default -> throw new JsonRpcException(JsonRpcException.METHOD_NOT_FOUND, "Method not found: " + method);
    };
  }

  /**
   * A notification: nothing is answered. notifications/initialized and notifications/cancelled need no action (calls
   * run one at a time, so none is in flight when a cancellation is read); unknown ones are ignored, as JSON-RPC asks.
   */
  void notification(String method, JsonNode params) {}

  private JsonNode initialize(JsonNode params) throws JsonRpcException {
    JsonNode requested = params.path("protocolVersion");
    if (!requested.isMissingNode() && !requested.isTextual()) {
      throw JsonRpcException.invalidParams("protocolVersion: must be a string");
    }
    protocolVersion = ProtocolVersions.negotiate(requested.isTextual() ? requested.asText() : null);
    ObjectNode result = JSON.objectNode();
    result.put("protocolVersion", protocolVersion);
    ObjectNode tools = result.putObject("capabilities").putObject("tools");
    tools.put("listChanged", false);
    ObjectNode server = result.putObject("serverInfo");
    server.put("name", info.name());
    server.put("version", info.version());
    if (info.instructions() != null) {
      result.put("instructions", info.instructions());
    }
    return result;
  }

  private JsonNode listTools(JsonNode params) throws JsonRpcException {
    JsonNode cursor = params.path("cursor");
    if (!cursor.isMissingNode() && !cursor.isNull()) {
      // one page holds every tool, so no cursor was ever handed out
      throw JsonRpcException.invalidParams("cursor: unknown cursor " + cursor);
    }
    ObjectNode result = JSON.objectNode();
    ArrayNode list = result.putArray("tools");
    for (McpTool t : registry.tools()) {
      ObjectNode o = list.addObject();
      o.put("name", t.name());
      o.put("description", t.description());
      o.set("inputSchema", t.inputSchema());
    }
    return result;
  }

  private JsonNode callTool(JsonNode params, ToolGuard guard) throws JsonRpcException {
    JsonNode name = params.path("name");
    if (!name.isTextual()) {
      throw JsonRpcException.invalidParams("name: the tool's name is required (a string)");
    }
    String tool = name.asText();
    if (registry.find(tool).isEmpty()) {
      throw JsonRpcException.invalidParams(registry.isHiddenAdminTool(tool)
          ? "Tool " + tool + " is admin-only: start the server with --admin to enable it"
          : "Unknown tool: " + tool);
    }
    guard.check(tool);
    JsonNode args = params.get("arguments");
    if (args != null && !args.isNull() && !args.isObject()) {
      throw JsonRpcException.invalidParams("arguments: must be an object");
    }
    return encode(registry.call(tool, args));
  }

  /**
   * A tools/call result: the text first (AgentDB's wording), and structured data both as structuredContent and,
   * as the 2025-06-18 revision recommends for clients that ignore structuredContent, as a second text block.
   */
  private JsonNode encode(ToolResult r) throws JsonRpcException {
    ObjectNode result = JSON.objectNode();
    ArrayNode content = result.putArray("content");
    content.addObject().put("type", "text").put("text", r.text());
    if (r.structured() != null) {
      JsonNode structured = r.structured().isObject() ? r.structured() : JSON.objectNode().set("result", r.structured());
      try {
        content.addObject().put("type", "text").put("text", mapper.writeValueAsString(structured));
      } catch (JsonProcessingException e) {
        throw new JsonRpcException(JsonRpcException.INTERNAL_ERROR, "cannot encode the result: " + e.getMessage());
      }
      result.set("structuredContent", structured);
    }
    result.put("isError", r.isError());
    return result;
  }
}
