package io.quiver.index;

import io.quiver.distance.Metric;
import io.quiver.util.Parallel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The contract every index kind (exact, HNSW, ...) fulfils. Points are addressed by a non-negative int
 * <em>ordinal</em> that the caller assigns (a collection maps its point ids to ordinals). Results are ordered by
 * ascending distance as defined by {@link Metric}.
 *
 * <p>All methods are safe to call concurrently: adds of distinct ordinals, deletes and searches may overlap.
 */
public interface VectorIndex extends AutoCloseable {

  int dimension();

  Metric metric();

  /**
   * Adds {@code vector} under {@code ordinal}. The vector is copied (and normalised for cosine).
   *
   * @throws IllegalArgumentException on a wrong dimension, a NaN or infinite component, or a negative ordinal
   * @throws IllegalStateException when the ordinal was already added
   */
  void add(int ordinal, float[] vector);

  /** Adds {@code source.vector(i)} under ordinal {@code i} for every i, on {@code threads} threads. */
  default void addAll(VectorSource source, int threads, BuildProgress progress) {
    int n = source.size();
    AtomicInteger next = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    int chunk = 256;
    Runnable worker = () -> {
      int start;
      while ((start = next.getAndAdd(chunk)) < n) {
        int end = Math.min(n, start + chunk);
        for (int i = start; i < end; i++) {
          add(i, source.vector(i));
        }
        progress.update(done.addAndGet(end - start), n);
      }
    };
    Parallel.runOnThreads(worker, threads, "build");
  }

  /**
   * The {@code k} nearest live ordinals to {@code query} that {@code filter} accepts (null accepts all).
   *
   * @throws IllegalArgumentException on a wrong dimension, a non-finite component or k < 1
   */
  SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter);

  default SearchResult search(float[] query, int k) {
    return search(query, k, SearchParams.DEFAULT, null);
  }

  /** Marks {@code ordinal} deleted; searches never return it again. Returns false if absent or already deleted. */
  boolean delete(int ordinal);

  /** Whether {@code ordinal} was added and not deleted. */
  boolean contains(int ordinal);

  /** A copy of the stored vector (normalised for cosine), or null when absent. */
  float[] vector(int ordinal);

  /** Number of live (added and not deleted) vectors. */
  int size();

  /** Java heap bytes held by vectors, graph and bookkeeping; excludes {@link #mappedBytes()}. */
  long ramBytesUsed();

  /**
   * Bytes of files this index has memory-mapped (off-heap; the OS pages them in as searches touch them and may evict
   * them under memory pressure). 0 for an index whose data is all on the heap.
   */
  default long mappedBytes() {
    return 0;
  }

  /** Releases what the index holds outside the heap (file mappings). Must not race with other calls. */
  @Override
  default void close() {}
}
