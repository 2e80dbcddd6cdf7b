package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import java.util.Arrays;

/**
 * A {@link DiskIndex} behind the {@link VectorIndex} contract, read-only (adds are refused): what a sealed segment
 * and the index test family use. {@link SearchParams#ef()} is the search list size (0: the default 64, never below
 * k). A filtered search never gets fewer than k results when k live points match.
 */
public final class DiskVectorIndex implements VectorIndex {
  private static final int DEFAULT_LIST = DiskSearchParams.DEFAULT.listSize();
  private final DiskIndex disk;
  private final DiskSearchParams defaults;

  public DiskVectorIndex(DiskIndex disk, DiskSearchParams defaults) {
    this.disk = disk;
    this.defaults = defaults;
  }

  public DiskIndex disk() {
    return disk;
  }

  @Override
  public int dimension() {
    return disk.dimension();
  }

  @Override
  public Metric metric() {
    return disk.metric();
  }

  @Override
  public void add(int ordinal, float[] vector) {
    throw new UnsupportedOperationException("a disk index is read-only: it is written whole by DiskIndex.build");
  }

  /**
   * A filtered search first lists the filter's live matches (one pass over the ordinals), then runs as
   * {@link DiskFilteredSearch} plans: a code scan of the matches or a widened walk, never short.
   */
  @Override
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter) {
    int list = Math.max(k, params.ef() == 0 ? DEFAULT_LIST : params.ef());
    DiskSearchParams p = new DiskSearchParams(list, defaults.beamWidth(), defaults.rerank(), defaults.entrySamples());
    if (filter == null) {
      return disk.search(query, k, p, null);
    }
    int[] matches = new int[Math.min(disk.count(), 1024)];
    int n = 0;
    for (int o = 0; o < disk.count(); o++) {
      if (disk.contains(o) && filter.accept(o)) {
        if (n == matches.length) {
          matches = Arrays.copyOf(matches, Math.min(disk.count(), n * 2));
        }
        matches[n++] = o;
      }
    }
    return DiskFilteredSearch.DEFAULT.search(disk, query, k, p, filter, matches, n);
  }

  @Override
  public boolean delete(int ordinal) {
    return disk.delete(ordinal);
  }

  @Override
  public boolean contains(int ordinal) {
    return disk.contains(ordinal);
  }

  @Override
  public float[] vector(int ordinal) {
    return disk.vector(ordinal);
  }

  @Override
  public int size() {
    return disk.size();
  }

  @Override
  public long ramBytesUsed() {
    return disk.ramBytesUsed();
  }

  @Override
  public long mappedBytes() {
    return disk.mappedBytes();
  }

  @Override
  public void close() {
    disk.close();
  }
}
