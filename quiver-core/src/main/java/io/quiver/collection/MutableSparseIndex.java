package io.quiver.collection;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-RAM sparse index of a mutable segment. One writer appends (ordinals ascending, so each posting list stays
 * sorted by ordinal); readers see a posting list up to the size published last, which is written after the arrays
 * it covers.
 */
final class MutableSparseIndex implements SparseIndex {
  private static final int PAGE_SHIFT = 12;

  /** A growable posting list: {@code size} is volatile and written after the entries below it. */
  private static final class Postings {
    volatile int[] ords = new int[4];
    volatile float[] values = new float[4];
    volatile int size;

    void add(int ord, float value) {
      int n = size;
      int[] o = ords;
      float[] v = values;
      if (n == o.length) {
        o = Arrays.copyOf(o, n * 2);
        v = Arrays.copyOf(v, n * 2);
      }
      o[n] = ord;
      v[n] = value;
      ords = o;
      values = v;
      size = n + 1;
    }
  }

  private final ConcurrentHashMap<Integer, Postings> terms = new ConcurrentHashMap<>();
  private volatile SparseVector[][] pages = new SparseVector[0][];
  private volatile int vectors;
  private long entries;

  /** Stores {@code v} (sorted, validated) as the vector of {@code ordinal}, above every ordinal stored before. */
  void add(int ordinal, SparseVector v) {
    int page = ordinal >>> PAGE_SHIFT;
    SparseVector[][] p = pages;
    if (page >= p.length) {
      p = Arrays.copyOf(p, page + 1);
      for (int i = pages.length; i < p.length; i++) {
        p[i] = new SparseVector[1 << PAGE_SHIFT];
      }
    }
    p[page][ordinal & ((1 << PAGE_SHIFT) - 1)] = v;
    pages = p;
    for (int i = 0; i < v.size(); i++) {
      terms.computeIfAbsent(v.indices()[i], t -> new Postings()).add(ordinal, v.values()[i]);
    }
    entries += v.size();
    vectors++;
  }

  @Override
  public int postings(int term) {
    Postings p = terms.get(term);
    return p == null ? 0 : p.size;
  }

  @Override
  public int countLive(int term, Segment s) {
    Postings p = terms.get(term);
    if (p == null) {
      return 0;
    }
    int n = p.size;
    int[] o = p.ords;
    int live = 0;
    for (int i = 0; i < n; i++) {
      if (!s.isDeleted(o[i])) {
        live++;
      }
    }
    return live;
  }

  @Override
  public void accumulate(int term, float weight, int limit, SparseScores acc) {
    Postings p = terms.get(term);
    if (p == null) {
      return;
    }
    int n = p.size;
    int[] o = p.ords;
    float[] v = p.values;
    for (int i = 0; i < n && o[i] < limit; i++) {
      acc.add(o[i], weight * v[i]);
    }
  }

  @Override
  public int vectors() {
    return vectors;
  }

  /** The terms, ascending unsigned. */
  int[] sortedTerms() {
    int[] t = terms.keySet().stream().mapToInt(Integer::intValue).map(x -> x ^ Integer.MIN_VALUE).sorted().toArray();
    for (int i = 0; i < t.length; i++) {
      t[i] ^= Integer.MIN_VALUE; // flipping the sign bit makes signed order unsigned order
    }
    return t;
  }

  /** Entries of {@code term}'s posting list (of a segment no longer written): ordinals and values. */
  int postingsInto(int term, int[] ords, float[] values, int at) {
    Postings p = terms.get(term);
    int n = p.size;
    System.arraycopy(p.ords, 0, ords, at, n);
    System.arraycopy(p.values, 0, values, at, n);
    return n;
  }

  long entries() {
    return entries;
  }

  @Override
  public boolean has(int ordinal) {
    return vector(ordinal) != null;
  }

  @Override
  public SparseVector vector(int ordinal) {
    SparseVector[][] p = pages;
    int page = ordinal >>> PAGE_SHIFT;
    return page < p.length ? p[page][ordinal & ((1 << PAGE_SHIFT) - 1)] : null;
  }

  long ramBytesUsed() {
    return 64L * terms.size() + 16L * entries + 8L * pages.length * (1 << PAGE_SHIFT);
  }
}
