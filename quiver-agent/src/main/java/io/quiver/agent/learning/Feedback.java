package io.quiver.agent.learning;

/**
 * One feedback: in {@code state} the agent took {@code action}, got {@code reward} and reached {@code nextState}
 * (null: the episode ended there).
 *
 * @param nextAction SARSA only, optional: the action the agent takes in {@code nextState}. Without it SARSA takes
 *     the action of the session's next feedback when that feedback's state is {@code nextState}; when the next
 *     feedback starts elsewhere (the successor was not reported), or the session ends first, the greedy action at
 *     {@code nextState} stands in for it. Ignored by the other session types.
 */
public record Feedback(String sessionId, String state, String action, double reward, String nextState,
    boolean success, String nextAction) {
  public Feedback(String sessionId, String state, String action, double reward, String nextState, boolean success) {
    this(sessionId, state, action, reward, nextState, success, null);
  }
}
