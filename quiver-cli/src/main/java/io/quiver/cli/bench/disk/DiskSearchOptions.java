package io.quiver.cli.bench.disk;

/**
 * Search knobs of disk engines beyond the list size.
 *
 * @param beamWidth blocks fetched per search round with their reads in flight together (DiskANN's W)
 * @param rerank candidates rescored with the full-precision vectors at the end; 0 keeps the compact order
 */
public record DiskSearchOptions(int beamWidth, int rerank) {
  public DiskSearchOptions {
    if (beamWidth < 1 || rerank < 0) {
      throw new IllegalArgumentException("beam width must be >= 1 and rerank >= 0, got " + beamWidth + " and "
          + rerank);
    }
  }
}
