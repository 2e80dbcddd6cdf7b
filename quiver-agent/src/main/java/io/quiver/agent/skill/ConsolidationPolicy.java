package io.quiver.agent.skill;

import io.quiver.agent.store.Inputs;

/**
 * When repeated attempts at one task become a skill: at least {@code minAttempts} attempts, a success rate of at
 * least {@code minSuccessRate} and a mean reward of at least {@code minAvgReward}.
 */
public record ConsolidationPolicy(int minAttempts, double minSuccessRate, double minAvgReward) {
  public static final ConsolidationPolicy DEFAULT = new ConsolidationPolicy(3, 0.6, 0.7);

  public ConsolidationPolicy {
    Inputs.atLeast(minAttempts, 1, "min_attempts");
    Inputs.unit(minSuccessRate, "min_success_rate");
    Inputs.unit(minAvgReward, "min_reward");
  }
}
