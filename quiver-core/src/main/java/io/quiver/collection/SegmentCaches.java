package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.filter.Filter;
import java.lang.ref.SoftReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * What a sealed segment caches on the heap, none of it needed for correctness: the matching ordinals of recent
 * filters (a sealed segment's payloads never change, so neither do they) and parsed payloads, by pages of 1,024
 * ordinals held through soft references the collector may clear. {@link #drop} empties both, which is how a memory
 * budget degrades before it refuses.
 */
final class SegmentCaches {
  /** Filters the cache of matches keeps, least recently used dropped first. */
  static final int FILTER_CACHE_ENTRIES = 32;
  private static final int PAGE_SHIFT = 10;
  private static final Object NO_PAYLOAD = new Object();
  /** Heap of one parsed-payload page's reference array (header plus 1,024 compressed references). */
  private static final long PAGE_BYTES = 16 + (4L << PAGE_SHIFT);

  private final Map<Filter, RoaringBitmap> filterMatches = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Filter, RoaringBitmap> e) {
          return size() > FILTER_CACHE_ENTRIES;
        }
      };
  private final AtomicReferenceArray<SoftReference<Object[]>> parsed;

  SegmentCaches(int count) {
    this.parsed = new AtomicReferenceArray<>((count >>> PAGE_SHIFT) + 1);
  }

  /** The cached matches of {@code filter} (never mutate them), or null. */
  synchronized RoaringBitmap matches(Filter filter) {
    return filterMatches.get(filter);
  }

  synchronized void putMatches(Filter filter, RoaringBitmap matches) {
    filterMatches.put(filter, matches);
  }

  synchronized void clearMatches() {
    filterMatches.clear();
  }

  /** The payload of {@code ordinal}, parsed by {@code parse} on a miss (null: none). */
  ObjectNode payload(int ordinal, IntFunction<ObjectNode> parse) {
    int page = ordinal >>> PAGE_SHIFT;
    SoftReference<Object[]> ref = parsed.get(page);
    Object[] cached = ref == null ? null : ref.get();
    if (cached == null) {
      cached = new Object[1 << PAGE_SHIFT];
      parsed.set(page, new SoftReference<>(cached));
    }
    int slot = ordinal & ((1 << PAGE_SHIFT) - 1);
    Object hit = cached[slot];
    if (hit != null) {
      return hit == NO_PAYLOAD ? null : (ObjectNode) hit;
    }
    ObjectNode p = parse.apply(ordinal);
    cached[slot] = p == null ? NO_PAYLOAD : p;
    return p;
  }

  /**
   * Heap the caches hold: the filter bitmaps and the parsed-payload pages' arrays; the parsed payload objects are
   * not counted (measuring them would walk every tree, and the collector clears them first under pressure).
   */
  long bytes() {
    long bytes = 0;
    synchronized (this) {
      for (RoaringBitmap b : filterMatches.values()) {
        bytes += b.getLongSizeInBytes();
      }
    }
    for (int i = 0; i < parsed.length(); i++) {
      SoftReference<Object[]> ref = parsed.get(i);
      if (ref != null && ref.get() != null) {
        bytes += PAGE_BYTES;
      }
    }
    return bytes;
  }

  /** Empties both caches; later reads fill them again. */
  void drop() {
    clearMatches();
    for (int i = 0; i < parsed.length(); i++) {
      parsed.set(i, null);
    }
  }
}
