package io.quiver.agent.learning;

import io.quiver.QuiverException;

/**
 * Moves Q-values from {@code sourceSession} to {@code targetSession}. Each source state (most visited first, up to
 * {@code maxTransfers}) is matched to the target state with the same key, else to the target state whose text
 * embedding is nearest with cosine >= {@code minSimilarity}; with no match it is copied in as a new target state.
 * For each action, a value the target never learned (no visits) is copied; a learned one becomes
 * (1 - w) Q_target + w Q_source with w = {@code blend} x similarity. Visit counts are not copied.
 */
public record TransferRequest(String sourceSession, String targetSession, double minSimilarity, int maxTransfers,
    double blend) {
  public TransferRequest {
    if (sourceSession == null || targetSession == null) {
      throw new QuiverException.InvalidInput("source_session and target_session are required (transfer between "
          + "tasks is not a learning-session transfer)");
    }
    if (sourceSession.equals(targetSession)) {
      throw new QuiverException.InvalidInput("source_session and target_session must differ");
    }
    if (!(minSimilarity >= 0 && minSimilarity <= 1)) {
      throw new QuiverException.InvalidInput("min_similarity must be in [0, 1], got " + minSimilarity);
    }
    if (maxTransfers < 1) {
      throw new QuiverException.InvalidInput("max_transfers must be >= 1, got " + maxTransfers);
    }
    if (!(blend >= 0 && blend <= 1)) {
      throw new QuiverException.InvalidInput("blend must be in [0, 1], got " + blend);
    }
  }

  /** AgentDB's defaults: min_similarity 0.7, max_transfers 10, blend 0.5. */
  public static TransferRequest of(String source, String target) {
    return new TransferRequest(source, target, 0.7, 10, 0.5);
  }
}
