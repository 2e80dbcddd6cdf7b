package io.quiver.server;

import io.quiver.agent.AgentMemory;
import io.quiver.agent.mcp.McpDispatcher;
import io.quiver.agent.mcp.ServerInfo;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.tools.MemoryTools;
import java.util.function.Supplier;

/**
 * The MCP tools over the server's agent memory, built on the first MCP request (the memory opens then, as it does
 * for the first {@code /quiver/agent} request), so a server whose clients never speak MCP opens nothing.
 */
final class McpHttpBackend {
  private final Supplier<AgentMemory> memory;
  private final boolean admin;
  private McpDispatcher dispatcher;

  /** {@code memory} opens the memory or throws an {@link ApiError} (e.g. {@code AgentBackend::memory}). */
  McpHttpBackend(Supplier<AgentMemory> memory, boolean admin) {
    this.memory = memory;
    this.admin = admin;
  }

  /** The dispatcher; an {@link ApiError} when the memory cannot be opened or the server is stopping. */
  synchronized McpDispatcher dispatcher() {
    if (dispatcher == null) {
      ToolRegistry registry = ToolRegistry.builder(ToolCatalog.agentDb()).admin(admin)
          .group(new MemoryTools(memory.get())).build();
      dispatcher = new McpDispatcher(registry, ServerInfo.quiver("Agent memory with AgentDB's tools, shared by every"
          + " client of this Quiver server; answers start with AgentDB's text lines."));
    }
    memory.get(); // 503 once the server is stopping
    return dispatcher;
  }
}
