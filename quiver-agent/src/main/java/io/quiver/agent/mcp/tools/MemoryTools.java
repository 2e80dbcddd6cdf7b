package io.quiver.agent.mcp.tools;

import io.quiver.agent.AgentMemory;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;

/** Every tool group over one {@link AgentMemory}: what {@code quiver mcp} serves. */
public final class MemoryTools implements ToolGroup {
  private final AgentMemory memory;

  public MemoryTools(AgentMemory memory) {
    this.memory = memory;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.group(new EpisodeTools(memory.episodes(), memory.patterns()))
        .group(new SkillTools(memory.skills(), memory.episodes()))
        .group(new PatternTools(memory.patterns()))
        .group(new CausalTools(memory.causal(), memory.episodes(), memory.recall()))
        .group(new LearningTools(memory.learning()))
        .group(new AdminTools(memory));
  }
}
