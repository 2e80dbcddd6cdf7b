package io.quiver.collection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** The best {@code capacity} hits over all segments, by ascending distance, dropping any beyond {@code maxDistance}. */
final class Hits {
  record Hit(float distance, Segment segment, int ordinal) {}

  private static final Comparator<Hit> WORST_FIRST = Comparator.comparingDouble(Hit::distance).reversed();
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
    } else if (distance < heap.peek().distance()) {
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
    out.sort(Comparator.comparingDouble(Hit::distance));
    return out;
  }
}
