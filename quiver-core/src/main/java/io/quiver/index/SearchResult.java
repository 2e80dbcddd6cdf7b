package io.quiver.index;

import io.quiver.distance.Metric;

/**
 * Nearest neighbours by ascending distance (see {@link Metric} for the convention).
 *
 * @param ordinals the ordinals, nearest first
 * @param distances their distances, same order
 * @param distanceComputations how many vector distances the search computed (the cost a search paid)
 * @param complete false when the search stopped at its {@link SearchParams#visitLimit()}: the results are then only
 *     what it had found so far
 */
public record SearchResult(int[] ordinals, float[] distances, long distanceComputations, boolean complete) {
  public static final SearchResult EMPTY = new SearchResult(new int[0], new float[0], 0, true);

  public SearchResult(int[] ordinals, float[] distances, long distanceComputations) {
    this(ordinals, distances, distanceComputations, true);
  }

  public int size() {
    return ordinals.length;
  }
}
