package io.quiver.index;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.util.ConcurrentBitSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every in-memory index shares: the vector store, which ordinals are present or deleted, validation and the
 * distance function. Subclasses add their search structure in {@link #indexVector}.
 *
 * <p>An index is either writable (vectors in heap pages, built by {@link #add}) or <em>sealed</em>: opened from files,
 * with vectors in heap pages or in a mapped file. A sealed index searches, reads and deletes (in-memory tombstones)
 * like the original, and rejects {@link #add}.
 *
 * <p>The distance methods take a per-thread {@code scratch} array of {@link #scratchFloats()} floats: a single mapped
 * vector is copied there before the array kernels run, while four or eight mapped vectors are read in place by the
 * segment kernels (the faster choice for each, docs/benchmarks.md). Heap vectors are read in place and ignore it.
 */
public abstract class StoredVectorIndex implements VectorIndex {
  protected final int dimension;
  protected final Metric metric;
  /** Replaced only by {@link #replaceVectors} (a sealed index's vectors moving between heap and mapping). */
  protected VectorStore vectors;
  /** Mapped stores {@link #replaceVectors} took out of use: searches that began on them may still read them. */
  private final List<VectorStore> retired = new CopyOnWriteArrayList<>();
  /** The heap store adds write to; null when sealed. */
  private final FloatVectorStore writable;
  /** The file a sealed index was opened from, for messages; null when writable. */
  private final Path sealedSource;
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
    this(new FloatVectorStore(dimension), metric, null);
  }

  /**
   * An index over {@code vectors}: writable when {@code sealedSource} is null (then {@code vectors} must be a heap
   * store: empty, or one its owner fills and links with {@link #addStored}), else sealed, opened from {@code sealedSource}; restore a sealed index's state with {@link #restore}.
   */
  protected StoredVectorIndex(VectorStore vectors, Metric metric, Path sealedSource) {
    this.dimension = vectors.dimension();
    this.metric = Objects.requireNonNull(metric, "metric");
    this.vectors = vectors;
    this.sealedSource = sealedSource;
    if (sealedSource != null) {
      this.writable = null;
    } else if (vectors instanceof FloatVectorStore heap) {
      this.writable = heap;
    } else {
      throw new IllegalArgumentException("a writable index needs heap vector storage");
    }
  }

  /**
   * Sets the state of a freshly opened sealed index: ordinal {@code i < slots} is present when bit {@code i} of
   * {@code presentWords} is set, and {@code deletedOrdinals} (ascending, each present) are deleted.
   *
   * @throws IllegalArgumentException when a deleted ordinal is not present or the list is not ascending
   */
  protected final void restore(int slots, long[] presentWords, int[] deletedOrdinals) {
    if (sealedSource == null || maxOrdinal.get() != 0) {
      throw new IllegalStateException("restore is for a freshly opened sealed index");
    }
    present.orWords(presentWords);
    claimed.orWords(presentWords);
    int previous = -1;
    for (int ord : deletedOrdinals) {
      if (ord <= previous || ord >= slots || !present.get(ord)) {
        throw new IllegalArgumentException("deleted ordinal " + ord + " is out of order or not present");
      }
      deleted.set(ord);
      previous = ord;
    }
    maxOrdinal.set(slots);
    deletedCount.set(deletedOrdinals.length);
    live.set(present.cardinality() - deletedOrdinals.length);
  }

  /** Whether this index was opened from files (and so rejects adds). */
  public final boolean isSealed() {
    return sealedSource != null;
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
    if (writable == null) {
      throw new IllegalStateException("index is sealed (opened read-only from " + sealedSource
          + "): add is not supported; add to a writable index instead");
    }
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
    writable.set(ordinal, v);
    present.set(ordinal); // a full fence: scans that see the bit see the vector
    maxOrdinal.accumulateAndGet(ordinal + 1, Math::max);
    indexVector(ordinal);
    live.incrementAndGet();
  }

  /**
   * Links {@code ordinal}, whose vector the owner of this index's heap store has already written there (normalised
   * for a normalising metric), without copying it: an index made over a store its owner fills (a mutable segment's)
   * holds each vector once. The owner must have written the vector before this call and must not change it after.
   */
  public final void addStored(int ordinal) {
    if (writable == null) {
      throw new IllegalStateException("index is sealed (opened read-only from " + sealedSource
          + "): addStored is not supported");
    }
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be non-negative, got " + ordinal);
    }
    if (!claimed.set(ordinal)) {
      throw new IllegalStateException("ordinal " + ordinal + " was already added");
    }
    present.set(ordinal);
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

  /** Floats of per-thread scratch the distance methods need (0 when vectors are read in place). */
  protected final int scratchFloats() {
    // a sealed index's vectors may move to the mapping (replaceVectors) after its threads sized their scratch
    return sealedSource != null ? VectorStore.MAX_SLOTS * dimension : vectors.scratchFloats();
  }

  /** Distance from {@code query} to the stored vector of {@code ordinal}. */
  protected final float distance(float[] query, int ordinal, float[] scratch) {
    float[] page = vectors.page(ordinal, scratch, 0);
    int off = vectors.offset(ordinal, 0);
    return metric.storedDistance(query, 0, page, off, dimension);
  }

  /**
   * Distances from {@code query} to four stored vectors, into {@code out[0..3]}; same values as four calls of
   * {@link #distance(float[], int, float[])}, computed side by side.
   */
  // Kept under HotSpot's FreqInlineSize (325 bytecodes), as before mapped storage, so hot call sites still inline it.
  protected final void distance4(float[] query, int n0, int n1, int n2, int n3, float[] out, float[] scratch) {
    if (metric == Metric.L1) {
      singleDistances4(query, n0, n1, n2, n3, out, scratch);
      return;
    }
    if (!(vectors instanceof FloatVectorStore v)) {
      mappedDistance4((MappedVectorStore) vectors, query, n0, n1, n2, n3, out);
      return;
    }
    float[] p0 = v.page(n0), p1 = v.page(n1), p2 = v.page(n2), p3 = v.page(n3);
    int o0 = v.offset(n0), o1 = v.offset(n1), o2 = v.offset(n2), o3 = v.offset(n3);
    if (metric == Metric.L2) {
      VectorUtil.squareDistance4(query, p0, o0, p1, o1, p2, o2, p3, o3, dimension, out);
      return;
    }
    VectorUtil.dot4(query, p0, o0, p1, o1, p2, o2, p3, o3, dimension, out);
    dotToDistance(out, 4);
  }

  private void mappedDistance4(MappedVectorStore m, float[] query, int n0, int n1, int n2, int n3, float[] out) {
    if (metric == Metric.L2) {
      m.squareDistance4(query, n0, n1, n2, n3, out);
      return;
    }
    m.dot4(query, n0, n1, n2, n3, out);
    dotToDistance(out, 4);
  }

  private void singleDistances4(float[] query, int n0, int n1, int n2, int n3, float[] out, float[] scratch) {
    out[0] = distance(query, n0, scratch);
    out[1] = distance(query, n1, scratch);
    out[2] = distance(query, n2, scratch);
    out[3] = distance(query, n3, scratch);
  }

  /** Turns {@code n} dot products into DOT (-a.b) or COSINE (1 - a.b) distances in place. */
  private void dotToDistance(float[] out, int n) {
    float base = metric == Metric.DOT ? 0f : 1f;
    for (int i = 0; i < n; i++) {
      out[i] = base - out[i];
    }
  }

  /**
   * Distances from {@code query} to the eight nodes {@code nodes[from..from+7]}, into {@code out[0..7]}, using
   * {@code pages}/{@code offsets} (length 8) as scratch. L1 falls back to single distances.
   */
  protected final void distance8(float[] query, int[] nodes, int from, float[][] pages, int[] offsets, float[] out,
      float[] scratch) {
    if (metric == Metric.L1) {
      for (int k = 0; k < 8; k++) {
        out[k] = distance(query, nodes[from + k], scratch);
      }
      return;
    }
    if (!(vectors instanceof FloatVectorStore v)) {
      mappedDistance8((MappedVectorStore) vectors, query, nodes, from, out);
      return;
    }
    for (int k = 0; k < 8; k++) {
      int n = nodes[from + k];
      pages[k] = v.page(n);
      offsets[k] = v.offset(n);
    }
    if (metric == Metric.L2) {
      VectorUtil.squareDistance8(query, pages, offsets, dimension, out);
      return;
    }
    VectorUtil.dot8(query, pages, offsets, dimension, out);
    dotToDistance(out, 8);
  }

  private void mappedDistance8(MappedVectorStore m, float[] query, int[] nodes, int from, float[] out) {
    if (metric == Metric.L2) {
      m.squareDistance8(query, nodes, from, out);
      return;
    }
    m.dot8(query, nodes, from, out);
    dotToDistance(out, 8);
  }

  /** Distance between two stored vectors. */
  protected final float distanceBetween(int a, int b, float[] scratch) {
    float[] pa = vectors.page(a, scratch, 0);
    int oa = vectors.offset(a, 0);
    float[] pb = vectors.page(b, scratch, 1);
    int ob = vectors.offset(b, 1);
    return metric.storedDistance(pa, oa, pb, ob, dimension);
  }

  /** Whether a search may return {@code ordinal}. */
  protected final boolean acceptable(int ordinal, OrdinalFilter filter) {
    return !deleted.get(ordinal) && (filter == null || filter.accept(ordinal));
  }

  protected final long storageRamBytes() {
    return vectors.ramBytesUsed() + claimed.ramBytesUsed() + present.ramBytesUsed() + deleted.ramBytesUsed();
  }

  @Override
  public long mappedBytes() {
    return vectors.mappedBytes();
  }

  /** Of {@link #ramBytesUsed()}, the vectors held on the heap (0 when they are memory-mapped). */
  public final long vectorRamBytes() {
    return vectors.ramBytesUsed();
  }

  /** Releases the vector mapping of a sealed index; must not race with searches (the owner reference-counts). */
  @Override
  public void close() {
    vectors.close();
    for (VectorStore r : retired) {
      r.close();
    }
  }

  /** Whether the vectors are read from the mapped file rather than heap pages. */
  public final boolean vectorsMapped() {
    return vectors instanceof MappedVectorStore;
  }

  /**
   * Moves a sealed index's vectors to {@code next}, the same vectors held elsewhere (the heap pages or the mapping
   * of the file the index was opened from). A search already running finishes on the old store, so a mapped one is
   * closed only with the index; a heap one is left to the collector.
   */
  public final void replaceVectors(VectorStore next) {
    if (sealedSource == null) {
      throw new IllegalStateException("only a sealed index's vectors can move");
    }
    if (next.dimension() != dimension) {
      throw new IllegalArgumentException("dimension " + next.dimension() + " replacing " + dimension);
    }
    VectorStore old = vectors;
    vectors = next; // a plain write: the stores' fields are final, so a search that sees it sees it whole
    if (old instanceof MappedVectorStore) {
      retired.add(old);
    }
  }
}
