package io.quiver.index.hnsw;

import io.quiver.quantization.QuantizedScorer;
import io.quiver.util.LongHeap;
import java.util.Arrays;

/**
 * Scratch for one graph walk at a time (a search, an insert, a repair), reused through {@link HnswSearchContextPool}
 * so that the hot path allocates nothing per walk.
 */
final class HnswSearchContext {
  /** Where mapped vectors are copied for the kernels; empty for heap vectors. */
  final float[] scratch;
  int[] visited = new int[0];
  int epoch;
  long distanceCount;
  /** Set when a search stopped at its visit limit. */
  boolean incomplete;
  /** Scores the walk uses instead of full-precision distances, during one quantized search; else null. */
  QuantizedScorer approx;
  final LongHeap candidates = new LongHeap(256);
  final LongHeap results = new LongHeap(256);
  /** Entry points of the level-0 search: the upper levels' node and the best entry sample. */
  final long[] entryScratch = new long[2];
  private int[] sampleNodes = new int[0];
  private float[] sampleDistances = new float[0];

  int[] sampleNodes(int n) {
    if (sampleNodes.length < n) {
      sampleNodes = new int[n];
    }
    return sampleNodes;
  }

  float[] sampleDistances(int n) {
    if (sampleDistances.length < n) {
      sampleDistances = new float[n];
    }
    return sampleDistances;
  }
  /** Unvisited neighbours of the node being expanded, and their distances. */
  final int[] fresh = new int[1024];
  final float[] freshDistances = new float[1024];
  final float[] four = new float[4];
  final float[] eight = new float[8];
  final float[][] pages8 = new float[8][];
  final int[] offsets8 = new int[8];
  private long[] sorted = new long[0];
  private int[] selected = new int[0];
  private long[] prune = new long[0];
  private int[] pruneOut = new int[0];

  HnswSearchContext(int scratchFloats) {
    scratch = new float[scratchFloats];
  }

  void prepare(int capacity) {
    if (visited.length < capacity) {
      visited = new int[capacity];
      epoch = 0;
    }
  }

  /** Room for {@code capacity} marks, keeping the current walk's (new slots read as unvisited). */
  int[] grow(int capacity) {
    visited = Arrays.copyOf(visited, Math.max(capacity, visited.length + (visited.length >> 1)));
    return visited;
  }

  void newSearch() {
    candidates.clear();
    results.clear();
    if (++epoch == 0) {
      Arrays.fill(visited, 0);
      epoch = 1;
    }
  }

  long[] sortedScratch(int n) {
    return sorted.length >= n ? sorted : (sorted = new long[n]);
  }

  int[] selectedScratch(int n) {
    return selected.length >= n ? selected : (selected = new int[n]);
  }

  long[] pruneScratch(int n) {
    return prune.length >= n ? prune : (prune = new long[n]);
  }

  int[] pruneOut(int n) {
    return pruneOut.length >= n ? pruneOut : (pruneOut = new int[n]);
  }
}
