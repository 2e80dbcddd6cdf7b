package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.PointId;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * A named set of points with one or more vector fields, stored durably in its own directory.
 *
 * <p><b>Writes.</b> Each write is validated in full first (a bad point rejects the whole batch, nothing changes),
 * then logged to the write-ahead log and applied to memory under one lock, so the log order is the apply order; the
 * caller is acknowledged once the log record is durable (fsync, shared by concurrent writers). Every write puts the
 * new version of a point into the mutable segment and deletes the old version wherever it lives, so exactly one live
 * version per id exists.
 *
 * <p><b>Reads</b> (search, get, scroll, count) run concurrently with writes and with each other under the segment
 * read lock, and see each point either before or after any concurrent write to it.
 */
public final class Collection implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  static final int MAX_PAYLOAD_DEPTH = 64;
  static final int MAX_BATCH = 1_000_000;

  private final String name;
  private final Path dir;
  private final CollectionConfig config;
  private final ObjectMapper json;
  private final WriteAheadLog wal;
  /** Serializes writers: log order = apply order. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Readers share it; swapping segments out (and closing them) takes it exclusively. */
  private final ReentrantReadWriteLock segmentsLock = new ReentrantReadWriteLock();
  /** Live id -> where its current version lives. Sorted, so scroll pages by id cheaply. */
  private final ConcurrentSkipListMap<PointId, Location> ids = new ConcurrentSkipListMap<>(PointId.ORDER);
  private volatile List<Segment> segments;
  private volatile MutableSegment mutable;
  private final Indexer indexer;
  private long nextSegmentId;
  private volatile boolean closed;
  /** Set when a log fsync failed: memory may hold a write that is not durable, so further writes are refused. */
  private volatile IOException writeFailure;

  record Location(Segment segment, int ordinal) {}

  private Collection(String name, Path dir, CollectionConfig config, ObjectMapper json, WriteAheadLog wal) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.json = json;
    this.wal = wal;
    this.mutable = new MutableSegment(nextSegmentId++, config);
    this.segments = List.of(mutable);
    this.indexer = new Indexer(this);
  }

  /** Opens the collection stored in {@code dir}, replaying its log; {@link io.quiver.Quiver} calls this. */
  public static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json) throws IOException {
    WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), WalOptions.DEFAULT.withDurability(config.durability()));
    Collection c;
    try {
      c = new Collection(name, dir, config, json, wal);
      long[] replayed = new long[1];
      wal.replay(1, (lsn, payload) -> {
        c.apply(WalOp.decode(payload, json));
        replayed[0]++;
      });
      LOG.log(System.Logger.Level.INFO, "collection {0}: {1} points, {2} log records replayed", name,
          c.ids.size(), replayed[0]);
    } catch (IOException | RuntimeException e) {
      wal.close();
      throw e;
    }
    c.indexer.start();
    return c;
  }

  public String name() {
    return name;
  }

  public CollectionConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ writes

  /** Inserts or replaces points (a later duplicate id in the batch wins). */
  public void upsert(List<Point> points) {
    if (points.isEmpty()) {
      return;
    }
    checkBatch(points.size());
    List<Point> valid = new ArrayList<>(points.size());
    for (Point p : points) {
      valid.add(validate(p));
    }
    write(new WalOp.Upsert(valid));
  }

  public void upsert(Point... points) {
    upsert(List.of(points));
  }

  /** Deletes points by id; returns how many existed. */
  public int delete(List<PointId> pointIds) {
    checkBatch(pointIds.size());
    int[] existed = new int[1];
    write(() -> {
      List<PointId> present = new ArrayList<>();
      for (PointId id : new java.util.LinkedHashSet<>(pointIds)) {
        if (ids.containsKey(Objects.requireNonNull(id, "id"))) {
          present.add(id);
        }
      }
      existed[0] = present.size();
      return present.isEmpty() ? null : new WalOp.Delete(present);
    });
    return existed[0];
  }

  /** Deletes every point matching {@code filter}; returns how many. */
  public int delete(Filter filter) {
    Objects.requireNonNull(filter, "filter");
    int[] n = new int[1];
    write(() -> {
      List<PointId> matching = matchingIds(filter);
      n[0] = matching.size();
      return matching.isEmpty() ? null : new WalOp.Delete(matching);
    });
    return n[0];
  }

  /** Sets the given keys of the payload of the points, keeping the other keys (Qdrant's set_payload). */
  public int setPayload(List<PointId> pointIds, ObjectNode values) {
    return updatePayloads(pointIds, null, old -> {
      ObjectNode p = old == null ? json.createObjectNode() : old.deepCopy();
      p.setAll(values);
      return p;
    });
  }

  public int setPayload(Filter filter, ObjectNode values) {
    return updatePayloads(null, filter, old -> {
      ObjectNode p = old == null ? json.createObjectNode() : old.deepCopy();
      p.setAll(values);
      return p;
    });
  }

  /** Replaces the whole payload of the points. */
  public int overwritePayload(List<PointId> pointIds, ObjectNode payload) {
    return updatePayloads(pointIds, null, old -> payload.deepCopy());
  }

  public int overwritePayload(Filter filter, ObjectNode payload) {
    return updatePayloads(null, filter, old -> payload.deepCopy());
  }

  /** Removes the keys (top-level keys or dotted paths) from the payload of the points. */
  public int deletePayloadKeys(List<PointId> pointIds, List<String> keys) {
    return updatePayloads(pointIds, null, old -> withoutKeys(old, keys));
  }

  public int deletePayloadKeys(Filter filter, List<String> keys) {
    return updatePayloads(null, filter, old -> withoutKeys(old, keys));
  }

  public int clearPayload(List<PointId> pointIds) {
    return updatePayloads(pointIds, null, old -> null);
  }

  public int clearPayload(Filter filter) {
    return updatePayloads(null, filter, old -> null);
  }

  /**
   * Replaces the given vector fields of existing points, keeping their other vectors and payload; the points' own
   * payloads are ignored. Returns how many points existed.
   */
  public int updateVectors(List<Point> points) {
    checkBatch(points.size());
    List<Point> valid = new ArrayList<>();
    for (Point p : points) {
      valid.add(validateVectors(p.id(), p.vectors(), false));
    }
    int[] n = new int[1];
    write(() -> {
      List<Point> out = new ArrayList<>();
      for (Point p : valid) {
        Location loc = ids.get(p.id());
        if (loc == null) {
          continue;
        }
        Map<String, float[]> vectors = new HashMap<>(vectorsOf(loc, null));
        vectors.putAll(p.vectors());
        out.add(new Point(p.id(), vectors, loc.segment().payload(loc.ordinal())));
      }
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out);
    });
    return n[0];
  }

  private ObjectNode withoutKeys(ObjectNode old, List<String> keys) {
    return old == null ? null : (ObjectNode) PayloadSelector.exclude(keys).select(old);
  }

  private int updatePayloads(List<PointId> pointIds, Filter filter, java.util.function.UnaryOperator<ObjectNode> fn) {
    if (pointIds != null) {
      checkBatch(pointIds.size());
    }
    int[] n = new int[1];
    write(() -> {
      List<PointId> targets = pointIds != null ? pointIds : matchingIds(filter);
      List<Point> out = new ArrayList<>();
      for (PointId id : targets) {
        Location loc = ids.get(Objects.requireNonNull(id, "id"));
        if (loc == null) {
          continue;
        }
        ObjectNode payload = fn.apply(loc.segment().payload(loc.ordinal()));
        checkPayload(id, payload);
        out.add(new Point(id, vectorsOf(loc, null), payload));
      }
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out);
    });
    return n[0];
  }

  private void write(WalOp op) {
    write(() -> op);
  }

  /**
   * Runs {@code build} (which may read current state) and logs and applies the operation it returns, all under the
   * write lock; then waits for the log record to be durable.
   */
  private void write(java.util.function.Supplier<WalOp> build) {
    long lsn;
    writeLock.lock();
    try {
      checkWritable();
      WalOp op = build.get();
      if (op == null) {
        return;
      }
      byte[] record = WalOp.encode(op, json);
      try {
        lsn = wal.write(record);
      } catch (IOException e) {
        throw new QuiverException.Storage("collection " + name + ": write failed, nothing was changed: "
            + e.getMessage(), e);
      }
      apply(op);
    } finally {
      writeLock.unlock();
    }
    indexer.wake();
    try {
      wal.awaitDurable(lsn);
    } catch (IOException e) {
      writeFailure = e;
      throw new QuiverException.Storage("collection " + name + ": the write could not be made durable ("
          + e.getMessage() + "); it is not acknowledged and the collection refuses writes until reopened", e);
    }
  }

  /** Applies a logged operation to memory (live, or replaying the log). Caller holds the write lock or is open(). */
  private void apply(WalOp op) {
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

  private void checkWritable() {
    if (closed) {
      throw new IllegalStateException("collection " + name + " is closed");
    }
    if (writeFailure != null) {
      throw new QuiverException.Storage("collection " + name + " refuses writes after a failed log sync ("
          + writeFailure.getMessage() + "); reopen it to recover", writeFailure);
    }
  }

  private static void checkBatch(int n) {
    if (n > MAX_BATCH) {
      throw new QuiverException.InvalidInput("batch of " + n + " exceeds the limit of " + MAX_BATCH);
    }
  }

  // ------------------------------------------------------------------ validation

  private Point validate(Point p) {
    Point v = validateVectors(p.id(), p.vectors(), true);
    checkPayload(p.id(), p.payload());
    return new Point(p.id(), v.vectors(), p.payload() == null ? null : p.payload().deepCopy());
  }

  private Point validateVectors(PointId id, Map<String, float[]> vectors, boolean requireDefault) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    for (var e : vectors.entrySet()) {
      VectorParams params = config.vector(e.getKey());
      if (params == null) {
        throw new QuiverException.InvalidInput("point " + id + ": collection " + name + " has no vector field '"
            + e.getKey() + "'; it has " + fieldNames());
      }
      copy.put(e.getKey(), checkVector(e.getValue(), params, "point " + id + vectorLabel(e.getKey())));
    }
    if (requireDefault && config.vectors().containsKey(CollectionConfig.DEFAULT_VECTOR)
        && !vectors.containsKey(CollectionConfig.DEFAULT_VECTOR)) {
      throw new QuiverException.InvalidInput("point " + id + " has no vector");
    }
    return new Point(id, copy, null);
  }

  private String fieldNames() {
    return config.vectors().keySet().stream().map(n -> n.isEmpty() ? "the unnamed vector" : "'" + n + "'").toList()
        .toString();
  }

  private static String vectorLabel(String field) {
    return field.isEmpty() ? "" : " vector '" + field + "'";
  }

  private static float[] checkVector(float[] v, VectorParams params, String what) {
    if (v == null) {
      throw new QuiverException.InvalidInput(what + ": vector is missing");
    }
    if (v.length != params.size()) {
      throw new QuiverException.InvalidInput(what + ": vector dimension " + v.length
          + " does not match the collection's " + params.size());
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new QuiverException.InvalidInput(what + ": component " + i + " is " + v[i]);
      }
    }
    if (params.metric() == Metric.COSINE && VectorUtil.dot(v, v) == 0f) {
      throw new QuiverException.InvalidInput(what + ": a zero vector has no cosine direction");
    }
    return v.clone();
  }

  private void checkPayload(PointId id, ObjectNode payload) {
    if (payload == null) {
      return;
    }
    if (depth(payload, 0) > MAX_PAYLOAD_DEPTH) {
      throw new QuiverException.InvalidInput("point " + id + ": payload nests deeper than " + MAX_PAYLOAD_DEPTH
          + " levels");
    }
    int bytes;
    try {
      bytes = json.writeValueAsBytes(payload).length;
    } catch (IOException e) {
      throw new QuiverException.InvalidInput("point " + id + ": payload cannot be serialized: " + e.getMessage());
    }
    if (bytes > config.maxPayloadBytes()) {
      throw new QuiverException.InvalidInput("point " + id + ": payload of " + bytes + " bytes exceeds the limit of "
          + config.maxPayloadBytes());
    }
  }

  private static int depth(JsonNode node, int level) {
    if (level > MAX_PAYLOAD_DEPTH) {
      return level;
    }
    int max = level;
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        max = Math.max(max, depth(child, level + 1));
      }
    }
    return max;
  }

  // ------------------------------------------------------------------ reads

  /** The points with these ids that exist, in the order asked. */
  public List<PointRecord> retrieve(List<PointId> pointIds, PayloadSelector payload, Set<String> withVectors) {
    checkBatch(pointIds.size());
    List<PointRecord> out = new ArrayList<>();
    read(() -> {
      for (PointId id : pointIds) {
        Location loc = locate(Objects.requireNonNull(id, "id"));
        if (loc != null) {
          out.add(record(id, loc, payload, withVectors));
        }
      }
    });
    return out;
  }

  /** The point with {@code id}, with its payload and all vectors, or null. */
  public PointRecord get(PointId id) {
    List<PointRecord> r = retrieve(List.of(id), PayloadSelector.ALL, Set.of());
    return r.isEmpty() ? null : r.get(0);
  }

  /** The nearest points to the request's vector, best first. */
  public List<ScoredPoint> search(SearchRequest request) {
    VectorParams params = config.vector(request.using());
    if (params == null) {
      throw new QuiverException.NotFound("collection " + name + " has no vector field '" + request.using()
          + "'; it has " + fieldNames());
    }
    float[] query = checkVector(request.vector(), params, "query");
    if (params.metric().normalizes()) {
      VectorUtil.normalize(query);
    }
    int k = request.offset() + request.limit();
    int ef = Math.max(k, request.ef() > 0 ? request.ef() : params.hnsw().efSearch());
    float maxDistance = request.scoreThreshold() == null ? Float.POSITIVE_INFINITY
        : maxDistance(params.metric(), request.scoreThreshold());
    Hits hits = new Hits(k, maxDistance);
    Filter filter = request.filter();
    List<ScoredPoint> out = new ArrayList<>();
    read(() -> {
      for (Segment s : segments) {
        s.search(request.using(), query, k, ef, request.exact(), ord -> s.matches(ord, filter), hits);
      }
      // a point moved by a concurrent write can be seen in its old and new place: keep the better one
      Set<PointId> seen = new java.util.HashSet<>();
      List<Hits.Hit> sorted = hits.sorted().stream().filter(h -> seen.add(h.segment().idOf(h.ordinal()))).toList();
      for (int i = request.offset(); i < sorted.size(); i++) {
        Hits.Hit h = sorted.get(i);
        Location loc = new Location(h.segment(), h.ordinal());
        PointRecord r = record(h.segment().idOf(h.ordinal()), loc, request.payload(), request.withVectors());
        out.add(new ScoredPoint(r.id(), params.metric().toScore(h.distance()), r.payload(), r.vectors()));
      }
    });
    return out;
  }

  public List<List<ScoredPoint>> searchBatch(List<SearchRequest> requests) {
    checkBatch(requests.size());
    List<List<ScoredPoint>> out = new ArrayList<>(requests.size());
    for (SearchRequest r : requests) {
      out.add(search(r));
    }
    return out;
  }

  /** Largest internal distance whose score passes {@code threshold} (Qdrant: >= for similarities, <= for distances). */
  static float maxDistance(Metric metric, float threshold) {
    return switch (metric) {
      case L2 -> threshold < 0 ? -1f : threshold * threshold;
      case DOT -> -threshold;
      case COSINE -> 1f - threshold;
      case L1 -> threshold;
    };
  }

  /** A page of points in id order (or payload order, see {@link ScrollRequest}). */
  public ScrollPage scroll(ScrollRequest request) {
    List<PointRecord> out = new ArrayList<>();
    PointId[] next = new PointId[1];
    read(() -> {
      if (request.orderBy() != null) {
        scrollOrdered(request, out);
        return;
      }
      var view = request.offset() == null ? ids : ids.tailMap(request.offset(), true);
      for (var e : view.entrySet()) {
        Location loc = e.getValue();
        if (loc.segment().isDeleted(loc.ordinal()) || !loc.segment().matches(loc.ordinal(), request.filter())) {
          continue;
        }
        if (out.size() == request.limit()) {
          next[0] = e.getKey();
          break;
        }
        out.add(record(e.getKey(), loc, request.payload(), request.withVectors()));
      }
    });
    return new ScrollPage(out, next[0]);
  }

  private void scrollOrdered(ScrollRequest request, List<PointRecord> out) {
    ScrollRequest.OrderBy order = request.orderBy();
    record Keyed(double key, PointId id, Location loc) {}
    List<Keyed> keyed = new ArrayList<>();
    for (var e : ids.entrySet()) {
      Location loc = e.getValue();
      if (!loc.segment().matches(loc.ordinal(), request.filter())) {
        continue;
      }
      for (JsonNode v : PayloadPath.values(loc.segment().payload(loc.ordinal()), order.key())) {
        if (v.isNumber()) {
          double key = v.doubleValue();
          if (order.startFrom() == null
              || (order.descending() ? key <= order.startFrom() : key >= order.startFrom())) {
            keyed.add(new Keyed(key, e.getKey(), loc));
          }
        }
      }
    }
    Comparator<Keyed> cmp = Comparator.comparingDouble(Keyed::key);
    if (order.descending()) {
      cmp = cmp.reversed();
    }
    keyed.sort(cmp.thenComparing(Keyed::id, PointId.ORDER));
    for (int i = 0; i < keyed.size() && out.size() < request.limit(); i++) {
      Keyed kd = keyed.get(i);
      out.add(record(kd.id(), kd.loc(), request.payload(), request.withVectors()));
    }
  }

  /**
   * Points matching {@code filter} (null: all). Exact counts every point; otherwise an estimate from a sample of at
   * most a few thousand points (exact when there is no filter).
   */
  public long count(Filter filter, boolean exact) {
    long[] n = new long[1];
    read(() -> {
      if (filter == null) {
        n[0] = ids.size();
        return;
      }
      if (exact) {
        for (Location loc : ids.values()) {
          if (loc.segment().matches(loc.ordinal(), filter)) {
            n[0]++;
          }
        }
        return;
      }
      long live = ids.size();
      int sampleTarget = 4096;
      long seen = 0;
      long hits = 0;
      for (Segment s : segments) {
        int ords = s.ordinals();
        int step = Math.max(1, (int) Math.ceil((double) ords * Math.max(1, segments.size()) / sampleTarget));
        for (int o = 0; o < ords; o += step) {
          if (!s.isDeleted(o)) {
            seen++;
            if (s.matches(o, filter)) {
              hits++;
            }
          }
        }
      }
      n[0] = seen == 0 ? 0 : Math.round((double) hits / seen * live);
    });
    return n[0];
  }

  public long count() {
    return ids.size();
  }

  public CollectionInfo info() {
    long[] v = new long[4];
    int[] segs = new int[1];
    boolean[] green = {true};
    read(() -> {
      for (Segment s : segments) {
        v[0] += s.indexedPoints();
        v[1] += s.heapBytes();
        v[2] += s.mappedBytes();
        if (s instanceof MutableSegment m && !m.fullyIndexed()) {
          green[0] = false;
        }
      }
      segs[0] = segments.size();
    });
    try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
      v[3] = files.mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      v[3] = -1;
    }
    return new CollectionInfo(ids.size(), segs[0], v[0], v[1], v[2], v[3], green[0] ? "green" : "yellow", config);
  }

  private List<PointId> matchingIds(Filter filter) {
    List<PointId> out = new ArrayList<>();
    for (var e : ids.entrySet()) {
      Location loc = e.getValue();
      if (loc.segment().matches(loc.ordinal(), filter)) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** The live location of {@code id}, or null; retries when a concurrent write moved the point. */
  private Location locate(PointId id) {
    for (int attempt = 0; attempt < 8; attempt++) {
      Location loc = ids.get(id);
      if (loc == null || !loc.segment().isDeleted(loc.ordinal())) {
        return loc;
      }
    }
    return null;
  }

  private PointRecord record(PointId id, Location loc, PayloadSelector payload, Set<String> withVectors) {
    ObjectNode p = payload.select(loc.segment().payload(loc.ordinal()));
    if (p != null && payload == PayloadSelector.ALL) {
      p = p.deepCopy(); // stored payloads are shared; callers may mutate what they get
    }
    return new PointRecord(id, p, withVectors == null ? null : vectorsOf(loc, withVectors));
  }

  /** The vectors of the point at {@code loc}: the named fields, or all when {@code names} is null or empty. */
  private Map<String, float[]> vectorsOf(Location loc, Set<String> names) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String field : config.vectors().keySet()) {
      if (names == null || names.isEmpty() || names.contains(field)) {
        float[] v = loc.segment().vector(field, loc.ordinal());
        if (v != null) {
          out.put(field, v);
        }
      }
    }
    return out;
  }

  private void read(Runnable body) {
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

  // ------------------------------------------------------------------ background work

  /** Segments whose graphs are still being built (the mutable one). */
  List<MutableSegment> unindexedSegments() {
    List<MutableSegment> out = new ArrayList<>();
    for (Segment s : segments) {
      if (s instanceof MutableSegment m && !m.fullyIndexed()) {
        out.add(m);
      }
    }
    return out;
  }

  /** Blocks until every stored point is linked into its graph (tests, benchmarks, close). */
  public void awaitIndexed() throws InterruptedException {
    indexer.awaitIdle();
  }

  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      segmentsLock.writeLock().lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
      } finally {
        segmentsLock.writeLock().unlock();
      }
      indexer.stop();
      wal.close();
      for (Segment s : segments) {
        s.closeResources();
      }
    } finally {
      writeLock.unlock();
    }
  }

  boolean isClosed() {
    return closed;
  }
}
