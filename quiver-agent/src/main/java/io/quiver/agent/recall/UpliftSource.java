package io.quiver.agent.recall;

import java.util.Map;

/**
 * The causal uplift of a stored memory: how much recalling or applying it raised outcomes, as the causal graph
 * estimates it. Values must lie in {@code [-bound(), bound()]}: {@link CausalRecall} uses the bound to prove that no
 * episode outside its candidates can outrank the answer, and refuses a value outside it.
 */
public interface UpliftSource {
  /** No causal knowledge: every uplift is 0. */
  UpliftSource NONE = new UpliftSource() {
    @Override
    public double uplift(long episodeId) {
      return 0;
    }

    @Override
    public double bound() {
      return 0;
    }
  };

  /** The uplift of episode {@code episodeId} (0 when nothing is known of it). */
  double uplift(long episodeId);

  /**
   * Every episode whose uplift is not 0, with its uplift, when the source can list them (null otherwise, the default).
   * Recall scores the listed episodes directly, so an episode it does not score has uplift 0 and the bound it proves
   * exactness with needs no uplift term; and it reads uplifts from this map instead of asking episode by episode.
   */
  default Map<Long, Double> nonZero() {
    return null;
  }

  /** The largest absolute uplift this source returns; 1 by default (uplifts of rewards in [0, 1]). */
  default double bound() {
    return 1;
  }
}
