package io.quiver.collection;

import io.quiver.PointId;
import java.util.List;

/** One page of a scroll: the points, and the id to pass as the next offset (null at the end). */
public record ScrollPage(List<PointRecord> points, PointId nextOffset) {}
