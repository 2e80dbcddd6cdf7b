package io.quiver.index.disk;

/**
 * Per-query knobs of a {@link DiskIndex} search.
 *
 * @param listSize the candidate list size L (DiskANN's search list): larger reads more blocks and finds more; never
 *     below k (a smaller value is raised to k)
 * @param beamWidth blocks fetched per round, with their reads in flight together (DiskANN's W)
 * @param rerank how many of the best candidates by the blocks' int8 distance are rescored with the float vectors
 *     (one more read each when not cached); 0 returns the int8 order without touching the float vectors
 */
public record DiskSearchParams(int listSize, int beamWidth, int rerank) {
  public static final DiskSearchParams DEFAULT = new DiskSearchParams(64, 4, 0);

  public DiskSearchParams {
    if (listSize < 1) {
      throw new IllegalArgumentException("listSize must be >= 1, got " + listSize);
    }
    if (beamWidth < 1 || beamWidth > 64) {
      throw new IllegalArgumentException("beamWidth must be in [1, 64], got " + beamWidth);
    }
    if (rerank < 0) {
      throw new IllegalArgumentException("rerank must be >= 0, got " + rerank);
    }
  }

  public static DiskSearchParams listSize(int l) {
    return new DiskSearchParams(l, DEFAULT.beamWidth, DEFAULT.rerank);
  }

  public DiskSearchParams withBeamWidth(int w) {
    return new DiskSearchParams(listSize, w, rerank);
  }

  public DiskSearchParams withRerank(int r) {
    return new DiskSearchParams(listSize, beamWidth, r);
  }
}
