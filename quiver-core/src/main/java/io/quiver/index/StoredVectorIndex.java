package io.quiver.index;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.util.ConcurrentBitSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every in-memory index shares: the vector store, which ordinals are present or deleted, validation and the
 * distance function. Subclasses add their search structure in {@link #indexVector}.
 */
public abstract class StoredVectorIndex implements VectorIndex {
  protected final int dimension;
  protected final Metric metric;
  protected final FloatVectorStore vectors;
  /** Ordinals whose add has begun: rejects a second add of the same ordinal. */
  private final ConcurrentBitSet claimed = new ConcurrentBitSet();
  /** Ordinals whose vector is stored; set before the ordinal is linked anywhere a search can find it. */
  protected final ConcurrentBitSet present = new ConcurrentBitSet();
  protected final ConcurrentBitSet deleted = new ConcurrentBitSet();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger deletedCount = new AtomicInteger();
  /** One more than the highest ordinal ever added. */
  private final AtomicInteger maxOrdinal = new AtomicInteger();

  protected StoredVectorIndex(int dimension, Metric metric) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
    this.dimension = dimension;
    this.metric = java.util.Objects.requireNonNull(metric, "metric");
    this.vectors = new FloatVectorStore(dimension);
  }

  @Override
  public final int dimension() {
    return dimension;
  }

  @Override
  public final Metric metric() {
    return metric;
  }

  @Override
  public final void add(int ordinal, float[] vector) {
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be non-negative, got " + ordinal);
    }
    Vectors.check(vector, dimension);
    if (!claimed.set(ordinal)) {
      throw new IllegalStateException("ordinal " + ordinal + " was already added");
    }
    float[] v = vector;
    if (metric.normalizes()) {
      v = vector.clone();
      VectorUtil.normalize(v);
    }
    vectors.set(ordinal, v);
    present.set(ordinal); // a full fence: scans that see the bit see the vector
    maxOrdinal.accumulateAndGet(ordinal + 1, Math::max);
    indexVector(ordinal);
    live.incrementAndGet();
  }

  /** Links an ordinal whose vector is stored into the search structure. */
  protected abstract void indexVector(int ordinal);

  @Override
  public boolean delete(int ordinal) {
    if (ordinal < 0 || !present.get(ordinal)) {
      return false;
    }
    if (deleted.set(ordinal)) {
      live.decrementAndGet();
      deletedCount.incrementAndGet();
      return true;
    }
    return false;
  }

  @Override
  public final boolean contains(int ordinal) {
    return ordinal >= 0 && present.get(ordinal) && !deleted.get(ordinal);
  }

  @Override
  public final float[] vector(int ordinal) {
    return contains(ordinal) ? vectors.copyOf(ordinal) : null;
  }

  @Override
  public final int size() {
    return live.get();
  }

  /** Number of deleted ordinals. */
  public final int deletedCount() {
    return deletedCount.get();
  }

  protected final int maxOrdinal() {
    return maxOrdinal.get();
  }

  /** Validates a query and returns the vector to search with (normalised copy for cosine). */
  protected final float[] prepareQuery(float[] query, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Vectors.check(query, dimension);
    if (metric.normalizes()) {
      float[] q = query.clone();
      VectorUtil.normalize(q);
      return q;
    }
    return query;
  }

  /** Distance from {@code query} to the stored vector of {@code ordinal}. */
  protected final float distance(float[] query, int ordinal) {
    float[] page = vectors.page(ordinal);
    int off = vectors.offset(ordinal);
    return switch (metric) {
      case L2 -> VectorUtil.squareDistance(query, 0, page, off, dimension);
      case DOT -> -VectorUtil.dot(query, 0, page, off, dimension);
      case COSINE -> 1f - VectorUtil.dot(query, 0, page, off, dimension);
      case L1 -> VectorUtil.l1Distance(query, 0, page, off, dimension);
    };
  }

  /**
   * Distances from {@code query} to four stored vectors, into {@code out[0..3]}; same values as four calls of
   * {@link #distance(float[], int)}, computed side by side.
   */
  protected final void distance4(float[] query, int n0, int n1, int n2, int n3, float[] out) {
    FloatVectorStore v = vectors;
    switch (metric) {
      case L2 -> VectorUtil.squareDistance4(query, v.page(n0), v.offset(n0), v.page(n1), v.offset(n1), v.page(n2),
          v.offset(n2), v.page(n3), v.offset(n3), dimension, out);
      case DOT, COSINE -> {
        VectorUtil.dot4(query, v.page(n0), v.offset(n0), v.page(n1), v.offset(n1), v.page(n2), v.offset(n2),
            v.page(n3), v.offset(n3), dimension, out);
        float base = metric == Metric.DOT ? 0f : 1f;
        for (int i = 0; i < 4; i++) {
          out[i] = base - out[i];
        }
      }
      case L1 -> {
        out[0] = distance(query, n0);
        out[1] = distance(query, n1);
        out[2] = distance(query, n2);
        out[3] = distance(query, n3);
      }
    }
  }

  /**
   * Distances from {@code query} to the eight nodes {@code nodes[from..from+7]}, into {@code out[0..7]}, using
   * {@code pages}/{@code offsets} (length 8) as scratch. L1 falls back to single distances.
   */
  protected final void distance8(float[] query, int[] nodes, int from, float[][] pages, int[] offsets, float[] out) {
    FloatVectorStore v = vectors;
    for (int k = 0; k < 8; k++) {
      int n = nodes[from + k];
      pages[k] = v.page(n);
      offsets[k] = v.offset(n);
    }
    switch (metric) {
      case L2 -> VectorUtil.squareDistance8(query, pages, offsets, dimension, out);
      case DOT, COSINE -> {
        VectorUtil.dot8(query, pages, offsets, dimension, out);
        float base = metric == Metric.DOT ? 0f : 1f;
        for (int i = 0; i < 8; i++) {
          out[i] = base - out[i];
        }
      }
      case L1 -> {
        for (int k = 0; k < 8; k++) {
          out[k] = distance(query, nodes[from + k]);
        }
      }
    }
  }

  /** Distance between two stored vectors. */
  protected final float distanceBetween(int a, int b) {
    float[] pa = vectors.page(a);
    int oa = vectors.offset(a);
    float[] pb = vectors.page(b);
    int ob = vectors.offset(b);
    return switch (metric) {
      case L2 -> VectorUtil.squareDistance(pa, oa, pb, ob, dimension);
      case DOT -> -VectorUtil.dot(pa, oa, pb, ob, dimension);
      case COSINE -> 1f - VectorUtil.dot(pa, oa, pb, ob, dimension);
      case L1 -> VectorUtil.l1Distance(pa, oa, pb, ob, dimension);
    };
  }

  /** Whether a search may return {@code ordinal}. */
  protected final boolean acceptable(int ordinal, OrdinalFilter filter) {
    return !deleted.get(ordinal) && (filter == null || filter.accept(ordinal));
  }

  protected final long storageRamBytes() {
    return vectors.ramBytesUsed() + claimed.ramBytesUsed() + present.ramBytesUsed() + deleted.ramBytesUsed();
  }
}
