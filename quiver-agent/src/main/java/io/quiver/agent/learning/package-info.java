/**
 * Learning sessions behind AgentDB's {@code learning_*}, {@code experience_record} and {@code reward_signal} tools:
 * tabular Q-learning, tabular SARSA and a UCB1 multi-armed bandit (per state), stored in Quiver collections
 * ({@link io.quiver.agent.learning.LearningSessions} is the entry point). Other algorithm names are refused. Each
 * prediction carries a split-conformal interval calibrated on the session's own held-out feedback residuals.
 */
package io.quiver.agent.learning;
