package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The segments of one collection and where each live point is: the segment list (sealed segments, then the mutable
 * ones), the mutable segment taking writes, the frozen mutable segments waiting to be sealed, the id map, and the
 * configuration the segments are built with.
 *
 * <p><b>Locks</b>, always taken in this order (a thread holding a later one never waits for an earlier one):
 * <ol>
 *   <li>{@link #optimizerLock}: held by the optimizer for each step, by configuration changes, and by a snapshot
 *       while it copies segment files, so segment files named by the manifest stay in place;
 *   <li>{@link #writeLock}: serializes writers (log order = apply order) and every change of the segment list, the
 *       mutable segment, the id map and the configuration;
 *   <li>{@link #segmentsLock}: readers share it; closing segments that were swapped out takes it exclusively, so
 *       no read is ever in flight on a closed segment.
 * </ol>
 */
final class SegmentHolder {
  final String name;
  final ReentrantLock optimizerLock = new ReentrantLock();
  final ReentrantLock writeLock = new ReentrantLock();
  final ReentrantReadWriteLock segmentsLock = new ReentrantReadWriteLock();
  /**
   * Live id -> where its current version lives. Sorted, so scroll pages by id cheaply. Replaced only while opening,
   * before the background threads start.
   */
  ConcurrentSkipListMap<PointId, Location> ids = new ConcurrentSkipListMap<>(PointId.ORDER);
  volatile List<Segment> segments;
  volatile MutableSegment mutable;
  /** Mutable segments no longer written, oldest first, with the log position each holds every write up to. */
  final ConcurrentLinkedDeque<Frozen> frozen = new ConcurrentLinkedDeque<>();
  final AtomicLong nextSegmentId;
  volatile CollectionConfig config;
  volatile boolean closed;
  volatile boolean closing;

  record Location(Segment segment, int ordinal) {}

  record Frozen(MutableSegment segment, long lsn) {}

  SegmentHolder(String name, CollectionConfig config, List<Segment> sealed, long nextSegmentId) {
    this.name = name;
    this.config = config;
    long maxId = sealed.stream().mapToLong(seg -> seg.id + 1).max().orElse(0);
    this.nextSegmentId = new AtomicLong(Math.max(nextSegmentId, maxId));
    this.mutable = new MutableSegment(this.nextSegmentId.getAndIncrement(), config);
    List<Segment> all = new ArrayList<>(sealed);
    all.add(mutable);
    this.segments = List.copyOf(all);
  }

  /**
   * Fills the (empty) id map from the sealed segments: ids are read and sorted in arrays, then the skip list is
   * built from them in one linear pass, much faster at open than one insertion per point.
   */
  void loadIdMap(List<Segment> sealed) {
    int total = 0;
    for (Segment seg : sealed) {
      total += seg.liveCount();
    }
    PointId[] keys = new PointId[total];
    Location[] values = new Location[total];
    int n = 0;
    for (Segment seg : sealed) {
      for (int ord = 0; ord < seg.ordinals(); ord++) {
        if (!seg.isDeleted(ord) && n < total) {
          keys[n] = seg.idOf(ord);
          values[n++] = new Location(seg, ord);
        }
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // stable sort: for an id live in two segments (only after an odd crash interleaving) the later one comes last
    Arrays.sort(order, (a, b) -> PointId.ORDER.compare(keys[a], keys[b]));
    List<Integer> unique = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && PointId.ORDER.compare(keys[order[i]], keys[order[i + 1]]) == 0) {
        Location older = values[order[i]];
        older.segment().markDeleted(older.ordinal()); // the newer segment wins
        continue;
      }
      unique.add(order[i]);
    }
    ids = new ConcurrentSkipListMap<>(new SortedArrayMap<>(PointId.ORDER, keys, values, unique));
  }

  /** Runs {@code body} under the segment read lock; fails once the collection is closed. */
  void read(Runnable body) {
    segmentsLock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("collection " + name + " is closed");
      }
      body.run();
    } finally {
      segmentsLock.readLock().unlock();
    }
  }

  /** The live location of {@code id}, or null; retries when a concurrent write moved the point. */
  Location locate(PointId id) {
    for (int attempt = 0; attempt < 8; attempt++) {
      Location loc = ids.get(id);
      if (loc == null || !loc.segment().isDeleted(loc.ordinal())) {
        return loc;
      }
    }
    return null;
  }

  /** The live location of {@code id} if its current version matches {@code filter}, else null. */
  Location currentMatch(PointId id, Filter filter) {
    for (int attempt = 0; attempt < 8; attempt++) {
      Location loc = locate(id);
      if (loc == null) {
        return null;
      }
      if (loc.segment().matches(loc.ordinal(), filter)) {
        return loc;
      }
      if (!loc.segment().isDeleted(loc.ordinal())) {
        return null;
      }
    }
    return null;
  }

  /** The ids whose current version matches {@code filter} (caller holds the write lock). */
  List<PointId> matchingIds(Filter filter) {
    List<PointId> out = new ArrayList<>();
    for (var e : ids.entrySet()) {
      Location loc = e.getValue();
      if (loc.segment().matches(loc.ordinal(), filter)) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** The vectors of the point at {@code loc}: the named fields, or all when {@code names} is null or empty. */
  Map<String, float[]> vectorsOf(Location loc, Set<String> names) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String field : config.vectors().keySet()) {
      if (names == null || names.isEmpty() || names.contains(field)) {
        float[] v = loc.segment().vector(field, loc.ordinal());
        if (v != null) {
          out.put(field, v);
        }
      }
    }
    for (String field : config.multiVectors().keySet()) {
      MultiVectorStore store = loc.segment().multi(field);
      float[] v = store == null || (names != null && !names.isEmpty() && !names.contains(field)) ? null
          : store.get(loc.ordinal());
      if (v != null) {
        out.put(field, v);
      }
    }
    return out;
  }

  /** The sparse vectors of the point at {@code loc}: the named fields, or all when {@code names} is null or empty. */
  Map<String, SparseVector> sparseOf(Location loc, Set<String> names) {
    Map<String, SparseVector> out = new LinkedHashMap<>();
    for (String field : config.sparseVectors().keySet()) {
      if (names == null || names.isEmpty() || names.contains(field)) {
        SparseIndex index = loc.segment().sparse(field);
        SparseVector v = index == null ? null : index.vector(loc.ordinal());
        if (v != null) {
          out.put(field, v);
        }
      }
    }
    return out;
  }

  /** The sealed segments, in list order. */
  List<SealedSegment> sealed() {
    return segments.stream().filter(s -> s instanceof SealedSegment).map(s -> (SealedSegment) s).toList();
  }

  /** Segments whose graphs are still being built (the mutable ones). */
  List<MutableSegment> unindexedSegments() {
    List<MutableSegment> out = new ArrayList<>();
    for (Segment s : segments) {
      if (s instanceof MutableSegment m && !m.fullyIndexed()) {
        out.add(m);
      }
    }
    return out;
  }

  /** Points of the mutable segments still to link into a graph. */
  long unindexedPoints() {
    long n = 0;
    for (Segment s : segments) {
      if (s instanceof MutableSegment m) {
        n += m.ordinals() - m.indexedPoints() - m.deletedCount();
      }
    }
    return n;
  }

  /**
   * Moves the mutable segment to the frozen queue, as holding every write up to {@code lsn}, and opens a new one,
   * when it has {@code sealThreshold} points or ({@code force}) any. Caller holds the write lock. Returns whether
   * it froze.
   */
  boolean freeze(boolean force, long lsn) {
    MutableSegment m = mutable;
    if (m.ordinals() == 0 || (!force && m.ordinals() < config.sealThreshold())) {
      return false;
    }
    frozen.addLast(new Frozen(m, lsn));
    MutableSegment next = new MutableSegment(nextSegmentId.getAndIncrement(), config);
    List<Segment> all = new ArrayList<>(segments);
    all.add(next);
    mutable = next;
    segments = List.copyOf(all);
    return true;
  }

  /** Applies a logged operation to memory (live, or replaying the log). Caller holds the write lock or is opening. */
  void apply(WalOp op) {
    switch (op) {
      case WalOp.Upsert u -> {
        for (Point p : u.points()) {
          int ord = mutable.append(p);
          Location old = ids.put(p.id(), new Location(mutable, ord));
          if (old != null) {
            old.segment().markDeleted(old.ordinal());
          }
        }
      }
      case WalOp.Delete d -> {
        for (PointId id : d.ids()) {
          Location old = ids.remove(id);
          if (old != null) {
            old.segment().markDeleted(old.ordinal());
          }
        }
      }
    }
  }

  /**
   * Swaps {@code replacement} in for the frozen {@code source} (same ordinals), moving the id map's live entries
   * and copying tombstones set meanwhile. Caller holds the write lock.
   */
  void swapSealed(MutableSegment source, SealedSegment replacement) {
    int count = replacement.ordinals();
    for (int ord = 0; ord < count; ord++) {
      if (source.isDeleted(ord)) {
        replacement.markDeleted(ord);
      } else {
        ids.replace(source.idOf(ord), new Location(source, ord), new Location(replacement, ord));
      }
    }
    segments = segments.stream().map(s -> s == source ? (Segment) replacement : s).toList();
  }

  /**
   * Swaps {@code merged} (null: no live points were left) in for {@code sources}, at the place of the first one;
   * {@code origin} is where each of its ordinals came from. Caller holds the write lock.
   */
  void swapMerged(List<SealedSegment> sources, SealedSegment merged, List<Location> origin) {
    int count = merged == null ? 0 : merged.ordinals();
    for (int ord = 0; ord < count; ord++) {
      Location from = origin.get(ord);
      if (from.segment().isDeleted(from.ordinal())) {
        merged.markDeleted(ord);
      } else {
        ids.replace(merged.idOf(ord), from, new Location(merged, ord));
      }
    }
    Set<Segment> gone = Set.copyOf(sources);
    List<Segment> next = new ArrayList<>();
    boolean placed = false;
    for (Segment s : segments) {
      if (gone.contains(s)) {
        if (!placed && merged != null) {
          next.add(merged);
        }
        placed = true;
      } else {
        next.add(s);
      }
    }
    segments = List.copyOf(next);
  }

  /** Closes {@code retired} segments once no reader can still be inside them. */
  void closeRetired(List<? extends Segment> retired) {
    segmentsLock.writeLock().lock();
    try {
      for (Segment s : retired) {
        s.closeResources();
      }
    } finally {
      segmentsLock.writeLock().unlock();
    }
  }

  /** Marks the holder closed (readers fail from now on); false if it already was. Caller holds the write lock. */
  boolean markClosed() {
    segmentsLock.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      segmentsLock.writeLock().unlock();
    }
  }

  /** Heap bytes the segments hold, caches included: what the memory budget counts. */
  long heapBytesForBudget() {
    long bytes = 0;
    for (Segment s : segments) {
      bytes += s.heapBytes() + s.cacheBytes();
    }
    return bytes;
  }

  /** Points in sealed segments (deleted ones included): what quantizing would encode. */
  long sealedOrdinals() {
    long n = 0;
    for (Segment s : segments) {
      n += s instanceof SealedSegment ? s.ordinals() : 0;
    }
    return n;
  }

  /** Empties the segments' caches. */
  void dropCaches() {
    for (Segment s : segments) {
      s.dropCaches();
    }
  }
}
