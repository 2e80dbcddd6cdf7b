package io.quiver.collection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The best {@code capacity} hits over all segments, by ascending distance, dropping any beyond {@code maxDistance}.
 * Equal distances rank by segment id, then ordinal, so the hits kept are a function of the points offered, not of
 * the order they came in: a scan that skips points proven worse than the k-th ({@link BoundedScan}) keeps exactly
 * the points a scan of all of them keeps, ties at the k-th place included.
 */
final class Hits {
  record Hit(float distance, Segment segment, int ordinal) {}

  private static final Comparator<Hit> BEST_FIRST = (a, b) -> compare(a.distance, a.segment, a.ordinal, b);
  private static final Comparator<Hit> WORST_FIRST = BEST_FIRST.reversed();
  private final int capacity;
  private final float maxDistance;
  private final PriorityQueue<Hit> heap;

  Hits(int capacity, float maxDistance) {
    this.capacity = capacity;
    this.maxDistance = maxDistance;
    this.heap = new PriorityQueue<>(Math.min(capacity, 1024) + 1, WORST_FIRST);
  }

  void offer(float distance, Segment segment, int ordinal) {
    if (!(distance <= maxDistance)) {
      return;
    }
    if (heap.size() < capacity) {
      heap.add(new Hit(distance, segment, ordinal));
    } else if (compare(distance, segment, ordinal, heap.peek()) < 0) {
      heap.poll();
      heap.add(new Hit(distance, segment, ordinal));
    }
  }

  /** The largest distance kept. */
  float maxDistance() {
    return maxDistance;
  }

  int size() {
    return heap.size();
  }

  /** The hits, best first. */
  List<Hit> sorted() {
    List<Hit> out = new ArrayList<>(heap);
    out.sort(BEST_FIRST);
    return out;
  }

  private static int compare(float distance, Segment segment, int ordinal, Hit o) {
    int c = Float.compare(distance, o.distance);
    if (c != 0) {
      return c;
    }
    c = Long.compare(segment.id, o.segment.id);
    return c != 0 ? c : Integer.compare(ordinal, o.ordinal);
  }
}
