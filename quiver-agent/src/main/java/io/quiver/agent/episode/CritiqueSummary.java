package io.quiver.agent.episode;

import java.util.List;

/**
 * The self-critiques recorded for the episodes most similar to a task: failures (what went wrong) and successes
 * (what worked), each most similar first; episodes without a critique are left out.
 */
public record CritiqueSummary(String task, List<EpisodeHit> failures, List<EpisodeHit> successes) {
  public CritiqueSummary {
    failures = List.copyOf(failures);
    successes = List.copyOf(successes);
  }
}
