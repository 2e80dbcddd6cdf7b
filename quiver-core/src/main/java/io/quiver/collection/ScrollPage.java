package io.quiver.collection;

import io.quiver.PointId;
import java.util.List;

/**
 * One page of a scroll: the points, and the id to pass as the next offset (null at the end). When the scroll was
 * ordered by a payload field, {@code orderValues} holds each point's value of it (parallel to {@code points}: a point
 * with several values appears once per value); otherwise it is empty.
 */
public record ScrollPage(List<PointRecord> points, PointId nextOffset, List<Double> orderValues) {
  public ScrollPage {
    orderValues = orderValues == null ? List.of() : List.copyOf(orderValues);
  }

  public ScrollPage(List<PointRecord> points, PointId nextOffset) {
    this(points, nextOffset, List.of());
  }
}
