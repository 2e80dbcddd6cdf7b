package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;

/**
 * {@code learner_discover}'s arguments: attempts each group of a pair needs, the least success rate of the task after
 * the candidate cause, the least (multiplicity-adjusted) confidence, and whether to store what is found.
 */
public record DiscoveryPolicy(int minAttempts, double minSuccessRate, double minConfidence, boolean dryRun) {
  /** AgentDB's defaults: 3 attempts, 0.6 success rate, 0.7 confidence, stored. */
  public static final DiscoveryPolicy DEFAULT = new DiscoveryPolicy(3, 0.6, 0.7, false);

  public DiscoveryPolicy {
    Inputs.atLeast(minAttempts, 1, "min_attempts");
    Inputs.unit(minSuccessRate, "min_success_rate");
    Inputs.unit(minConfidence, "min_confidence");
  }
}
