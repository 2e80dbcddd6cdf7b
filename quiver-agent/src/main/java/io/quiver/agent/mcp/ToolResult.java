package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What a tool answers: AgentDB-style text for the agent to read, optional structured JSON with the same data for
 * programs, and whether it is an error (a failed call the agent should see, not a protocol error).
 *
 * @param text the text content; AgentDB's data lines (see {@link AgentDbText})
 * @param structured the same data as JSON, or null
 * @param isError true for a failed call
 */
public record ToolResult(String text, JsonNode structured, boolean isError) {
  public ToolResult {
    Objects.requireNonNull(text, "text");
  }

  public static ToolResult success(String text, JsonNode structured) {
    return new ToolResult(text, structured, false);
  }

  public static ToolResult success(String text) {
    return new ToolResult(text, null, false);
  }

  public static ToolResult error(String message) {
    return new ToolResult(message, null, true);
  }
}
