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
 * k). A filtered search never gets fewer than k results when k live points match (see {@link #SCAN_FACTOR}).
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
   * Filtered searches count the filter's live matches first (one pass over the ordinals): up to
   * {@link #SCAN_FACTOR} times the list size they are scanned by code ({@link DiskIndex#searchAmong}, which reads only
   * the shortlist's blocks); above that the graph walk runs with its list widened by 1 / selectivity (at most
   * {@link #SCAN_FACTOR} times), and falls back to the scan if it still comes back short.
   */
  static final int SCAN_FACTOR = 16;

  @Override
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter) {
    int list = Math.max(k, params.ef() == 0 ? DEFAULT_LIST : params.ef());
    DiskSearchParams p = new DiskSearchParams(list, defaults.beamWidth(), defaults.rerank());
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
    if (n <= (long) SCAN_FACTOR * list) {
      return disk.searchAmong(query, k, matches, n, p);
    }
    int widened = (int) Math.min((long) SCAN_FACTOR * list, (long) list * disk.count() / Math.max(1, n));
    SearchResult r = disk.search(query, k, new DiskSearchParams(widened, p.beamWidth(), p.rerank()), filter);
    if (r.size() >= Math.min(k, n)) {
      return r;
    }
    SearchResult among = disk.searchAmong(query, k, matches, n, p);
    return new SearchResult(among.ordinals(), among.distances(), r.distanceComputations()
        + among.distanceComputations());
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
