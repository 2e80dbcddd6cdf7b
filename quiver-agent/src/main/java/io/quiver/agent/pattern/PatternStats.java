package io.quiver.agent.pattern;

import java.util.List;

/**
 * {@code agentdb_pattern_stats}: how many patterns, their mean success rate (0 when none), and the most frequent task
 * types (count descending, then name).
 */
public record PatternStats(long total, double avgSuccessRate, List<TaskTypeCount> topTaskTypes) {
  public record TaskTypeCount(String taskType, long count, double avgSuccessRate) {}

  public PatternStats {
    topTaskTypes = List.copyOf(topTaskTypes);
  }
}
