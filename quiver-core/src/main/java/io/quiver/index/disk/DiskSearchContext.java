package io.quiver.index.disk;

import java.util.Arrays;

/**
 * Scratch of one search on one thread: the candidate list (sorted by estimated distance, each marked once its block
 * was read), the visited set, the results gathered from read blocks, and buffers for neighbour ids and records.
 */
final class DiskSearchContext {
  // candidate list, ascending by distance
  int[] candNode = new int[64];
  float[] candDist = new float[64];
  boolean[] candExpanded = new boolean[64];
  int candSize;

  // results: nodes whose block was read, with the block's distance
  int[] resNode = new int[256];
  float[] resDist = new float[256];
  int resSize;

  /** Positions whose code was scored (they entered the list or were dropped). */
  final IntHashSet visited = new IntHashSet();
  /** Positions whose block record was scored (read, or a page-mate of a read block). */
  final IntHashSet scored = new IntHashSet();

  final int[] neighbours;
  int[] batch;
  float[] batchDist;
  final int[] expand;
  final byte[] records;
  final float[] recordDist;
  final float[] floats;

  DiskSearchContext(int maxDegree, int recordBytes, int dimension) {
    this.neighbours = new int[Math.max(maxDegree, 1)];
    this.batch = new int[64 * Math.max(maxDegree, 1)];
    this.batchDist = new float[batch.length];
    this.expand = new int[64];
    this.records = new byte[64 * recordBytes];
    this.recordDist = new float[64];
    this.floats = new float[dimension];
  }

  void reset(int listSize) {
    candSize = 0;
    resSize = 0;
    if (candNode.length < listSize + 1) {
      int cap = listSize + 1;
      candNode = new int[cap];
      candDist = new float[cap];
      candExpanded = new boolean[cap];
    }
    visited.clear();
    scored.clear();
    if (matchesMarked) {
      Arrays.fill(matchBits, 0);
      matchesMarked = false;
    }
  }

  /** Room for {@code more} entries after {@code used} in the batch. */
  void ensureBatch(int used, int more) {
    if (used + more > batch.length) {
      int cap = Math.max(batch.length * 2, used + more);
      batch = Arrays.copyOf(batch, cap);
      batchDist = Arrays.copyOf(batchDist, cap);
    }
  }

  boolean visit(int node) {
    return visited.add(node);
  }

  /**
   * Positions that match a shortlist scan's filter, as bits (a scan may mark every position of the index): one bit
   * per position and no rehashing; against a hash set, interleaved runs on 1,000,000 x 128 showed no difference
   * beyond their +-20% spread. Cleared by {@link #reset}.
   */
  private long[] matchBits = new long[0];
  private boolean matchesMarked;

  /** Marks position {@code p} as a match of this scan; false when it already was. */
  boolean markMatch(int p) {
    int word = p >>> 6;
    if (word >= matchBits.length) {
      matchBits = Arrays.copyOf(matchBits, Math.max(word + 1, matchBits.length * 2));
    }
    matchesMarked = true;
    long bit = 1L << p;
    if ((matchBits[word] & bit) != 0) {
      return false;
    }
    matchBits[word] |= bit;
    return true;
  }

  /** Whether position {@code p} was marked by {@link #markMatch} since the last {@link #reset}. */
  boolean isMatch(int p) {
    int word = p >>> 6;
    return word < matchBits.length && (matchBits[word] & (1L << p)) != 0;
  }

  /** Inserts into the candidate list kept at most {@code listSize} long; false when it fell off the end. */
  boolean offer(int node, float dist, int listSize, boolean expanded) {
    if (candSize == listSize && dist >= candDist[candSize - 1]) {
      return false;
    }
    int lo = insertionPoint(dist);
    int move = Math.min(candSize, listSize - 1) - lo;
    if (move > 0) {
      System.arraycopy(candNode, lo, candNode, lo + 1, move);
      System.arraycopy(candDist, lo, candDist, lo + 1, move);
      System.arraycopy(candExpanded, lo, candExpanded, lo + 1, move);
    }
    candNode[lo] = node;
    candDist[lo] = dist;
    candExpanded[lo] = expanded;
    if (candSize < listSize) {
      candSize++;
    }
    return true;
  }

  /**
   * Replaces the estimate of the expanded candidate at {@code index} with the block's finer distance and moves it
   * to its place in the list.
   */
  void refine(int index, float dist) {
    int node = candNode[index];
    // remove
    System.arraycopy(candNode, index + 1, candNode, index, candSize - index - 1);
    System.arraycopy(candDist, index + 1, candDist, index, candSize - index - 1);
    System.arraycopy(candExpanded, index + 1, candExpanded, index, candSize - index - 1);
    candSize--;
    int lo = insertionPoint(dist);
    System.arraycopy(candNode, lo, candNode, lo + 1, candSize - lo);
    System.arraycopy(candDist, lo, candDist, lo + 1, candSize - lo);
    System.arraycopy(candExpanded, lo, candExpanded, lo + 1, candSize - lo);
    candNode[lo] = node;
    candDist[lo] = dist;
    candExpanded[lo] = true;
    candSize++;
  }

  /** The index before which {@code dist} goes in the candidate list (after equal distances). */
  private int insertionPoint(float dist) {
    int lo = 0;
    int hi = candSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (candDist[mid] <= dist) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  void addResult(int node, float dist) {
    if (resSize == resNode.length) {
      resNode = Arrays.copyOf(resNode, resSize * 2);
      resDist = Arrays.copyOf(resDist, resSize * 2);
    }
    resNode[resSize] = node;
    resDist[resSize] = dist;
    resSize++;
  }
}
