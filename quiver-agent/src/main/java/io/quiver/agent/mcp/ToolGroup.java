package io.quiver.agent.mcp;

/**
 * The tools of one memory API (episodes, skills, causal edges, learning, administration): it binds handlers to
 * catalogued tool names, e.g. {@code tools.handle("reflexion_store", args -> ...)}.
 */
@FunctionalInterface
public interface ToolGroup {
  void register(ToolRegistry.Builder tools);
}
