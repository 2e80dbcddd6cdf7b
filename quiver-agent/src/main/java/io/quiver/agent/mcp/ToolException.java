package io.quiver.agent.mcp;

/**
 * A tool call that cannot be carried out as asked (an unknown id, a value out of range): the registry answers it as
 * an error result whose text is this message, and the handler must have changed nothing.
 */
public final class ToolException extends RuntimeException {
  public ToolException(String message) {
    super(message, null, false, false);
  }
}
