package io.quiver.filter.index;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Posting lists of one field: key to the bitmap of ordinals holding a value with that key, plus the number of
 * distinct keys each ordinal holds (what {@code match except} needs to tell "every value is excluded"). Not
 * thread-safe: {@link PayloadIndex} guards it.
 */
final class Postings {
  private final Map<Object, RoaringBitmap> lists = new HashMap<>();
  private int[] distinct = new int[0];

  void add(Object key, int ordinal) {
    if (lists.computeIfAbsent(key, k -> new RoaringBitmap()).checkedAdd(ordinal)) {
      if (ordinal >= distinct.length) {
        distinct = Arrays.copyOf(distinct, Math.max(ordinal + 1, distinct.length + (distinct.length >> 1) + 16));
      }
      distinct[ordinal]++;
    }
  }

  void remove(Object key, int ordinal) {
    RoaringBitmap b = lists.get(key);
    if (b != null && b.checkedRemove(ordinal)) {
      distinct[ordinal]--;
      if (b.isEmpty()) {
        lists.remove(key);
      }
    }
  }

  /** The posting list of {@code key}, or null; owned by the index, so never modify it. */
  RoaringBitmap get(Object key) {
    return lists.get(key);
  }

  /** How many distinct keys {@code ordinal} holds. */
  int distinct(int ordinal) {
    return ordinal < distinct.length ? distinct[ordinal] : 0;
  }

  int keyCount() {
    return lists.size();
  }

  void forEach(BiConsumer<Object, RoaringBitmap> action) {
    lists.forEach(action);
  }

  /** Installs a whole posting list (deserialization); the ordinals must not hold {@code key} yet. */
  void put(Object key, RoaringBitmap ordinals) {
    if (ordinals.isEmpty()) {
      return;
    }
    lists.put(key, ordinals);
    int last = ordinals.last();
    if (last >= distinct.length) {
      distinct = Arrays.copyOf(distinct, last + 1);
    }
    ordinals.forEach((int o) -> distinct[o]++);
  }

  void runOptimize() {
    lists.values().forEach(RoaringBitmap::runOptimize);
  }
}
