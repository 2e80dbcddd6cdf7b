package io.quiver.agent.learning;

/**
 * What a feedback did.
 *
 * @param seq its number in the session
 * @param residual its held-out residual (NaN while a SARSA update waits for the next action)
 * @param value Q(s, a) after the update (unchanged while SARSA waits)
 * @param pending whether the SARSA update waits for the next action
 * @param resolvedSeq the earlier SARSA feedback this one completed (0: none)
 */
public record FeedbackResult(String sessionId, long seq, double residual, double value, boolean pending,
    long resolvedSeq) {}
