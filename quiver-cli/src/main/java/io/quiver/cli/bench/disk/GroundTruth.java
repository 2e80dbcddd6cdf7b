package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Exact k nearest neighbours by brute force over a base that need not fit in the heap: the base is copied a block at a
 * time (sized to stay in cache) and every query, split across threads, scans the block into its own bounded heap.
 */
final class GroundTruth {
  /** Floats per block: 2 MiB, so a block stays in the last-level cache while all queries scan it. */
  private static final int BLOCK_FLOATS = 1 << 19;

  private GroundTruth() {}

  /** Row i: the ordinals of the {@code k} base vectors nearest to query i, nearest first (ties by ordinal). */
  static int[][] compute(FvecsFile base, float[][] queries, Metric metric, int k, int threads,
      BuildProgress progress) throws InterruptedException {
    return compute(base, queries, metric, k, null, threads, progress);
  }

  /**
   * Row i: the ordinals of the {@code k} base vectors {@code filter} accepts (null: all) nearest to query i, nearest
   * first (ties by ordinal); a row is padded with -1 when fewer than {@code k} vectors match.
   */
  static int[][] compute(FvecsFile base, float[][] queries, Metric metric, int k, RowFilter filter, int threads,
      BuildProgress progress) throws InterruptedException {
    int dim = base.dimension();
    int n = base.size();
    int kk = Math.min(k, n);
    float[][] qs = new float[queries.length][];
    LongHeap[] heaps = new LongHeap[queries.length];
    for (int i = 0; i < qs.length; i++) {
      qs[i] = queries[i].clone();
      if (metric.normalizes()) {
        VectorUtil.normalize(qs[i]);
      }
      heaps[i] = new LongHeap(kk + 1);
    }
    int blockVectors = Math.max(64, BLOCK_FLOATS / dim);
    float[] block = new float[blockVectors * dim];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int start = 0; start < n; start += blockVectors) {
        int count = Math.min(blockVectors, n - start);
        for (int j = 0; j < count; j++) {
          base.copy(start + j, block, j * dim);
          if (metric.normalizes()) {
            normalize(block, j * dim, dim);
          }
        }
        int from = start;
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int qFrom = (int) ((long) qs.length * t / threads);
          int qTo = (int) ((long) qs.length * (t + 1) / threads);
          parts.add(pool.submit(() -> scan(qs, heaps, qFrom, qTo, block, from, count, dim, metric, kk, filter)));
        }
        for (Future<?> f : parts) {
          f.get();
        }
        progress.update(start + count, n);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("ground truth computation failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    int[][] out = new int[qs.length][];
    for (int i = 0; i < qs.length; i++) {
      LongHeap h = heaps[i];
      int[] row = new int[kk];
      Arrays.fill(row, -1);
      for (int r = h.size() - 1; r >= 0; r--) {
        row[r] = ScoredOrdinals.ordinal(~h.pop());
      }
      out[i] = row;
    }
    return out;
  }

  /** Max-heaps of ~packed (distance, ordinal): the top is the farthest kept neighbour. */
  private static void scan(float[][] qs, LongHeap[] heaps, int qFrom, int qTo, float[] block, int firstOrdinal,
      int count, int dim, Metric metric, int k, RowFilter filter) {
    for (int q = qFrom; q < qTo; q++) {
      LongHeap heap = heaps[q];
      float[] query = qs[q];
      for (int j = 0; j < count; j++) {
        if (filter != null && !filter.accept(firstOrdinal + j)) {
          continue;
        }
        long packed = ScoredOrdinals.pack(metric.storedDistance(query, 0, block, j * dim, dim), firstOrdinal + j);
        if (heap.size() < k) {
          heap.push(~packed);
        } else if (packed < ~heap.peek()) {
          heap.replaceTop(~packed);
        }
      }
    }
  }

  private static void normalize(float[] v, int offset, int dim) {
    double sum = 0;
    for (int d = 0; d < dim; d++) {
      sum += (double) v[offset + d] * v[offset + d];
    }
    if (sum > 0) {
      float inv = (float) (1 / Math.sqrt(sum));
      for (int d = 0; d < dim; d++) {
        v[offset + d] *= inv;
      }
    }
  }
}
