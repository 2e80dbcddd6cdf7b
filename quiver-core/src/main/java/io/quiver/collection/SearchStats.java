package io.quiver.collection;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Running totals of how segments were searched, for metrics ({@link Collection#searchStats}). */
public final class SearchStats {
  private final Map<SearchStrategy, LongAdder> segmentSearches = new EnumMap<>(SearchStrategy.class);
  private final LongAdder fallbacks = new LongAdder();
  private final LongAdder distanceComputations = new LongAdder();
  private final LongAdder payloadLinkWalks = new LongAdder();

  SearchStats() {
    for (SearchStrategy s : SearchStrategy.values()) {
      segmentSearches.put(s, new LongAdder());
    }
  }

  void record(SegmentPlan plan) {
    segmentSearches.get(plan.strategy()).increment();
    if (plan.fallback()) {
      fallbacks.increment();
    }
    distanceComputations.add(plan.distanceComputations());
    if (plan.payloadLinks()) {
      payloadLinkWalks.increment();
    }
  }

  /** Segment searches whose graph walk followed payload-aware links (see {@code HnswConfig.payloadM}). */
  public long payloadLinkWalks() {
    return payloadLinkWalks.sum();
  }

  /**
   * Segment searches done with {@code strategy} ({@link SearchStrategy#ROUTE_THROUGH} includes unfiltered graph
   * searches, {@link SearchStrategy#EXACT} includes fallbacks).
   */
  public long segmentSearches(SearchStrategy strategy) {
    return segmentSearches.get(strategy).sum();
  }

  /** Graph searches abandoned for an exact scan. */
  public long fallbacks() {
    return fallbacks.sum();
  }

  public long distanceComputations() {
    return distanceComputations.sum();
  }
}
