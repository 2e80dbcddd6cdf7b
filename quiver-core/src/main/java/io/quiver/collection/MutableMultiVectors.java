package io.quiver.collection;

import java.util.Arrays;

/**
 * The multi-vectors of one field of a mutable segment, by ordinal. One writer stores (ordinals ascending); readers
 * see an ordinal's array once the page table that holds it is published, which is written after the array.
 */
final class MutableMultiVectors implements MultiVectorStore {
  private static final int PAGE_SHIFT = 12;
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  private volatile float[][][] pages = new float[0][][];
  private long floats;

  /** Stores prepared multi-vector {@code flat} as {@code ordinal}'s. */
  void add(int ordinal, float[] flat) {
    int page = ordinal >>> PAGE_SHIFT;
    float[][][] p = pages;
    if (page >= p.length) {
      p = Arrays.copyOf(p, page + 1);
      for (int i = pages.length; i < p.length; i++) {
        p[i] = new float[1 << PAGE_SHIFT][];
      }
    }
    p[page][ordinal & PAGE_MASK] = flat;
    floats += flat.length;
    pages = p;
  }

  @Override
  public float[] get(int ordinal) {
    float[][][] p = pages;
    int page = ordinal >>> PAGE_SHIFT;
    return page < p.length ? p[page][ordinal & PAGE_MASK] : null;
  }

  @Override
  public boolean has(int ordinal) {
    return get(ordinal) != null;
  }

  long ramBytesUsed() {
    return 4L * floats + 8L * pages.length * (1 << PAGE_SHIFT);
  }
}
