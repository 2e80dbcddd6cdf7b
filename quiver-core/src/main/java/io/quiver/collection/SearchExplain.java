package io.quiver.collection;

import java.util.List;

/** A search's results with how each segment was searched ({@link Collection#explain}). */
public record SearchExplain(List<ScoredPoint> points, List<SegmentPlan> segments) {
  public SearchExplain {
    points = List.copyOf(points);
    segments = List.copyOf(segments);
  }

  /** Distance computations over all segments. */
  public long distanceComputations() {
    return segments.stream().mapToLong(SegmentPlan::distanceComputations).sum();
  }
}
