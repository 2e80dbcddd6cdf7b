package io.quiver.agent.causal;

/** The causal uplift attributed to a stored memory, for recall's utility {@code α·sim + β·uplift − γ·latency}. */
public interface MemoryUplift {
  /** The uplift of the memory {@code memoryType}/{@code memoryId}; 0 when nothing is known about it. */
  double uplift(String memoryType, long memoryId);
}
