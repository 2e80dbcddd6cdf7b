package io.quiver.agent.pattern;

import io.quiver.agent.store.Inputs;
import java.util.List;

/**
 * An {@code agentdb_pattern_search}: the task text, how many results, the least cosine similarity a result may have,
 * and filters (null: none): task type, least success rate, and tags the pattern must all carry.
 */
public record PatternQuery(String task, int k, double threshold, String taskType, Double minSuccessRate,
    List<String> tags) {
  public PatternQuery {
    Inputs.text(task, "task");
    Inputs.atLeast(k, 1, "k");
    Inputs.finite(threshold, "threshold");
    if (minSuccessRate != null) {
      Inputs.unit(minSuccessRate, "filters.minSuccessRate");
    }
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  public static PatternQuery of(String task, int k) {
    return new PatternQuery(task, k, 0, null, null, null);
  }
}
