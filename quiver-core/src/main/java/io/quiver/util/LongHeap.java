package io.quiver.util;

import java.util.Arrays;

/**
 * A growable binary min-heap of primitive longs. Indexes pack (distance, ordinal) into one long with
 * {@link ScoredOrdinals#pack} so that comparing longs compares distances, then ordinals; a max-heap is the same heap
 * fed {@code ~packed}.
 */
public final class LongHeap {
  private long[] heap;
  private int size;

  public LongHeap(int initialCapacity) {
    heap = new long[Math.max(2, initialCapacity + 1)];
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public void clear() {
    size = 0;
  }

  public long peek() {
    return heap[1];
  }

  public void push(long value) {
    if (++size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    long[] h = heap;
    int i = size;
    while (i > 1) {
      int parent = i >>> 1;
      long p = h[parent];
      if (value >= p) {
        break;
      }
      h[i] = p;
      i = parent;
    }
    h[i] = value;
  }

  public long pop() {
    long[] h = heap;
    long result = h[1];
    long last = h[size--];
    int n = size;
    int i = 1;
    while (true) {
      int child = i << 1;
      if (child > n) {
        break;
      }
      long c = h[child];
      if (child < n && h[child + 1] < c) {
        child++;
        c = h[child];
      }
      if (last <= c) {
        break;
      }
      h[i] = c;
      i = child;
    }
    h[i] = last;
    return result;
  }

  /** Replaces the top with {@code value} and restores the heap; cheaper than pop then push. */
  public void replaceTop(long value) {
    long[] h = heap;
    int n = size;
    int i = 1;
    while (true) {
      int child = i << 1;
      if (child > n) {
        break;
      }
      long c = h[child];
      if (child < n && h[child + 1] < c) {
        child++;
        c = h[child];
      }
      if (value <= c) {
        break;
      }
      h[i] = c;
      i = child;
    }
    h[i] = value;
  }
}
