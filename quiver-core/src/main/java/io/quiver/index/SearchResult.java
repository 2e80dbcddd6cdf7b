package io.quiver.index;

/**
 * Nearest neighbours by ascending distance (see {@link io.quiver.distance.Metric} for the convention).
 *
 * @param ordinals the ordinals, nearest first
 * @param distances their distances, same order
 * @param distanceComputations how many vector distances the search computed (the cost a search paid)
 */
public record SearchResult(int[] ordinals, float[] distances, long distanceComputations) {
  public static final SearchResult EMPTY = new SearchResult(new int[0], new float[0], 0);

  public int size() {
    return ordinals.length;
  }
}
