package io.quiver.index.disk;

/**
 * Per-query knobs of a {@link DiskIndex} search.
 *
 * @param listSize the candidate list size L (DiskANN's search list): larger reads more blocks and finds more; never
 *     below k (a smaller value is raised to k)
 * @param beamWidth blocks fetched per round, with their reads in flight together (DiskANN's W)
 * @param rerank how many of the best candidates by the blocks' int8 distance are rescored with the float vectors
 *     (one more read each when not cached); 0 returns the int8 order without touching the float vectors
 * @param entrySamples how many nodes, spread evenly over the index, are scored by their in-RAM codes before the walk;
 *     the best of them enters the list beside the node the routing layers lead to (0: only that node). The routing
 *     layers descend greedily and can end in the wrong cluster for a query between clusters, and no list size walks
 *     out of it: on 1,000,000 x 128 clustered vectors 3.9% of the queries missed all ten true neighbours with exact
 *     distances at every L. The best of 1,024 samples by code raised the disk search's recall@10 there from 0.8953 to
 *     0.9341 at L 64 and from 0.9286 to 0.9620 at L 128, with fewer blocks read (70.6 against 80.8 at L 64; 512
 *     samples: 0.9265 and 0.9555), for 1,024 code distances a query, about a third of what the walk scores
 */
public record DiskSearchParams(int listSize, int beamWidth, int rerank, int entrySamples) {
  /** The default {@link #entrySamples}. */
  public static final int DEFAULT_ENTRY_SAMPLES = 1024;
  public static final DiskSearchParams DEFAULT = new DiskSearchParams(64, 4, 0, DEFAULT_ENTRY_SAMPLES);

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
    if (entrySamples < 0) {
      throw new IllegalArgumentException("entrySamples must be >= 0, got " + entrySamples);
    }
  }

  /** Knobs with the default {@link #entrySamples}. */
  public DiskSearchParams(int listSize, int beamWidth, int rerank) {
    this(listSize, beamWidth, rerank, DEFAULT_ENTRY_SAMPLES);
  }

  public static DiskSearchParams listSize(int l) {
    return new DiskSearchParams(l, DEFAULT.beamWidth, DEFAULT.rerank, DEFAULT.entrySamples);
  }

  public DiskSearchParams withBeamWidth(int w) {
    return new DiskSearchParams(listSize, w, rerank, entrySamples);
  }

  public DiskSearchParams withRerank(int r) {
    return new DiskSearchParams(listSize, beamWidth, r, entrySamples);
  }

  public DiskSearchParams withEntrySamples(int s) {
    return new DiskSearchParams(listSize, beamWidth, rerank, s);
  }
}
