package io.quiver.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A growable bit set safe for concurrent readers and writers. Bits live in fixed pages that are never copied, so a
 * set racing with growth is never lost; only the (volatile) outer array of pages is replaced when it grows.
 */
public final class ConcurrentBitSet {
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int PAGE_BITS_SHIFT = 18; // 256 Ki bits = 32 KiB a page
  private static final int PAGE_LONGS = 1 << (PAGE_BITS_SHIFT - 6);
  private static final long[] EMPTY_PAGE = new long[0];

  private volatile long[][] pages = new long[0][];

  /** Sets the bit; returns true when it was clear before. */
  public boolean set(int index) {
    long[] page = pageForWrite(index);
    long mask = 1L << index;
    int word = (index >>> 6) & (PAGE_LONGS - 1);
    long prev = (long) LONGS.getAndBitwiseOr(page, word, mask);
    return (prev & mask) == 0;
  }

  /** Clears the bit; returns true when it was set before. */
  public boolean clear(int index) {
    long[][] p = pages;
    int pi = index >>> PAGE_BITS_SHIFT;
    if (pi >= p.length || p[pi] == EMPTY_PAGE) {
      return false;
    }
    long mask = 1L << index;
    int word = (index >>> 6) & (PAGE_LONGS - 1);
    long prev = (long) LONGS.getAndBitwiseAnd(p[pi], word, ~mask);
    return (prev & mask) != 0;
  }

  /** Sets every bit {@code i} for which bit {@code i % 64} of {@code words[i / 64]} is set (a bulk load). */
  public void orWords(long[] words) {
    for (int from = 0; from < words.length; from += PAGE_LONGS) {
      int to = Math.min(words.length, from + PAGE_LONGS);
      boolean any = false;
      for (int w = from; w < to && !any; w++) {
        any = words[w] != 0;
      }
      if (!any) {
        continue;
      }
      long[] page = pageForWrite(from << 6);
      for (int w = from; w < to; w++) {
        if (words[w] != 0) {
          LONGS.getAndBitwiseOr(page, w - from, words[w]);
        }
      }
    }
  }

  public boolean get(int index) {
    long[][] p = pages;
    int pi = index >>> PAGE_BITS_SHIFT;
    if (pi >= p.length) {
      return false;
    }
    long[] page = p[pi];
    int word = (index >>> 6) & (PAGE_LONGS - 1);
    // acquire: a reader that sees a bit also sees what its setter wrote before setting it (free on x86)
    return word < page.length && ((long) LONGS.getAcquire(page, word) & (1L << index)) != 0;
  }

  /** Number of set bits (a snapshot; not atomic with concurrent writers). */
  public int cardinality() {
    int c = 0;
    for (long[] page : pages) {
      for (long w : page) {
        c += Long.bitCount(w);
      }
    }
    return c;
  }

  public long ramBytesUsed() {
    long bytes = 16 + 8L * pages.length;
    for (long[] page : pages) {
      bytes += 16 + 8L * page.length;
    }
    return bytes;
  }

  private long[] pageForWrite(int index) {
    if (index < 0) {
      throw new IndexOutOfBoundsException("negative bit index " + index);
    }
    int pi = index >>> PAGE_BITS_SHIFT;
    long[][] p = pages;
    if (pi < p.length && p[pi] != EMPTY_PAGE) {
      return p[pi];
    }
    synchronized (this) {
      p = pages;
      if (pi >= p.length) {
        int old = p.length;
        p = Arrays.copyOf(p, pi + 1);
        Arrays.fill(p, old, p.length, EMPTY_PAGE);
      }
      if (p[pi] == EMPTY_PAGE) {
        p = p.clone();
        p[pi] = new long[PAGE_LONGS];
      }
      pages = p;
      return p[pi];
    }
  }
}
