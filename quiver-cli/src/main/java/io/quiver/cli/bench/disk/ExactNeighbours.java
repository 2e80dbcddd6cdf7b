package io.quiver.cli.bench.disk;

import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.util.Arrays;
import java.util.function.IntPredicate;

/** Exact k nearest neighbours by brute force over the in-RAM vectors of an {@link UpdateData}, live ids only. */
final class ExactNeighbours {
  private ExactNeighbours() {}

  /** The ids of the {@code k} live points nearest to {@code query}, nearest first (fewer if fewer are live). */
  static int[] topK(UpdateData data, float[] query, int k, IntPredicate live) {
    LongHeap heap = new LongHeap(k + 1); // ~packed (distance, id): the top is the farthest kept
    int total = data.n() + data.updates().length;
    int dim = data.dim();
    for (int id = 0; id < total; id++) {
      if (!live.test(id)) {
        continue;
      }
      long packed = ScoredOrdinals.pack(data.metric().storedDistance(query, 0, data.vector(id), 0, dim), id);
      if (heap.size() < k) {
        heap.push(~packed);
      } else if (packed < ~heap.peek()) {
        heap.replaceTop(~packed);
      }
    }
    int[] out = new int[heap.size()];
    for (int r = out.length - 1; r >= 0; r--) {
      out[r] = ScoredOrdinals.ordinal(~heap.pop());
    }
    return out;
  }

  /** The share of {@code truth} found in {@code found} (1 when truth is empty). */
  static double recall(int[] truth, long[] found) {
    if (truth.length == 0) {
      return 1;
    }
    int[] sorted = truth.clone();
    Arrays.sort(sorted);
    int hits = 0;
    for (long id : found) {
      if (id >= 0 && id <= Integer.MAX_VALUE && Arrays.binarySearch(sorted, (int) id) >= 0) {
        hits++;
      }
    }
    return (double) hits / truth.length;
  }
}
