package io.quiver.agent.recall;

import java.util.List;

/** The recalled memories, highest utility first, and the certificate of the answer. */
public record RecallResult(List<RecallHit> hits, Certificate certificate) {
  public RecallResult {
    hits = List.copyOf(hits);
  }
}
