package io.quiver.index.flat;

import io.quiver.distance.Metric;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.StoredVectorIndex;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Exact search: a SIMD scan over every stored vector with a bounded top-k heap. The ground truth other indexes are
 * measured against, and the right choice when a filter leaves few candidates.
 */
public final class FlatIndex extends StoredVectorIndex {
  /** Vectors scanned per block in batch search, so a block stays in cache while every query visits it. */
  private static final int BATCH_BLOCK = 256;

  public FlatIndex(int dimension, Metric metric) {
    super(dimension, metric);
  }

  @Override
  protected void indexVector(int ordinal) {
    // nothing beyond storage
  }

  @Override
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter) {
    float[] q = prepareQuery(query, k);
    LongHeap top = new LongHeap(k + 1);
    long computed = scan(q, k, filter, 0, maxOrdinal(), top, new float[scratchFloats()]);
    return drain(top, k, computed);
  }

  /**
   * Exact search for many queries at once, parallel over ranges of the data: each worker scans its range in
   * cache-sized blocks against all queries, then per-query heaps are merged.
   */
  public SearchResult[] searchBatch(float[][] queries, int k, OrdinalFilter filter, int parallelism) {
    float[][] qs = new float[queries.length][];
    for (int i = 0; i < queries.length; i++) {
      qs[i] = prepareQuery(queries[i], k);
    }
    int n = maxOrdinal();
    int parts = Math.max(1, Math.min(parallelism, (n + BATCH_BLOCK - 1) / BATCH_BLOCK));
    List<Future<LongHeap[]>> futures = new ArrayList<>();
    ForkJoinPool pool = ForkJoinPool.commonPool();
    for (int p = 0; p < parts; p++) {
      int from = (int) ((long) n * p / parts);
      int to = (int) ((long) n * (p + 1) / parts);
      futures.add(pool.submit(() -> {
        LongHeap[] heaps = new LongHeap[qs.length];
        for (int i = 0; i < qs.length; i++) {
          heaps[i] = new LongHeap(k + 1);
        }
        float[] scratch = new float[scratchFloats()];
        for (int start = from; start < to; start += BATCH_BLOCK) {
          int end = Math.min(to, start + BATCH_BLOCK);
          for (int i = 0; i < qs.length; i++) {
            scan(qs[i], k, filter, start, end, heaps[i], scratch);
          }
        }
        return heaps;
      }));
    }
    LongHeap[] merged = new LongHeap[qs.length];
    try {
      for (Future<LongHeap[]> f : futures) {
        LongHeap[] part = f.get();
        for (int i = 0; i < qs.length; i++) {
          if (merged[i] == null) {
            merged[i] = part[i];
          } else {
            while (!part[i].isEmpty()) {
              offer(merged[i], part[i].pop(), k);
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("batch search interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("batch search failed", e.getCause());
    }
    SearchResult[] results = new SearchResult[qs.length];
    for (int i = 0; i < qs.length; i++) {
      results[i] = drain(merged[i], k, n);
    }
    return results;
  }

  /** Scans ordinals [from, to) into {@code top}, a max-heap of ~packed entries of at most k; returns distances computed. */
  private long scan(float[] q, int k, OrdinalFilter filter, int from, int to, LongHeap top, float[] scratch) {
    long computed = 0;
    boolean anyDeleted = deletedCount() > 0;
    for (int ord = from; ord < to; ord++) {
      if (!present.get(ord) || ((anyDeleted || filter != null) && !acceptable(ord, filter))) {
        continue;
      }
      float d = distance(q, ord, scratch);
      computed++;
      offer(top, ~ScoredOrdinals.pack(d, ord), k);
    }
    return computed;
  }

  private static void offer(LongHeap maxHeap, long negatedPacked, int k) {
    if (maxHeap.size() < k) {
      maxHeap.push(negatedPacked);
    } else if (negatedPacked > maxHeap.peek()) {
      maxHeap.replaceTop(negatedPacked);
    }
  }

  private static SearchResult drain(LongHeap maxHeap, int k, long computed) {
    while (maxHeap.size() > k) {
      maxHeap.pop();
    }
    int n = maxHeap.size();
    int[] ords = new int[n];
    float[] dists = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      long packed = ~maxHeap.pop();
      ords[i] = ScoredOrdinals.ordinal(packed);
      dists[i] = ScoredOrdinals.distance(packed);
    }
    return new SearchResult(ords, dists, computed);
  }

  @Override
  public long ramBytesUsed() {
    return storageRamBytes();
  }
}
