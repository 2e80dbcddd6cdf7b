package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The code behind one tool. */
@FunctionalInterface
public interface ToolHandler {
  /**
   * Runs the tool.
   *
   * @param args the call's arguments, already validated against the tool's input schema, with JSON nulls removed and
   *     the schema's defaults filled in for absent properties
   * @return the answer; a {@link ToolException}, {@link IllegalArgumentException} or a store's refusal
   *     ({@code QuiverException.InvalidInput}, {@code NotFound}, {@code AlreadyExists}) becomes an error result with its
   *     message, any other exception an error result saying the server failed
   */
  ToolResult call(ObjectNode args) throws Exception;
}
