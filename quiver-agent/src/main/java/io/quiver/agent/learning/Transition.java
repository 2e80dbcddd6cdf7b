package io.quiver.agent.learning;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One stored feedback: in {@code state} the agent took {@code action}, received {@code reward} and reached
 * {@code nextState} (null: the episode ended). States are normalised keys ({@code stateText}: as first given).
 *
 * @param seq the feedback's number in its session, from 1
 * @param ts epoch milliseconds when it was recorded
 * @param nextAction for SARSA, the action taken next in {@code nextState} once known (null before, and for other
 *     session types)
 * @param residual |target - Q(s, a)| measured before the table learned from this feedback (its held-out residual),
 *     NaN while a SARSA update waits for its next action or when nothing was learned
 * @param learned whether a learning session learned from it ({@code experience_record} into an id that names no
 *     session only stores it)
 * @param details what {@code experience_record} adds: tool name, outcome, latency, metadata, the JSON states (or
 *     null)
 */
public record Transition(String sessionId, long seq, long ts, String state, String stateText, String action,
    double reward, String nextState, String nextStateText, String nextAction, boolean success, double residual,
    boolean learned, ObjectNode details) {

  Transition withResolution(String next, double res) {
    return new Transition(sessionId, seq, ts, state, stateText, action, reward, nextState, nextStateText, next,
        success, res, learned, details);
  }
}
