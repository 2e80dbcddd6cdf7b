package io.quiver.collection;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * A read-once sorted view over arrays, {@code keys[i] -> values[i]} for each {@code i} of {@code order}: the
 * ConcurrentSkipListMap(SortedMap) constructor reads only its comparator and its entries in order, and links them
 * in one pass.
 */
final class SortedArrayMap<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
  private final Comparator<? super K> comparator;
  private final K[] keys;
  private final V[] values;
  private final List<Integer> order;

  SortedArrayMap(Comparator<? super K> comparator, K[] keys, V[] values, List<Integer> order) {
    this.comparator = comparator;
    this.keys = keys;
    this.values = values;
    this.order = order;
  }

  @Override
  public Comparator<? super K> comparator() {
    return comparator;
  }

  @Override
  public SortedMap<K, V> subMap(K from, K to) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SortedMap<K, V> headMap(K to) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SortedMap<K, V> tailMap(K from) {
    throw new UnsupportedOperationException();
  }

  @Override
  public K firstKey() {
    return keys[order.get(0)];
  }

  @Override
  public K lastKey() {
    return keys[order.get(order.size() - 1)];
  }

  @Override
  public Set<Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<K, V>> iterator() {
        Iterator<Integer> it = order.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<K, V> next() {
            int i = it.next();
            return Map.entry(keys[i], values[i]);
          }
        };
      }

      @Override
      public int size() {
        return order.size();
      }
    };
  }
}
