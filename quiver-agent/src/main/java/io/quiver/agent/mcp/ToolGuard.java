package io.quiver.agent.mcp;

/**
 * Decides, per request, whether a caller may run a tool: the HTTP transport refuses writing tools to a read-only API
 * key; stdio lets every offered tool run.
 */
@FunctionalInterface
public interface ToolGuard {
  /** Every offered tool may run. */
  ToolGuard ANY = tool -> {};

  /**
   * Returns when the call may go ahead.
   *
   * @throws JsonRpcException the error the client receives instead of the tool's result; nothing has run
   */
  void check(String tool) throws JsonRpcException;
}
