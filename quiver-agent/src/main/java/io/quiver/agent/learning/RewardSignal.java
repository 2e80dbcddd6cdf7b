package io.quiver.agent.learning;

import java.util.Map;

/**
 * A computed reward in [0, 1] with the components it combined ({@link RewardFunction} documents each function).
 * {@code causalIncluded} is false: causal impact would come from the causal graph, which this computation does not
 * read.
 */
public record RewardSignal(Long episodeId, String function, double reward, Map<String, Double> components,
    boolean causalIncluded) {
  public RewardSignal {
    components = Map.copyOf(components);
  }
}
