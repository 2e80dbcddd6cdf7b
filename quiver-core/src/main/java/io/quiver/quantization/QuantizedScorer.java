package io.quiver.quantization;

import io.quiver.distance.Metric;

/**
 * Scores stored codes against one query: created once per query by {@link VectorQuantizer#scorer}, after which each
 * call reads one fixed-size code record and returns an approximate distance in the {@link Metric}
 * convention (smaller is closer). Not thread-safe: one per query, per thread.
 */
public interface QuantizedScorer {

  /** Approximate distance from the query to the vector with ordinal {@code ord}. */
  float score(int ord);

  /** Approximate distances to {@code count} ordinals into {@code out[0..count)}: the graph walk's batch form. */
  default void score(int[] ords, int count, float[] out) {
    for (int i = 0; i < count; i++) {
      out[i] = score(ords[i]);
    }
  }
}
