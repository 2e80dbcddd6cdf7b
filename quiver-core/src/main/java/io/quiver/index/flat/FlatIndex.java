package io.quiver.index.flat;

import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import io.quiver.index.IndexFiles;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.StoredVectorIndex;
import io.quiver.index.VectorFile;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Exact search: a SIMD scan over every stored vector with a bounded top-k heap. The ground truth other indexes are
 * measured against, and the right choice when a filter leaves few candidates.
 *
 * <p><b>Files.</b> {@link #save} writes {@code <name>.vec} (docs/format.md); {@link #open} reads it back as a sealed
 * index, with the vectors on the heap or memory-mapped.
 */
public final class FlatIndex extends StoredVectorIndex {
  /** Vectors scanned per block in batch search, so a block stays in cache while every query visits it. */
  private static final int BATCH_BLOCK = 256;

  public FlatIndex(int dimension, Metric metric) {
    super(dimension, metric);
  }

  private FlatIndex(VectorFile.Contents contents) {
    super(contents.vectors(), contents.metric(), contents.file());
    restore(contents.count(), contents.presentWords(), new int[0]);
  }

  /**
   * Writes the vectors to {@code dir/<name>.vec} (atomically, forced to disk). Deleted ordinals are written as absent:
   * a flat index has no use for their vectors, so after {@link #open} they are simply not there (and
   * {@link #deletedCount()} restarts at 0).
   *
   * <p>Requires that no add or delete runs concurrently (seal the index first); searches may.
   */
  public void save(Path dir, String name) throws IOException {
    VectorFile.write(IndexFiles.resolve(dir, name, VectorFile.EXTENSION), vectors, metric, maxOrdinal(),
        ord -> present.get(ord) && !deleted.get(ord));
  }

  /** {@link #open(Path, String, boolean, boolean)} with the vector checksum verified. */
  public static FlatIndex open(Path dir, String name, boolean mmapVectors) throws IOException {
    return open(dir, name, mmapVectors, true);
  }

  /**
   * Opens {@code dir/<name>.vec} as a sealed index: searches, {@link #vector}, {@link #contains} and in-memory
   * {@link #delete} work as on the saved index; {@link #add} throws {@link IllegalStateException}.
   *
   * @param mmapVectors keep the vectors in the memory-mapped file (only a small object on the heap; released by
   *     {@link #close}, which must not race with searches) instead of copying them into heap pages
   * @param verifyVectorChecksum check the vector data's CRC32C, which reads the whole file (see docs/format.md for
   *     the cost); headers are always checked
   * @throws CorruptFileException when the file is damaged, truncated, foreign or of an unknown version
   */
  public static FlatIndex open(Path dir, String name, boolean mmapVectors, boolean verifyVectorChecksum)
      throws IOException {
    VectorFile.Contents contents =
        VectorFile.open(IndexFiles.resolve(dir, name, VectorFile.EXTENSION), mmapVectors, verifyVectorChecksum);
    return new FlatIndex(contents);
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
