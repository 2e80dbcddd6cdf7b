package io.quiver.agent.learning;

/**
 * A learning session as stored.
 *
 * @param feedbackCount feedback learned so far (the seq of the latest)
 * @param trainRuns completed {@code train} calls (seeds the next run's shuffling)
 * @param pendingSeq for SARSA, the feedback whose update waits for the next action (0: none)
 * @param endedTs epoch milliseconds when ended, 0 while active
 */
public record SessionInfo(String sessionId, String userId, SessionType type, LearningConfig config, boolean active,
    long createdTs, long endedTs, long feedbackCount, long trainRuns, long pendingSeq) {

  SessionInfo withProgress(long feedback, long pending) {
    return new SessionInfo(sessionId, userId, type, config, active, createdTs, endedTs, feedback, trainRuns, pending);
  }

  SessionInfo withTrainRuns(long runs) {
    return new SessionInfo(sessionId, userId, type, config, active, createdTs, endedTs, feedbackCount, runs,
        pendingSeq);
  }

  SessionInfo withConfig(LearningConfig c) {
    return new SessionInfo(sessionId, userId, type, c, active, createdTs, endedTs, feedbackCount, trainRuns,
        pendingSeq);
  }

  SessionInfo ended(long ts) {
    return new SessionInfo(sessionId, userId, type, config, false, createdTs, ts, feedbackCount, trainRuns,
        pendingSeq);
  }
}
