package io.quiver.agent.learning;

import java.util.List;

/**
 * Learning performance over a time window.
 *
 * @param groupBy what {@code groups} are keyed by: {@code session}, {@code state} (AgentDB's {@code task}: a learning
 *     transition's task is its state) or {@code action} (AgentDB's {@code skill})
 * @param trends the window cut into {@link LearningMetrics#TREND_BUCKETS} equal time buckets, oldest first (empty
 *     when not asked for)
 * @param trendSlope least-squares slope of the mean reward per bucket over the non-empty buckets (NaN with fewer
 *     than two)
 */
public record MetricsReport(String sessionId, double timeWindowDays, Stats overall, String groupBy,
    List<Group> groups, List<Bucket> trends, double trendSlope, String trend) {
  /** Count, success rate and rewards of some transitions (rates and means NaN for none). */
  public record Stats(long count, double successRate, double meanReward, double totalReward) {}

  public record Group(String key, Stats stats) {}

  /** One time bucket: [fromTs, toTs) in epoch milliseconds. */
  public record Bucket(long fromTs, long toTs, Stats stats) {}

  public MetricsReport {
    groups = List.copyOf(groups);
    trends = List.copyOf(trends);
  }
}
