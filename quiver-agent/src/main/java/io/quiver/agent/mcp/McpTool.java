package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One MCP tool: what tools/list shows of it and the handler tools/call runs.
 *
 * @param name the tool's name, unique in a registry
 * @param description what the tool does, for the agent
 * @param inputSchema the JSON Schema of its arguments (an object schema), listed as is and validated before the
 *     handler runs
 * @param handler the code behind it
 */
public record McpTool(String name, String description, ObjectNode inputSchema, ToolHandler handler) {
  public McpTool {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(inputSchema, "inputSchema");
    Objects.requireNonNull(handler, "handler");
  }

  /** The same tool with another handler. */
  public McpTool withHandler(ToolHandler other) {
    return new McpTool(name, description, inputSchema, other);
  }
}
