package io.quiver.index.disk;

import java.util.Arrays;

/** A set of non-negative ints by open addressing (keys stored + 1, 0 = empty), cleared between searches. */
final class IntHashSet {
  private int[] keys = new int[1 << 12];
  private int size;

  /** Adds {@code value}; false when it was already there. */
  boolean add(int value) {
    if (size * 2 >= keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int key = value + 1;
    int i = (key * 0x9E3779B9) >>> 7 & mask;
    while (true) {
      int k = keys[i];
      if (k == key) {
        return false;
      }
      if (k == 0) {
        keys[i] = key;
        size++;
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  boolean contains(int value) {
    int mask = keys.length - 1;
    int key = value + 1;
    int i = (key * 0x9E3779B9) >>> 7 & mask;
    while (true) {
      int k = keys[i];
      if (k == key) {
        return true;
      }
      if (k == 0) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  void clear() {
    if (size > 0) {
      Arrays.fill(keys, 0);
      size = 0;
    }
  }

  private void grow() {
    int[] old = keys;
    keys = new int[old.length * 2];
    size = 0;
    for (int k : old) {
      if (k != 0) {
        add(k - 1);
      }
    }
  }
}
