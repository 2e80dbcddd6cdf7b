package io.quiver.index;

/**
 * Per-query knobs. {@code ef} is the HNSW search breadth (candidate list size); 0 means the index default. Exact
 * indexes ignore it.
 */
public record SearchParams(int ef) {
  public static final SearchParams DEFAULT = new SearchParams(0);

  public SearchParams {
    if (ef < 0) {
      throw new IllegalArgumentException("ef must be >= 0, got " + ef);
    }
  }

  public static SearchParams ef(int ef) {
    return new SearchParams(ef);
  }
}
