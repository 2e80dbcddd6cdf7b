package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.distance.Metric;
import io.quiver.index.FloatVectorStore;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.payload.PayloadIndex;
import io.quiver.util.ConcurrentBitSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The segment that takes writes. Appending a point stores its vectors at once (searchable by exact scan); a
 * background indexer links them into each field's HNSW graph afterwards, so write throughput does not wait for graph
 * construction. A search walks the graph over the indexed prefix and scans the not-yet-indexed tail.
 *
 * <p>One writer at a time (the collection's write lock) calls {@link #append} and {@link #replacePayload}; one indexer
 * at a time calls {@link #indexPending}; any number of threads search and read.
 */
final class MutableSegment extends Segment {
  private static final int PAGE_SHIFT = 12;
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  /** Concurrent: a sparse field declared while the segment takes writes is added by the writer. */
  private final Map<String, MutableSparseIndex> sparse = new ConcurrentHashMap<>();
  /** Concurrent for the same reason as {@code sparse}. */
  private final Map<String, MutableMultiVectors> multi = new ConcurrentHashMap<>();
  private volatile AtomicReferenceArray<Object>[] idPages = newPages(0);
  private volatile AtomicReferenceArray<Object>[] payloadPages = newPages(0);
  private volatile int count;
  private final PayloadIndex payloadIndex = new PayloadIndex();

  /**
   * One vector field: the vectors as written, and the graph the indexer builds over the same store (each vector is
   * held once: a separate copy in the graph doubled the segment's vector bytes, 2 x 154 MB per 100,000 x 384).
   */
  static final class Lane {
    final VectorParams params;
    final FloatVectorStore raw;
    final ConcurrentBitSet has = new ConcurrentBitSet();
    final HnswIndex graph;
    /** Ordinals below this are linked into the graph (or were deleted before their turn). */
    volatile int indexed;
    /** {@link #indexed} when level-0 reachability was last repaired (written by the indexer thread only). */
    volatile int repairedAt;
    /** Indexing only advances {@link #indexed}: the segment is written out without this lane's graph. */
    volatile boolean graphless;
    /**
     * The exact-scan codes of a cosine lane, created by the first {@link BoundedScan} of it (null until then: a lane
     * never scanned that way costs nothing); from then on the writer codes each vector as it stores it.
     */
    volatile ExactScanCodes codes;

    Lane(VectorParams params) {
      this.params = params;
      this.raw = new FloatVectorStore(params.size());
      this.graph = HnswIndex.over(raw, params.metric(), params.graphConfig());
    }
  }

  MutableSegment(long id, CollectionConfig config) {
    super(id);
    for (var e : config.vectors().entrySet()) {
      lanes.put(e.getKey(), new Lane(e.getValue()));
    }
    config.sparseVectors().keySet().forEach(name -> sparse.put(name, new MutableSparseIndex()));
    config.multiVectors().keySet().forEach(name -> multi.put(name, new MutableMultiVectors()));
    config.payloadSchema().forEach((key, schema) -> payloadIndex.createField(key, schema, config.textIndex(key),
        this::payload));
  }

  @Override
  MutableSparseIndex sparse(String name) {
    return sparse.get(name);
  }

  @Override
  MutableMultiVectors multi(String name) {
    return multi.get(name);
  }

  @Override
  PayloadIndex payloadIndex() {
    return payloadIndex;
  }

  Map<String, Lane> lanes() {
    return lanes;
  }

  /** Stores a validated point (cosine vectors already normalized) and returns its ordinal. */
  int append(Point p) {
    int ord = count;
    for (var e : p.vectors().entrySet()) {
      Lane lane = lanes.get(e.getKey());
      if (lane == null) { // a multi-vector field: no lane, no graph of its own here
        multi.computeIfAbsent(e.getKey(), n -> new MutableMultiVectors()).add(ord, e.getValue());
        continue;
      }
      lane.raw.set(ord, e.getValue());
      lane.has.set(ord);
      ExactScanCodes codes = lane.codes;
      if (codes != null) { // before count publishes ord: a scan that sees ord finds its record written
        codes.add(ord, e.getValue(), o -> vector(e.getKey(), o));
      }
    }
    for (var e : p.sparseVectors().entrySet()) {
      sparse.computeIfAbsent(e.getKey(), n -> new MutableSparseIndex()).add(ord, e.getValue());
    }
    if ((ord >>> PAGE_SHIFT) >= idPages.length) {
      payloadPages = grown(payloadPages, ord);
      idPages = grown(idPages, ord);
    }
    setRef(idPages, ord, p.id());
    setRef(payloadPages, ord, p.payload());
    payloadIndex.add(ord, p.payload());
    count = ord + 1; // publishes everything above
    return ord;
  }

  /** Replaces the payload of a live point in place (readers see the old or the new object, never a mix). */
  void replacePayload(int ordinal, ObjectNode payload) {
    ObjectNode old = payload(ordinal);
    setRef(payloadPages, ordinal, payload);
    payloadIndex.update(ordinal, old, payload);
  }

  @Override
  int ordinals() {
    return count;
  }

  @Override
  PointId idOf(int ordinal) {
    return (PointId) getRef(idPages, ordinal);
  }

  @Override
  ObjectNode payload(int ordinal) {
    return (ObjectNode) getRef(payloadPages, ordinal);
  }

  @Override
  float[] vector(String name, int ordinal) {
    Lane lane = lanes.get(name);
    return lane != null && lane.has.get(ordinal) ? lane.raw.copyOf(ordinal) : null;
  }

  /** Links up to {@code max} pending points into the graphs; returns how many were processed. */
  int indexPending(int max) {
    return indexPending(max, null, 1);
  }

  /**
   * Links up to {@code max} pending points into the graphs, splitting the work over {@code threads} tasks of
   * {@code pool} when given (graph inserts may run concurrently); returns how many were processed. One caller at a
   * time.
   */
  int indexPending(int max, ExecutorService pool, int threads) {
    int done = 0;
    int end = count;
    for (Lane lane : lanes.values()) {
      int from = lane.indexed;
      int to = Math.min(end, from + max);
      if (lane.graphless) {
        lane.indexed = to;
        done = Math.max(done, to - from);
        continue;
      }
      if (pool == null || threads <= 1 || to - from < 64 * threads) {
        for (int ord = from; ord < to; ord++) {
          link(lane, ord);
          lane.indexed = ord + 1;
        }
      } else {
        AtomicInteger next = new AtomicInteger(from);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          tasks.add(pool.submit(() -> {
            for (int ord; (ord = next.getAndAdd(16)) < to; ) {
              for (int o = ord; o < Math.min(to, ord + 16); o++) {
                link(lane, o);
              }
            }
          }));
        }
        for (var f : tasks) {
          try {
            f.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("indexing interrupted", e);
          } catch (ExecutionException e) {
            throw new IllegalStateException("indexing failed: " + e.getCause(), e.getCause());
          }
        }
        lane.indexed = to; // only once every ordinal below is linked: searches scan from here
      }
      done = Math.max(done, to - from);
    }
    return done;
  }

  /**
   * Builds no graph for field {@code name}: for a segment that is only written out (a merge's result) whose field
   * is sealed as a disk index, which builds its own graph. Call before anything is indexed.
   */
  void skipGraph(String name) {
    lanes.get(name).graphless = true;
  }

  private void link(Lane lane, int ord) {
    if (lane.has.get(ord) && !isDeleted(ord)) {
      lane.graph.addStored(ord);
    }
  }

  /**
   * Links back the level-0 nodes that HNSW's pruning left unreachable from the entry point (a graph search cannot
   * return them, and a collection below its seal threshold would keep them lost), in each lane that has linked at
   * least 1/64 of its points since its last repair, or any at all when {@code force}. The indexer calls this when
   * it has nothing to index; one repair walks the whole graph, hence the threshold.
   *
   * @return links added or replaced
   */
  int repairReachability(boolean force) {
    int changed = 0;
    for (Lane lane : lanes.values()) {
      int indexed = lane.indexed;
      int since = indexed - lane.repairedAt;
      if (since > 0 && (force || since >= indexed / 64)) {
        changed += lane.graph.connectLevel0(ord -> ord < indexed && !isDeleted(ord));
        lane.repairedAt = indexed;
      }
    }
    return changed;
  }

  /** Whether some lane linked points since its last repair. */
  boolean repairDue() {
    for (Lane lane : lanes.values()) {
      if (lane.indexed > lane.repairedAt) {
        return true;
      }
    }
    return false;
  }

  boolean fullyIndexed() {
    int c = count;
    for (Lane lane : lanes.values()) {
      if (lane.indexed < c) {
        return false;
      }
    }
    return true;
  }

  @Override
  GraphOutcome graphSearch(String name, float[] query, int k, SearchParams params, OrdinalFilter accept, Hits out,
      Quantized quantized) { // the mutable segment has no codes: full precision
    Lane lane = lanes.get(name);
    int end = count;
    int indexed = lane.indexed;
    if (indexed == 0) {
      return new GraphOutcome(false, 0);
    }
    SearchResult r = lane.graph.search(query, k, params, accept);
    if (!r.complete() || r.ordinals().length < k) {
      return new GraphOutcome(false, r.distanceComputations()); // starved or over budget: the caller scans
    }
    for (int i = 0; i < r.ordinals().length; i++) {
      // a node linked after `indexed` was read is also in the tail scanned below: take it from there only
      if (r.ordinals()[i] < indexed) {
        out.offer(r.distances()[i], this, r.ordinals()[i]);
      }
    }
    Metric metric = lane.params.metric();
    int dim = lane.params.size();
    long tail = 0;
    for (int ord = indexed; ord < end; ord++) {
      if (lane.has.get(ord) && (accept == null || accept.accept(ord))) {
        out.offer(metric.storedDistance(query, 0, lane.raw.page(ord), lane.raw.offset(ord), dim), this, ord);
        tail++;
      }
    }
    return new GraphOutcome(true, r.distanceComputations() + tail);
  }

  @Override
  boolean hasVector(String name, int ordinal) {
    Lane lane = lanes.get(name);
    return lane != null && lane.has.get(ordinal);
  }

  @Override
  boolean exactScanCodable(String name) {
    Lane lane = lanes.get(name);
    return lane != null && lane.params.metric() == Metric.COSINE;
  }

  /**
   * The lane's codes, created on first use, with every ordinal below {@code upTo} coded: those the writer has not
   * coded yet (stored before the codes existed, or since a scan last caught up) are coded here from the store. Each
   * vector is written once, before {@link #count} publishes its ordinal, and never rewritten (an overwrite appends a
   * new ordinal, a delete sets a tombstone), so a record once written stays consistent with its vector.
   */
  @Override
  ExactScanCodes exactScanCodes(String name, int upTo) {
    Lane lane = lanes.get(name);
    ExactScanCodes c = lane.codes;
    if (c == null) {
      synchronized (lane) {
        c = lane.codes;
        if (c == null) {
          lane.codes = c = new ExactScanCodes(lane.params.size());
        }
      }
    }
    c.codeUpTo(o -> vector(name, o), Math.min(upTo, count));
    return c;
  }

  @Override
  void distances(String name, float[] query, int[] ordinals, int n, float[] out) {
    Lane lane = lanes.get(name);
    Metric metric = lane.params.metric();
    int dim = lane.params.size();
    for (int i = 0; i < n; i++) {
      int ord = ordinals[i];
      out[i] = metric.storedDistance(query, 0, lane.raw.page(ord), lane.raw.offset(ord), dim);
    }
  }

  @Override
  long indexedPoints() {
    int min = count;
    for (Lane lane : lanes.values()) {
      min = Math.min(min, lane.indexed);
    }
    return Math.max(0, min - deletedCount());
  }

  @Override
  long heapBytes() {
    long bytes = 16L * count * 2;
    for (Lane lane : lanes.values()) {
      bytes += lane.graph.ramBytesUsed() + lane.has.ramBytesUsed(); // the graph's count includes the shared store
      ExactScanCodes codes = lane.codes; // in heapBytes as a sealed segment's are (the memory budget sees them)
      bytes += codes == null ? 0 : codes.ramBytes();
    }
    for (MutableSparseIndex s : sparse.values()) {
      bytes += s.ramBytesUsed();
    }
    for (MutableMultiVectors m : multi.values()) {
      bytes += m.ramBytesUsed();
    }
    return bytes;
  }

  @Override
  long mappedBytes() {
    return 0;
  }

  @Override
  StorageUsage storage() {
    long vectors = 0;
    long graph = 0;
    long other = 16L * count * 2;
    for (Lane lane : lanes.values()) {
      vectors += lane.graph.vectorRamBytes(); // the lane's store, shared with the graph
      graph += lane.graph.ramBytesUsed() - lane.graph.vectorRamBytes();
      other += lane.has.ramBytesUsed();
    }
    // its points are on disk only in the write-ahead log until the segment is sealed
    return new StorageUsage(new StorageUsage.Part(vectors, 0, 0), new StorageUsage.Part(graph, 0, 0),
        StorageUsage.Part.NONE, new StorageUsage.Part(other, 0, 0), StorageUsage.Part.NONE);
  }

  @Override
  void closeResources() {}

  // ---------------------------------------------------------------- paged reference arrays (single writer)

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<Object>[] newPages(int n) {
    return (AtomicReferenceArray<Object>[]) new AtomicReferenceArray<?>[n];
  }

  private static AtomicReferenceArray<Object>[] grown(AtomicReferenceArray<Object>[] pages, int ord) {
    AtomicReferenceArray<Object>[] p = Arrays.copyOf(pages, (ord >>> PAGE_SHIFT) + 1);
    for (int i = pages.length; i < p.length; i++) {
      p[i] = new AtomicReferenceArray<>(1 << PAGE_SHIFT);
    }
    return p;
  }

  private static void setRef(AtomicReferenceArray<Object>[] pages, int ord, Object value) {
    pages[ord >>> PAGE_SHIFT].set(ord & PAGE_MASK, value);
  }

  private static Object getRef(AtomicReferenceArray<Object>[] pages, int ord) {
    return pages[ord >>> PAGE_SHIFT].get(ord & PAGE_MASK);
  }
}
