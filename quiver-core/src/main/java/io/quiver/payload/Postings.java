package io.quiver.payload;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Posting lists of one field: key to the ordinals holding a value with that key, plus the number of distinct keys
 * each ordinal holds (what {@code match except} needs to tell "every value is excluded"). A list of one ordinal is
 * kept as an Integer, not a bitmap: high-cardinality fields (UUIDs, unique keywords) are mostly such lists, and a
 * one-element RoaringBitmap costs some 150 bytes and several objects. Not thread-safe: {@link PayloadIndex} guards
 * it.
 */
final class Postings {
  /** Key to an Integer (one ordinal) or a RoaringBitmap (two or more). */
  private final Map<Object, Object> lists;
  private int[] distinct = new int[0];

  Postings() {
    lists = new HashMap<>();
  }

  /** Sized for {@code keys} posting lists (deserialization). */
  Postings(int keys) {
    lists = HashMap.newHashMap(keys);
  }

  void add(Object key, int ordinal) {
    Object cur = lists.get(key);
    boolean added;
    if (cur == null) {
      lists.put(key, ordinal);
      added = true;
    } else if (cur instanceof Integer one) {
      added = one != ordinal;
      if (added) {
        lists.put(key, RoaringBitmap.bitmapOf(one, ordinal));
      }
    } else {
      added = ((RoaringBitmap) cur).checkedAdd(ordinal);
    }
    if (added) {
      countDistinct(ordinal, 1);
    }
  }

  void remove(Object key, int ordinal) {
    Object cur = lists.get(key);
    if (cur instanceof Integer one) {
      if (one == ordinal) {
        lists.remove(key);
        distinct[ordinal]--;
      }
    } else if (cur instanceof RoaringBitmap b && b.checkedRemove(ordinal)) {
      distinct[ordinal]--;
      if (b.getCardinality() == 1) {
        lists.put(key, b.first());
      }
    }
  }

  /** The ordinals holding {@code key}, or null; may be owned by the index, so never modify it. */
  RoaringBitmap get(Object key) {
    Object cur = lists.get(key);
    return cur == null ? null : cur instanceof Integer one ? RoaringBitmap.bitmapOf(one) : (RoaringBitmap) cur;
  }

  /** How many distinct keys {@code ordinal} holds. */
  int distinct(int ordinal) {
    return ordinal < distinct.length ? distinct[ordinal] : 0;
  }

  /** Each key with its ordinals as an Integer (one) or a RoaringBitmap (several; never modify it). */
  void forEach(BiConsumer<Object, Object> action) {
    lists.forEach(action);
  }

  /** Installs a whole posting list, an Integer or a RoaringBitmap (deserialization); the key must be new. */
  void put(Object key, Object ordinals) {
    if (ordinals instanceof Integer one) {
      lists.put(key, one);
      countDistinct(one, 1);
    } else {
      RoaringBitmap b = (RoaringBitmap) ordinals;
      if (b.isEmpty()) {
        return;
      }
      lists.put(key, b.getCardinality() == 1 ? (Object) b.first() : b);
      int last = b.last();
      countDistinct(last, 0);
      b.forEach((int o) -> distinct[o]++);
    }
  }

  private void countDistinct(int ordinal, int delta) {
    if (ordinal >= distinct.length) {
      distinct = Arrays.copyOf(distinct, Math.max(ordinal + 1, distinct.length + (distinct.length >> 1) + 16));
    }
    distinct[ordinal] += delta;
  }

  void runOptimize() {
    for (Object v : lists.values()) {
      if (v instanceof RoaringBitmap b) {
        b.runOptimize();
      }
    }
  }
}
