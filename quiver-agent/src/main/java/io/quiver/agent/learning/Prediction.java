package io.quiver.agent.learning;

import java.util.List;

/**
 * A session's recommendation for a state.
 *
 * @param action the recommended action (null when the session knows no action yet; see {@code reason})
 * @param greedyAction the action with the highest value (for a bandit: UCB1's choice)
 * @param explored whether {@code action} is an epsilon-greedy exploration draw rather than the greedy action
 * @param seenState whether the state has a row in the table; an unseen state is valued at the prior
 * @param confidence visits(s, action) / (visits(s, action) + 1): how much evidence backs the action's value, 0 for
 *     an untried action; not a probability of optimality (the interval carries the calibrated uncertainty)
 * @param value the recommended action's value estimate
 * @param alternatives every candidate action, best value first (ties: in name order)
 * @param interval the conformal interval around {@code value}
 * @param reason why there is no action, else null
 */
public record Prediction(String sessionId, String state, String action, String greedyAction, boolean explored,
    boolean seenState, double confidence, double value, List<ActionEstimate> alternatives,
    ConformalInterval interval, String reason) {
  public Prediction {
    alternatives = List.copyOf(alternatives);
  }
}
