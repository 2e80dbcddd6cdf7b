package io.quiver.index;

import java.util.Arrays;

/**
 * Vectors stored contiguously in large heap {@code float[]} pages (a power-of-two number of vectors per page), so a
 * vector is addressed as (page, offset) and kernels run on the page array directly with no copy. Heap pages were
 * measured faster than an off-heap {@code MemorySegment} read path for the search loop (see docs/benchmarks.md).
 *
 * <p>Thread-safety: {@link #set} for distinct ordinals may run concurrently; a reader that learned an ordinal through
 * a happens-before edge (the index publishes ordinals only after storing them) sees the stored vector.
 */
public final class FloatVectorStore {
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

  public float[] copyOf(int ordinal) {
    int off = offset(ordinal);
    return Arrays.copyOfRange(page(ordinal), off, off + dimension);
  }

  /** Number of vectors the allocated pages can hold. */
  public int capacity() {
    return pages.length << shift;
  }

  public long ramBytesUsed() {
    long bytes = 16 + 8L * pages.length;
    for (float[] p : pages) {
      bytes += 16 + 4L * p.length;
    }
    return bytes;
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
