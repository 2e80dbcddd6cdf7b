package io.quiver.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Vectors stored contiguously in large heap {@code float[]} pages (a power-of-two number of vectors per page), so a
 * vector is addressed as (page, offset) and kernels run on the page array directly with no copy. Heap pages were
 * measured faster than an off-heap {@code MemorySegment} read path for the search loop (see docs/benchmarks.md).
 *
 * <p>Thread-safety: {@link #set} for distinct ordinals may run concurrently; a reader that learned an ordinal through
 * a happens-before edge (the index publishes ordinals only after storing them) sees the stored vector.
 */
public final class FloatVectorStore implements VectorStore {
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int TARGET_PAGE_FLOATS = 1 << 18; // 1 MiB pages: small slack for small indexes, no cost to lookups

  private final int dimension;
  private final int shift;
  private final int mask;
  private volatile float[][] pages = new float[0][];

  public FloatVectorStore(int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
    this.dimension = dimension;
    int perPage = Integer.highestOneBit(Math.max(1, TARGET_PAGE_FLOATS / dimension));
    this.shift = Integer.numberOfTrailingZeros(perPage);
    this.mask = perPage - 1;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  public void set(int ordinal, float[] vector) {
    float[] page = pageForWrite(ordinal);
    System.arraycopy(vector, 0, page, (ordinal & mask) * dimension, dimension);
  }

  /** The page array holding {@code ordinal}; pair with {@link #offset}. */
  public float[] page(int ordinal) {
    return pages[ordinal >>> shift];
  }

  public int offset(int ordinal) {
    return (ordinal & mask) * dimension;
  }

  /** {@inheritDoc} Heap pages are read in place: the page itself, whatever the slot. */
  @Override
  public float[] page(int ordinal, float[] scratch, int slot) {
    return pages[ordinal >>> shift];
  }

  @Override
  public int offset(int ordinal, int slot) {
    return (ordinal & mask) * dimension;
  }

  @Override
  public int scratchFloats() {
    return 0;
  }

  /**
   * Stores {@code count} vectors read from {@code src} (little-endian float32, back to back) under ordinals
   * {@code from .. from+count-1}, page by page with bulk copies.
   */
  public void setAll(int from, MemorySegment src, int count) {
    int done = 0;
    while (done < count) {
      int ordinal = from + done;
      float[] page = pageForWrite(ordinal);
      int n = Math.min(count - done, (mask + 1) - (ordinal & mask));
      MemorySegment.copy(src, LE_FLOAT, (long) done * dimension * Float.BYTES, page, offset(ordinal), n * dimension);
      done += n;
    }
  }

  @Override
  public float[] copyOf(int ordinal) {
    int off = offset(ordinal);
    return Arrays.copyOfRange(page(ordinal), off, off + dimension);
  }

  /** Number of vectors the allocated pages can hold. */
  @Override
  public int capacity() {
    return pages.length << shift;
  }

  @Override
  public long ramBytesUsed() {
    long bytes = 16 + 8L * pages.length;
    for (float[] p : pages) {
      bytes += 16 + 4L * p.length;
    }
    return bytes;
  }

  @Override
  public long mappedBytes() {
    return 0;
  }

  @Override
  public void close() {
    // heap pages need no release
  }

  private float[] pageForWrite(int ordinal) {
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be non-negative, got " + ordinal);
    }
    int pi = ordinal >>> shift;
    float[][] p = pages;
    if (pi < p.length) {
      return p[pi];
    }
    synchronized (this) {
      p = pages;
      if (pi >= p.length) {
        int old = p.length;
        p = Arrays.copyOf(p, pi + 1);
        for (int i = old; i <= pi; i++) {
          p[i] = new float[(mask + 1) * dimension];
        }
        pages = p;
      }
      return p[pi];
    }
  }
}
