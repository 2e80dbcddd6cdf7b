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
import io.quiver.filter.index.FieldSchema;
import io.quiver.filter.index.SegmentView;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import org.roaringbitmap.RoaringBitmap;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
  /** Largest offset + limit of a search, as Elasticsearch's max_result_window: deeper pages are scrolls. */
  public static final int MAX_RESULT_WINDOW = 100_000;

  private final String name;
  private final Path dir;
  private volatile CollectionConfig config;
  private final ObjectMapper json;
  private final WriteAheadLog wal;
  /** Serializes writers: log order = apply order. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Readers share it; swapping segments out (and closing them) takes it exclusively. */
  private final ReentrantReadWriteLock segmentsLock = new ReentrantReadWriteLock();
  private final SearchStats searchStats = new SearchStats();
  /** Live id -> where its current version lives. Sorted, so scroll pages by id cheaply. */
  private ConcurrentSkipListMap<PointId, Location> ids = new ConcurrentSkipListMap<>(PointId.ORDER);
  private volatile List<Segment> segments;
  private volatile MutableSegment mutable;
  private final Indexer indexer;
  private final java.util.concurrent.atomic.AtomicLong nextSegmentId;
  private final Optimizer optimizer;
  /** Mutable segments no longer written, oldest first, with the log position each holds every write up to. */
  final java.util.concurrent.ConcurrentLinkedDeque<Frozen> frozen = new java.util.concurrent.ConcurrentLinkedDeque<>();
  /** The manifest last written (only the optimizer thread, or close() after stopping it, writes manifests). */
  private Manifest manifest;
  private volatile boolean closed;
  private volatile boolean closing;
  /** Held by the optimizer for each step, and by a snapshot while it copies segment files. */
  final ReentrantLock optimizerLock = new ReentrantLock();
  /** Set when a log fsync failed: memory may hold a write that is not durable, so further writes are refused. */
  private volatile IOException writeFailure;
  /** Optimizer work done since open, and in progress (see {@link #optimizerStats()}). */
  private final java.util.concurrent.atomic.AtomicLong seals = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong merges = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong vacuums = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger optimizing = new java.util.concurrent.atomic.AtomicInteger();

  record Location(Segment segment, int ordinal) {}

  record Frozen(MutableSegment segment, long lsn) {}

  private Collection(String name, Path dir, CollectionConfig config, ObjectMapper json, WriteAheadLog wal,
      Manifest manifest, List<Segment> sealed) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.json = json;
    this.wal = wal;
    this.manifest = manifest;
    long maxId = sealed.stream().mapToLong(seg -> seg.id + 1).max().orElse(0);
    this.nextSegmentId = new java.util.concurrent.atomic.AtomicLong(Math.max(manifest.nextSegmentId(), maxId));
    this.mutable = new MutableSegment(nextSegmentId.getAndIncrement(), config);
    List<Segment> all = new ArrayList<>(sealed);
    all.add(mutable);
    this.segments = List.copyOf(all);
    this.indexer = new Indexer(this);
    this.optimizer = new Optimizer(this);
  }

  /**
   * Opens the collection stored in {@code dir}: the sealed segments its manifest names (with their tombstones), then
   * every log record after the manifest's checkpoint replayed into a new mutable segment. {@link io.quiver.Quiver}
   * calls this.
   */
  public static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json) throws IOException {
    long started = System.nanoTime();
    Path segmentsDir = dir.resolve("segments");
    Files.createDirectories(segmentsDir);
    Manifest manifest = Manifest.read(dir, json);
    Map<Long, long[]> deletes = manifest.deletesFile() == null ? Map.of()
        : Manifest.readDeletes(dir.resolve(manifest.deletesFile()));
    List<Segment> sealed = new ArrayList<>();
    WriteAheadLog wal = null;
    try {
      for (Manifest.Entry e : manifest.segments()) {
        SealedSegment seg = SealedSegment.open(e.id(), segmentsDir.resolve(Manifest.segmentDirName(e.id())),
            e.ordinals(), config, json);
        sealed.add(seg);
        long[] words = deletes.getOrDefault(e.id(), new long[0]);
        for (int w = 0; w < words.length; w++) {
          for (long bits = words[w]; bits != 0; bits &= bits - 1) {
            seg.markDeleted(w * 64 + Long.numberOfTrailingZeros(bits));
          }
        }
      }
      long segmentsOpened = System.nanoTime();
      removeOrphans(dir, manifest);
      wal = WriteAheadLog.open(dir.resolve("wal"), WalOptions.DEFAULT.withDurability(config.durability()));
      io.quiver.storage.AtomicFiles.syncDirectory(dir); // the wal/ and segments/ entries themselves
      Collection c = new Collection(name, dir, config, json, wal, manifest, sealed);
      c.loadIdMap(sealed);
      long idsMapped = System.nanoTime();
      long[] replayed = new long[1];
      wal.replay(manifest.checkpointLsn() + 1, (lsn, payload) -> {
        c.apply(WalOp.decode(payload, json));
        replayed[0]++;
      });
      long done = System.nanoTime();
      LOG.log(System.Logger.Level.INFO, "collection {0}: {1} points in {2} sealed segments, {3} log records replayed,"
          + " opened in {4} ms (segments {5} ms, id map {6} ms, log {7} ms)", name, c.ids.size(), sealed.size(),
          replayed[0], (done - started) / 1_000_000, (segmentsOpened - started) / 1_000_000,
          (idsMapped - segmentsOpened) / 1_000_000, (done - idsMapped) / 1_000_000);
      c.indexer.start();
      c.optimizer.start();
      return c;
    } catch (IOException | RuntimeException e) {
      for (Segment seg : sealed) {
        seg.closeResources();
      }
      if (wal != null) {
        wal.close();
      }
      throw e;
    }
  }

  /**
   * Fills the (empty) id map from the sealed segments: ids are read and sorted in arrays, then the skip list is
   * built from them in one linear pass, much faster at open than one insertion per point.
   */
  private void loadIdMap(List<Segment> sealed) {
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
    java.util.Arrays.sort(order, (a, b) -> PointId.ORDER.compare(keys[a], keys[b]));
    List<Integer> unique = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && PointId.ORDER.compare(keys[order[i]], keys[order[i + 1]]) == 0) {
        Location older = values[order[i]];
        older.segment().markDeleted(older.ordinal()); // the newer segment wins
        continue;
      }
      unique.add(order[i]);
    }
    ids = new ConcurrentSkipListMap<>(new SortedArrayMap(keys, values, unique)); // built in one linear pass
  }

  /**
   * A read-once sorted view over arrays: the ConcurrentSkipListMap(SortedMap) constructor reads only its comparator
   * and its entries in order, and links them in one pass.
   */
  private static final class SortedArrayMap extends java.util.AbstractMap<PointId, Location>
      implements java.util.SortedMap<PointId, Location> {
    private final PointId[] keys;
    private final Location[] values;
    private final List<Integer> order;

    SortedArrayMap(PointId[] keys, Location[] values, List<Integer> order) {
      this.keys = keys;
      this.values = values;
      this.order = order;
    }

    @Override
    public Comparator<? super PointId> comparator() {
      return PointId.ORDER;
    }

    @Override
    public java.util.SortedMap<PointId, Location> subMap(PointId from, PointId to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<PointId, Location> headMap(PointId to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<PointId, Location> tailMap(PointId from) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PointId firstKey() {
      return keys[order.get(0)];
    }

    @Override
    public PointId lastKey() {
      return keys[order.get(order.size() - 1)];
    }

    @Override
    public Set<Entry<PointId, Location>> entrySet() {
      return new java.util.AbstractSet<>() {
        @Override
        public java.util.Iterator<Entry<PointId, Location>> iterator() {
          var it = order.iterator();
          return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Entry<PointId, Location> next() {
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

  /** Removes segment directories and deletes files the manifest does not name (left by a crash mid-optimization). */
  private static void removeOrphans(Path dir, Manifest manifest) throws IOException {
    Set<String> live = new java.util.HashSet<>();
    manifest.segments().forEach(e -> live.add(Manifest.segmentDirName(e.id())));
    try (Stream<Path> entries = Files.list(dir.resolve("segments"))) {
      for (Path p : entries.toList()) {
        if (!live.contains(p.getFileName().toString())) {
          io.quiver.storage.AtomicFiles.deleteTree(p);
        }
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String f = p.getFileName().toString();
        if (f.startsWith("deletes-") && !f.equals(manifest.deletesFile())) {
          Files.deleteIfExists(p);
        } else if (f.startsWith(".snapshot-wal")) {
          io.quiver.storage.AtomicFiles.deleteTree(p); // a snapshot interrupted by a crash
        }
      }
    }
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
    List<byte[]> payloadJson = new ArrayList<>(points.size());
    for (Point p : points) {
      Point v = validateVectors(p.id(), p.vectors(), true);
      payloadJson.add(checkPayload(p.id(), p.payload()));
      valid.add(new Point(p.id(), v.vectors(), p.payload() == null ? null : p.payload().deepCopy()));
    }
    write(new WalOp.Upsert(valid, payloadJson));
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
      // entries for the same id apply in order, each on top of the previous
      Map<PointId, Point> merged = new LinkedHashMap<>();
      for (Point p : valid) {
        Point before = merged.get(p.id());
        Map<String, float[]> vectors;
        ObjectNode payload;
        if (before != null) {
          vectors = new HashMap<>(before.vectors());
          payload = before.payload();
        } else {
          Location loc = ids.get(p.id());
          if (loc == null) {
            continue;
          }
          vectors = new HashMap<>(vectorsOf(loc, null));
          payload = loc.segment().payload(loc.ordinal());
        }
        vectors.putAll(p.vectors());
        merged.put(p.id(), new Point(p.id(), vectors, payload));
      }
      List<Point> out = new ArrayList<>(merged.values());
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out, null);
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
      List<PointId> targets = pointIds != null ? List.copyOf(new java.util.LinkedHashSet<>(pointIds))
          : matchingIds(filter);
      List<Point> out = new ArrayList<>();
      List<byte[]> bytes = new ArrayList<>();
      for (PointId id : targets) {
        Location loc = ids.get(Objects.requireNonNull(id, "id"));
        if (loc == null) {
          continue;
        }
        ObjectNode payload = fn.apply(loc.segment().payload(loc.ordinal()));
        bytes.add(checkPayload(id, payload));
        out.add(new Point(id, vectorsOf(loc, null), payload));
      }
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out, bytes);
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
    // An interrupt during FileChannel I/O closes the log's channel for every writer: keep a pending interrupt
    // away from the I/O and restore it afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      writeLogged(build);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void writeLogged(java.util.function.Supplier<WalOp> build) {
    long lsn;
    writeLock.lock();
    try {
      checkWritable();
      WalOp op = build.get();
      if (op == null) {
        return;
      }
      byte[] record = WalOp.encode(op, json);
      if (record.length > WalOptions.DEFAULT.maxRecordBytes()) {
        throw new QuiverException.InvalidInput("the request encodes to " + record.length + " bytes, over the limit of "
            + WalOptions.DEFAULT.maxRecordBytes() + " per write; split it into smaller batches");
      }
      try {
        lsn = wal.write(record);
      } catch (IOException e) {
        throw new QuiverException.Storage("collection " + name + ": write failed, nothing was changed: "
            + e.getMessage(), e);
      }
      apply(op);
      maybeFreeze(false);
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
    if (closed || closing) {
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

  private Point validateVectors(PointId id, Map<String, float[]> vectors, boolean requireDefault) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    for (var e : vectors.entrySet()) {
      VectorParams params = config.vector(e.getKey());
      if (params == null) {
        throw new QuiverException.InvalidInput("point " + id + ": collection " + name + " has no vector field '"
            + e.getKey() + "'; it has " + fieldNames());
      }
      copy.put(e.getKey(), checkVector(e.getValue(), params, id, e.getKey()));
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

  /** Validates one vector of point {@code id} (null: a query) and returns a normalized copy for cosine. */
  private static float[] checkVector(float[] v, VectorParams params, PointId id, String field) {
    String what = null;
    if (v == null || v.length != params.size() || !allFinite(v)
        || (params.metric() == Metric.COSINE && VectorUtil.dot(v, v) == 0f)) {
      what = id == null ? "query" : "point " + id + vectorLabel(field); // the label is only built for an error
    }
    return checkVector(v, params, what);
  }

  private static boolean allFinite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
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
    float[] copy = v.clone();
    if (params.metric().normalizes()) {
      VectorUtil.normalize(copy); // stored and logged normalized; the original norm is not kept
    }
    return copy;
  }

  /** Checks depth and size; returns the payload's JSON bytes (null for none), which the log record reuses. */
  private byte[] checkPayload(PointId id, ObjectNode payload) {
    if (payload == null) {
      return null;
    }
    if (depth(payload, 0) > MAX_PAYLOAD_DEPTH) {
      throw new QuiverException.InvalidInput("point " + id + ": payload nests deeper than " + MAX_PAYLOAD_DEPTH
          + " levels");
    }
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new QuiverException.InvalidInput("point " + id + ": payload cannot be serialized: " + e.getMessage());
    }
    if (bytes.length > config.maxPayloadBytes()) {
      throw new QuiverException.InvalidInput("point " + id + ": payload of " + bytes.length
          + " bytes exceeds the limit of " + config.maxPayloadBytes());
    }
    return bytes;
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
    return search(request, null);
  }

  /** Searches like {@link #search} and reports how each segment was searched (strategy, estimate, cost). */
  public SearchExplain explain(SearchRequest request) {
    List<SegmentPlan> plans = new ArrayList<>();
    List<ScoredPoint> points = search(request, plans);
    return new SearchExplain(points, plans);
  }

  /** Running totals of search strategies and costs since the collection was opened. */
  public SearchStats searchStats() {
    return searchStats;
  }

  private List<ScoredPoint> search(SearchRequest request, List<SegmentPlan> plans) {
    VectorParams params = config.vector(request.using());
    if (params == null) {
      throw new QuiverException.NotFound("collection " + name + " has no vector field '" + request.using()
          + "'; it has " + fieldNames());
    }
    float[] query = checkVector(request.vector(), params, null, request.using());
    if ((long) request.offset() + request.limit() > MAX_RESULT_WINDOW) {
      throw new QuiverException.InvalidInput("offset + limit = " + ((long) request.offset() + request.limit())
          + " exceeds the limit of " + MAX_RESULT_WINDOW + " results");
    }
    int k = request.offset() + request.limit();
    int ef = Math.max(k, Math.min(MAX_RESULT_WINDOW, request.ef() > 0 ? request.ef() : params.hnsw().efSearch()));
    float maxDistance = request.scoreThreshold() == null ? Float.POSITIVE_INFINITY
        : maxDistance(params.metric(), request.scoreThreshold());
    Hits hits = new Hits(k, maxDistance);
    List<ScoredPoint> out = new ArrayList<>();
    read(() -> {
      for (Segment s : segments) {
        if (s.liveCount() == 0) {
          continue;
        }
        SegmentPlan plan = searchSegment(s, request, query, k, ef, hits);
        searchStats.record(plan);
        if (plans != null) {
          plans.add(plan);
        }
      }
      // a point moved by a concurrent write can be seen in its old and new place: keep the better one
      List<Hits.Hit> sorted = hits.sorted();
      if (sorted.stream().map(Hits.Hit::segment).distinct().count() > 1) {
        Set<PointId> seen = new java.util.HashSet<>();
        sorted = sorted.stream().filter(h -> seen.add(h.segment().idOf(h.ordinal()))).toList();
      }
      for (int i = request.offset(); i < sorted.size(); i++) {
        Hits.Hit h = sorted.get(i);
        Location loc = new Location(h.segment(), h.ordinal());
        PointRecord r = record(h.segment().idOf(h.ordinal()), loc, request.payload(), request.withVectors());
        out.add(new ScoredPoint(r.id(), params.metric().toScore(h.distance()), r.payload(), r.vectors()));
      }
    });
    return out;
  }

  /** Points sampled to estimate how many points of a segment a filter on unindexed fields accepts. */
  static final int ESTIMATE_SAMPLE = 256;

  /**
   * Searches one segment as the planner decides (see {@link PlannerConfig}): the filter's matches are counted exactly
   * from payload indexes where they decide it, else estimated from a sample; few matches are scanned exactly, a
   * middle range walks the graph over accepted points only (ACORN-1), a permissive filter walks the whole graph.
   * A graph walk over its visit budget, or finding fewer than k, is replaced by an exact scan of the matches.
   */
  private SegmentPlan searchSegment(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits) {
    String using = req.using();
    Filter filter = req.filter();
    long live = s.liveCount();
    boolean exact = req.exact() || req.strategy() == SearchStrategy.EXACT;
    if (filter == null) {
      OrdinalFilter accept = s.deletedCount() == 0 ? null : ord -> !s.isDeleted(ord);
      long cost = 0;
      if (!exact) {
        Segment.GraphOutcome g = s.graphSearch(using, query, k, SearchParams.ef(ef), accept, hits, quantized(req));
        if (g.usable()) {
          return new SegmentPlan(s.id, live, SearchStrategy.ROUTE_THROUGH, SearchStrategy.ROUTE_THROUGH, live, true,
              false, g.distanceComputations(), false);
        }
        cost = g.distanceComputations();
      }
      cost += scan(scanner(s, req, query, k, ef, hits), s, null, accept);
      return new SegmentPlan(s.id, live, SearchStrategy.EXACT, exact ? SearchStrategy.EXACT
          : SearchStrategy.ROUTE_THROUGH, live, true, !exact, cost, false);
    }
    RoaringBitmap m = indexedMatches(s, filter);
    if (m != null && m.getCardinality() >= s.ordinals() && !exact && req.strategy() == SearchStrategy.AUTO) {
      // every point matches: nothing to filter, search as unfiltered
      return searchSegment(s, new SearchRequest(req.vector(), req.using(), req.limit(), req.offset(), null,
          req.scoreThreshold(), req.payload(), req.withVectors(), req.exact(), req.ef(), req.strategy(),
          req.quantization()), query, k, ef, hits);
    }
    long estimate;
    OrdinalFilter accept;
    if (m != null) {
      estimate = m.getCardinality();
      accept = ord -> m.contains(ord) && !s.isDeleted(ord);
    } else {
      estimate = estimateMatches(s, filter, live);
      accept = ord -> s.matches(ord, filter);
    }
    SearchStrategy planned = exact ? SearchStrategy.EXACT
        : req.strategy() == SearchStrategy.AUTO ? config.planner().choose(estimate, live) : req.strategy();
    long cost = 0;
    io.quiver.index.hnsw.PayloadLinks.Group[] links = null;
    if (planned != SearchStrategy.EXACT) {
      // ACORN tests the filter on two hops of every node it expands, so make the test cheap: index matches become a
      // plain bitset minus tombstones; a per-point filter remembers its verdicts.
      // (route-through tests each visited node once: Roaring's own lookup is cheaper than building the bitset)
      OrdinalFilter walk = planned != SearchStrategy.ACORN ? accept : m != null ? bitsetFilter(s, m)
          : memoize(s, accept);
      long budget = req.strategy() == SearchStrategy.AUTO
          ? Math.max(4L * ef, (long) (config.planner().visitBudget() * estimate)) : 0;
      SearchParams sp = new SearchParams(ef, planned == SearchStrategy.ACORN ? SearchParams.Traversal.ACORN
          : SearchParams.Traversal.ROUTE_THROUGH, budget);
      links = planned == SearchStrategy.ACORN ? s.payloadLinks(using, filter, config.tenantFields()) : null;
      Segment.GraphOutcome g = s.graphSearch(using, query, k, sp, walk, hits, quantized(req), links);
      if (g.usable()) {
        return new SegmentPlan(s.id, live, planned, planned, estimate, m != null, false, g.distanceComputations(),
            links != null);
      }
      cost = g.distanceComputations();
    }
    // the scan walks m itself: only tombstones are left to check
    cost += scan(scanner(s, req, query, k, ef, hits), s, m,
        m == null ? accept : s.deletedCount() == 0 ? null : ord -> !s.isDeleted(ord));
    return new SegmentPlan(s.id, live, SearchStrategy.EXACT, planned, estimate, m != null,
        planned != SearchStrategy.EXACT, cost, links != null);
  }

  /** The live ordinals of {@code s} in {@code matches}, as a filter answering with one word read. */
  private static OrdinalFilter bitsetFilter(Segment s, RoaringBitmap matches) {
    int ords = s.ordinals();
    // container by container (a dense container is one array copy): setting bit after bit cost as much as the walk
    long[] words = Arrays.copyOf(org.roaringbitmap.BitSetUtil.toLongArray(matches), (ords + 63) >>> 6);
    if (s.deletedCount() > 0) {
      long[] deleted = s.deletedWords();
      for (int i = 0; i < Math.min(words.length, deleted.length); i++) {
        words[i] &= ~deleted[i];
      }
    }
    return new OrdinalFilter.Bits(words);
  }

  /** {@code accept}, asked at most once per ordinal of {@code s} (payload filters are slow to test). */
  private static OrdinalFilter memoize(Segment s, OrdinalFilter accept) {
    byte[] verdict = new byte[s.ordinals()]; // 0 unknown, 1 accepted, 2 rejected
    return o -> {
      if (o >= verdict.length) {
        return accept.accept(o);
      }
      byte v = verdict[o];
      if (v == 0) {
        v = accept.accept(o) ? (byte) 1 : (byte) 2;
        verdict[o] = v;
      }
      return v == 1;
    };
  }

  /** Whether and how graph walks use quantized codes for {@code req} (null: full precision). */
  private Segment.Quantized quantized(SearchRequest req) {
    QuantizationConfig qc = config.quantization();
    SearchRequest.QuantizationParams p = req.quantization();
    if (qc == null || (p != null && p.ignore())) {
      return null;
    }
    return new Segment.Quantized(true, p != null && p.rescore() != null ? p.rescore() : qc.rescore(),
        p != null && p.oversampling() != null ? p.oversampling() : qc.oversampling(),
        // 1-bit and PQ estimates order the beam too coarsely to cut it: measured on Fashion-MNIST at ef 64, binary
        // recall@10 0.75 reranking the best 30 vs 0.89 reranking all 64; int8 loses nothing reranking the best 20
        qc.kind() == QuantizationConfig.Kind.BINARY || qc.kind() == QuantizationConfig.Kind.PRODUCT);
  }

  /** Estimated live points of {@code s} that {@code filter} accepts, from an evenly spread sample. */
  private static long estimateMatches(Segment s, Filter filter, long live) {
    int ords = s.ordinals();
    if (ords == 0) {
      return 0;
    }
    int step = Math.max(1, ords / ESTIMATE_SAMPLE);
    int sampled = 0;
    int matched = 0;
    for (int ord = step / 2; ord < ords; ord += step) {
      sampled++;
      if (s.matches(ord, filter)) {
        matched++;
      }
    }
    return sampled == 0 ? 0 : (long) Math.ceil((double) matched / sampled * ords * live / Math.max(1, ords));
  }

  /**
   * Scores the accepted points of {@code s} exactly: those of {@code candidates} (null: every ordinal), in blocks so
   * the multi-way distance kernels apply. Returns the distances computed.
   */
  private static long scan(Scan scan, Segment s, RoaringBitmap candidates, OrdinalFilter accept) {
    int ords = s.ordinals();
    if (candidates == null) {
      for (int ord = 0; ord < ords; ord++) {
        if (accept == null || accept.accept(ord)) {
          scan.add(ord);
        }
      }
    } else {
      for (var it = candidates.getIntIterator(); it.hasNext(); ) {
        int ord = it.next();
        if (ord >= ords) {
          break;
        }
        if (accept == null || accept.accept(ord)) {
          scan.add(ord);
        }
      }
    }
    return scan.finish();
  }

  /**
   * A scan of {@code s} for {@code req}: over the segment's quantized codes first when it has them and the request
   * may use them ({@code exact: true} never does), keeping as many candidates as a graph walk would rerank (int8 and
   * float16: limit x oversampling; binary and PQ: at least ef).
   */
  private Scan scanner(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits) {
    Segment.Quantized q = req.exact() ? null : quantized(req);
    io.quiver.quantization.QuantizedScorer approx = q == null ? null : s.codeScorer(req.using(), query);
    if (approx == null) {
      return new Scan(s, req.using(), query, hits);
    }
    int keep = (int) Math.min(MAX_RESULT_WINDOW, Math.max(q.wholeBeam() ? ef : 0, Math.ceil(k * q.oversampling())));
    return new Scan(s, req.using(), query, hits, approx, Math.max(k, keep), q.rescore());
  }

  /** Collects ordinals into blocks and scores each block at once. */
  private static final class Scan {
    private final Segment s;
    private final String using;
    private final float[] query;
    private final Hits hits;
    private final int[] block = new int[256];
    private final float[] dists = new float[256];
    private int n;
    private long scored;

    /** Quantized scores for a first pass, or null to score the full vectors directly. */
    private final io.quiver.quantization.QuantizedScorer approx;
    /** The first pass's best candidates, reranked at {@link #finish()} (null without {@link #approx}). */
    private final Hits candidates;
    private final boolean rescore;

    Scan(Segment s, String using, float[] query, Hits hits) {
      this(s, using, query, hits, null, 0, true);
    }

    /**
     * A scan that scores {@code approx} codes first and keeps the best {@code keep}, then (with {@code rescore})
     * reranks those with the full vectors: a quarter (int8) or less of the memory traffic of a full-precision scan.
     */
    Scan(Segment s, String using, float[] query, Hits hits, io.quiver.quantization.QuantizedScorer approx, int keep,
        boolean rescore) {
      this.s = s;
      this.using = using;
      this.query = query;
      this.hits = hits;
      this.approx = approx;
      this.candidates = approx == null ? null : new Hits(keep, Float.POSITIVE_INFINITY);
      this.rescore = rescore;
    }

    void add(int ord) {
      if (!s.hasVector(using, ord)) {
        return;
      }
      block[n++] = ord;
      if (n == block.length) {
        flush();
      }
    }

    private void flush() {
      if (approx != null) {
        approx.score(block, n, dists);
        for (int i = 0; i < n; i++) {
          candidates.offer(dists[i], s, block[i]);
        }
      } else {
        s.distances(using, query, block, n, dists);
        for (int i = 0; i < n; i++) {
          hits.offer(dists[i], s, block[i]);
        }
      }
      scored += n;
      n = 0;
    }

    long finish() {
      flush();
      if (approx == null) {
        return scored;
      }
      List<Hits.Hit> best = candidates.sorted();
      if (!rescore) {
        for (Hits.Hit h : best) {
          hits.offer(h.distance(), s, h.ordinal());
        }
        return scored;
      }
      int[] ords = new int[best.size()];
      for (int i = 0; i < ords.length; i++) {
        ords[i] = best.get(i).ordinal();
      }
      float[] exact = new float[ords.length];
      s.distances(using, query, ords, ords.length, exact);
      for (int i = 0; i < ords.length; i++) {
        hits.offer(exact[i], s, ords[i]);
      }
      return scored + ords.length;
    }
  }

  /** The ordinals of {@code s} matching {@code filter} when the payload index decides part of it, else null. */
  private RoaringBitmap indexedMatches(Segment s, Filter filter) {
    if (filter == null || !usesIndex(filter, s.payloadIndex().fields().keySet())) {
      return null;
    }
    boolean cacheable = s instanceof SealedSegment && !namesIds(filter);
    if (cacheable) {
      RoaringBitmap hit = ((SealedSegment) s).cachedMatches(filter);
      if (hit != null) {
        return hit;
      }
    }
    SegmentView view = new SegmentView(RoaringBitmap.bitmapOfRange(0, s.ordinals()), s::payload, s::idOf, id -> {
      Location l = ids.get(id);
      return l != null && l.segment() == s ? l.ordinal() : -1;
    });
    RoaringBitmap m = s.payloadIndex().evaluate(filter, view);
    if (cacheable) {
      ((SealedSegment) s).cacheMatches(filter, m);
    }
    return m;
  }

  /** Whether {@code c} has a has_id condition anywhere (its answer depends on the id map, not only payloads). */
  private static boolean namesIds(io.quiver.filter.Condition c) {
    return switch (c) {
      case Filter f -> f.must().stream().anyMatch(Collection::namesIds)
          || f.should().stream().anyMatch(Collection::namesIds)
          || f.mustNot().stream().anyMatch(Collection::namesIds)
          || (f.minShould() != null && f.minShould().conditions().stream().anyMatch(Collection::namesIds));
      case io.quiver.filter.Condition.HasId h -> true;
      case io.quiver.filter.Condition.Nested n -> true; // conservative: do not look inside
      default -> false;
    };
  }

  /** Whether some condition of {@code c} is on an indexed field, or is a has_id (answered from the id map). */
  private static boolean usesIndex(io.quiver.filter.Condition c, Set<String> indexed) {
    return switch (c) {
      case Filter f -> f.must().stream().anyMatch(x -> usesIndex(x, indexed))
          || f.should().stream().anyMatch(x -> usesIndex(x, indexed))
          || f.mustNot().stream().anyMatch(x -> usesIndex(x, indexed))
          || (f.minShould() != null && f.minShould().conditions().stream().anyMatch(x -> usesIndex(x, indexed)));
      case io.quiver.filter.Condition.HasId h -> true;
      case io.quiver.filter.Condition.Match x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.MatchAny x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.MatchExcept x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.Range x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.DatetimeRange x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.ValuesCount x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.IsEmpty x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.IsNull x -> indexed.contains(x.key());
      case io.quiver.filter.Condition.Nested x -> false;
      case io.quiver.filter.Condition.GeoRadius x -> false;
      case io.quiver.filter.Condition.GeoBoundingBox x -> false;
    };
  }

  /**
   * Indexes the payload field {@code key} with {@code schema} in every segment (building over the points already
   * stored) and records it in the collection's configuration; filters on it then use the index.
   */
  public void createPayloadIndex(String key, FieldSchema schema) throws IOException {
    createPayloadIndex(key, schema, false);
  }

  /**
   * {@link #createPayloadIndex(String, FieldSchema)}; {@code isTenant} (Qdrant's {@code is_tenant}, keyword or
   * integer only) marks the field whose payload links searches prefer. Links are built when segments are sealed.
   */
  public void createPayloadIndex(String key, FieldSchema schema, boolean isTenant) throws IOException {
    if (!PayloadPath.isValidKey(key)) {
      throw new QuiverException.InvalidInput("'" + key + "' is not a valid payload key");
    }
    if (isTenant && schema != FieldSchema.KEYWORD && schema != FieldSchema.INTEGER) {
      throw new QuiverException.InvalidInput("is_tenant needs a keyword or integer index, not " + schema.qdrantName());
    }
    changeSchema(key, java.util.Objects.requireNonNull(schema, "schema"), isTenant);
  }

  /** Drops the payload index on {@code key}; returns false if there was none. */
  public boolean deletePayloadIndex(String key) throws IOException {
    if (!config.payloadSchema().containsKey(key)) {
      return false;
    }
    changeSchema(key, null, false);
    return true;
  }

  /**
   * Changes the collection's quantization ({@code null}: none) and re-encodes the codes of every sealed segment now,
   * training each on its own vectors; the mutable segment searches at full precision as before. The new setting is
   * persisted first: if the process stops half-way, the optimizer re-encodes the segments left behind at next open.
   * Searches keep running meanwhile, each segment on whichever codes it holds.
   */
  public void updateQuantization(QuantizationConfig quantization) throws IOException {
    optimizerLock.lock();
    try {
      List<SealedSegment> sealed = persistConfig(c -> c.toBuilder().quantization(quantization).build());
      optimizing.incrementAndGet();
      try {
        for (SealedSegment s : sealed) {
          s.requantize(config); // the optimizer lock keeps merges from closing s meanwhile
        }
      } finally {
        optimizing.decrementAndGet();
      }
    } finally {
      optimizerLock.unlock();
    }
  }

  /**
   * Under the write lock (the caller holds the optimizer lock): persists {@code change} applied to the current config
   * as the collection's config, and returns the sealed segments as they are then.
   */
  private List<SealedSegment> persistConfig(java.util.function.UnaryOperator<CollectionConfig> change)
      throws IOException {
    writeLock.lock();
    try {
      checkWritable();
      CollectionConfig next = change.apply(config);
      io.quiver.storage.AtomicFiles.write(dir.resolve("collection.json"),
          json.writeValueAsBytes(ConfigCodec.toJson(next, json)));
      config = next;
      return segments.stream().filter(s -> s instanceof SealedSegment).map(s -> (SealedSegment) s).toList();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Changes {@code payload_m} (payload-aware links, see {@link io.quiver.index.hnsw.HnswConfig#payloadM}) of every
   * vector field. The new setting is persisted first. With 0, the links of every sealed segment are dropped now
   * (their files deleted) and searches stop using them. Otherwise segments sealed from now on get links, and the
   * background optimizer builds (or rebuilds, for another payload_m) those of the segments already sealed, one at a
   * time; searches use each segment's links once they are built, and {@link #info()} reports "yellow" until then.
   * If the process stops half-way, the optimizer finishes after the next open.
   */
  public void updateHnswPayloadM(int payloadM) throws IOException {
    optimizerLock.lock();
    try {
      List<SealedSegment> sealed = persistConfig(c -> {
        CollectionConfig.Builder b = c.toBuilder();
        for (var e : c.vectors().entrySet()) {
          b.vector(e.getKey(), e.getValue().withHnsw(e.getValue().hnsw().withPayloadM(payloadM)));
        }
        return b.build();
      });
      if (payloadM == 0) {
        for (SealedSegment s : sealed) {
          s.relink(config); // only deletes: cheap enough to do before answering
        }
      }
    } finally {
      optimizerLock.unlock();
    }
    optimizer.wake();
  }

  /**
   * Optimizer step: builds the payload links of one sealed segment whose links do not match the configured
   * {@code payload_m} (sealed before it was set, or a rebuild cut short by a crash). Returns false when every segment
   * matches.
   */
  boolean relinkOnce() throws IOException {
    CollectionConfig c = config;
    return fixOneSegment(s -> s.payloadLinksStale(c), s -> s.relink(c), s -> "built payload links of segment " + s.id);
  }

  /**
   * Optimizer step: re-encodes one sealed segment whose codes do not match the configured quantization (a re-encode
   * cut short by a crash). Returns false when every segment matches.
   */
  boolean requantizeOnce() throws IOException {
    CollectionConfig c = config;
    return fixOneSegment(s -> s.quantizationStale(c), s -> s.requantize(c), s -> "re-encoded segment " + s.id
        + " for quantization " + (c.quantization() == null ? "none" : c.quantization().kind()));
  }

  private interface SegmentFix {
    void apply(SealedSegment s) throws IOException;
  }

  /** Applies {@code fix} to the first sealed segment that is {@code stale}, logging {@code done}; false if none is. */
  private boolean fixOneSegment(java.util.function.Predicate<SealedSegment> stale, SegmentFix fix,
      java.util.function.Function<SealedSegment, String> done) throws IOException {
    for (Segment s : segments) {
      if (s instanceof SealedSegment sealed && stale.test(sealed)) {
        optimizing.incrementAndGet();
        try {
          fix.apply(sealed);
        } finally {
          optimizing.decrementAndGet();
        }
        LOG.log(System.Logger.Level.INFO, "collection {0}: {1}", name, done.apply(sealed));
        return true;
      }
    }
    return false;
  }

  private void changeSchema(String key, FieldSchema schema, boolean isTenant) throws IOException {
    optimizerLock.lock();
    try {
      writeLock.lock();
      try {
        checkWritable();
        CollectionConfig.Builder b = config.toBuilder();
        CollectionConfig next = schema == null ? b.withoutPayloadIndex(key).build() : b.payloadIndex(key, schema, isTenant).build();
        io.quiver.storage.AtomicFiles.write(dir.resolve("collection.json"),
            json.writeValueAsBytes(ConfigCodec.toJson(next, json)));
        config = next;
        for (Segment s : segments) {
          if (s instanceof SealedSegment sealed) {
            sealed.updatePayloadSchema(key, schema);
          } else if (schema == null) {
            s.payloadIndex().dropField(key);
          } else {
            s.payloadIndex().createField(key, schema, s::payload);
          }
        }
      } finally {
        writeLock.unlock();
      }
    } finally {
      optimizerLock.unlock();
    }
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
        if (loc.segment().isDeleted(loc.ordinal())) {
          loc = locate(e.getKey()); // the iterator's cached location was moved by a concurrent write
          if (loc == null) {
            continue;
          }
        }
        if (!loc.segment().matches(loc.ordinal(), request.filter())
            && (!loc.segment().isDeleted(loc.ordinal()) || (loc = currentMatch(e.getKey(), request.filter())) == null)) {
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
      if (loc.segment().isDeleted(loc.ordinal()) && (loc = locate(e.getKey())) == null) {
        continue;
      }
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
        // walk the id map, so a point moved by a concurrent write is counted once, in its current place
        record Matches(RoaringBitmap bitmap, int below) {}
        Map<Segment, Matches> bySegment = new HashMap<>();
        for (var e : ids.entrySet()) {
          Location loc = e.getValue();
          if (loc.segment().isDeleted(loc.ordinal()) && (loc = locate(e.getKey())) == null) {
            continue;
          }
          Segment s = loc.segment();
          Matches m = bySegment.computeIfAbsent(s, seg -> {
            int below = seg.ordinals();
            return new Matches(indexedMatches(seg, filter), below);
          });
          boolean match = m.bitmap() != null && loc.ordinal() < m.below() ? m.bitmap().contains(loc.ordinal())
              : s.matches(loc.ordinal(), filter);
          if (!match && s.isDeleted(loc.ordinal())) {
            match = currentMatch(e.getKey(), filter) != null; // moved while we looked: judge its current version
          }
          if (match) {
            n[0]++;
          }
        }
        return;
      }
      long live = ids.size();
      if (segments.stream().allMatch(s -> usesIndex(filter, s.payloadIndex().fields().keySet()))) {
        double expected = 0;
        for (Segment s : segments) {
          SegmentView view = new SegmentView(RoaringBitmap.bitmapOfRange(0, s.ordinals()), s::payload, s::idOf,
              null);
          int ords = Math.max(1, s.ordinals());
          // the index counts tombstoned ordinals too: scale by the segment's live fraction
          expected += s.payloadIndex().estimate(filter, view).expected() * ((double) s.liveCount() / ords);
        }
        n[0] = Math.round(expected);
        return;
      }
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
    long[] v = new long[5];
    int[] segs = new int[1];
    boolean[] green = {true};
    StorageUsage[] storage = {StorageUsage.EMPTY};
    read(() -> {
      for (Segment s : segments) {
        storage[0] = storage[0].plus(s.storage());
        v[0] += s.indexedPoints();
        v[1] += s.heapBytes();
        v[2] += s.mappedBytes();
        if (s instanceof SealedSegment sealed) {
          v[4] += sealed.quantizedBytes();
          if (sealed.payloadLinksStale(config)) {
            green[0] = false; // the optimizer has payload links left to build
          }
        }
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
    return new CollectionInfo(ids.size(), segs[0], v[0], v[1], v[2], v[3], v[4], green[0] ? "green" : "yellow",
        config, storage[0]);
  }

  /** Seals, merges and vacuums the background optimizer has completed since open, and whether one is running. */
  public OptimizerStats optimizerStats() {
    return new OptimizerStats(seals.get(), merges.get(), vacuums.get(), optimizing.get());
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

  /** The live location of {@code id} if its current version matches {@code filter}, else null. */
  private Location currentMatch(PointId id, Filter filter) {
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

  /**
   * {@link MutableSegment#repairReachability} on the open mutable segment; the indexer's, when it is out of work.
   * Frozen segments waiting to be sealed are left to the seal, which repairs them before writing the graph.
   */
  int repairMutableGraphs(boolean force) {
    MutableSegment m = mutable;
    return m == null ? 0 : m.repairReachability(force);
  }

  /** Whether the open mutable segment has linked points since its last repair. */
  boolean mutableRepairDue() {
    MutableSegment m = mutable;
    return m != null && m.repairDue();
  }

  Throwable indexerFailure() {
    return indexer.failure();
  }

  /**
   * Blocks until every stored point is linked into its graph and the open mutable segment's graph has had the nodes
   * its pruning stranded linked back (tests, benchmarks, close).
   */
  public void awaitIndexed() throws InterruptedException {
    indexer.awaitIdle();
  }

  /** Seals the mutable segment once it holds {@code sealThreshold} points. Caller holds the write lock. */
  private void maybeFreeze(boolean force) {
    MutableSegment m = mutable;
    if (m.ordinals() == 0 || (!force && m.ordinals() < config.sealThreshold())) {
      return;
    }
    frozen.addLast(new Frozen(m, wal.lastLsn()));
    MutableSegment next = new MutableSegment(nextSegmentId.getAndIncrement(), config);
    List<Segment> all = new ArrayList<>(segments);
    all.add(next);
    mutable = next;
    segments = List.copyOf(all);
    optimizer.wake();
  }

  /**
   * Makes everything written so far part of sealed segments on disk and checkpoints the log, so a reopen replays
   * nothing. Blocks until the mutable segment is indexed and written.
   */
  public void flush() throws IOException, InterruptedException {
    writeLock.lock();
    try {
      checkWritable();
      if (mutable.liveCount() > 0) {
        maybeFreeze(true);
      }
    } finally {
      writeLock.unlock();
    }
    optimizer.awaitIdle();
  }

  /**
   * Optimizer step: writes the oldest frozen segment (once indexed) to disk, swaps it in for its in-memory version
   * and checkpoints the log up to it. Returns false when there is nothing to seal or it is not indexed yet.
   */
  boolean sealOldest() throws IOException {
    Frozen f = frozen.peekFirst();
    if (f == null || !f.segment().fullyIndexed()) {
      return false;
    }
    optimizing.incrementAndGet();
    try {
      sealFrozen(f);
    } finally {
      optimizing.decrementAndGet();
    }
    return true;
  }

  private void sealFrozen(Frozen f) throws IOException {
    MutableSegment m = f.segment();
    int count = m.ordinals();
    Path segDir = dir.resolve("segments").resolve(Manifest.segmentDirName(m.id));
    io.quiver.storage.AtomicFiles.deleteTree(segDir);
    SealedSegment.write(segDir, m, count, json, config);
    SealedSegment sealed = SealedSegment.open(m.id, segDir, count, config, json);
    writeLock.lock();
    try {
      for (int ord = 0; ord < count; ord++) {
        if (m.isDeleted(ord)) {
          sealed.markDeleted(ord);
        } else {
          ids.replace(m.idOf(ord), new Location(m, ord), new Location(sealed, ord));
        }
      }
      segments = segments.stream().map(s -> s == m ? (Segment) sealed : s).toList();
      seals.incrementAndGet(); // before the segment leaves frozen, so flush() returns with it counted
      frozen.pollFirst();
    } finally {
      writeLock.unlock();
    }
    checkpoint(f.lsn());
    LOG.log(System.Logger.Level.DEBUG, "collection {0}: sealed segment {1} ({2} points)", name, m.id, count);
  }

  /**
   * Optimizer step: rewrites small sealed segments together, or one with many tombstones alone, keeping only live
   * points. Sources stay searchable until the result is swapped in. Returns false when nothing qualifies.
   */
  boolean mergeOnce() throws IOException {
    List<SealedSegment> sealed = segments.stream().filter(s -> s instanceof SealedSegment)
        .map(s -> (SealedSegment) s).toList();
    List<SealedSegment> sources = new ArrayList<>();
    for (SealedSegment s : sealed) {
      if (s.ordinals() > 0 && s.deletedCount() > config.vacuumRatio() * s.ordinals()) {
        sources = List.of(s);
        break;
      }
    }
    if (sources.isEmpty()) {
      int total = 0;
      for (SealedSegment s : sealed) {
        if (s.liveCount() < config.mergeThreshold() && total + s.liveCount() <= config.sealThreshold()) {
          sources.add(s);
          total += s.liveCount();
        }
      }
      if (sources.size() < 2) {
        return false;
      }
    }
    boolean vacuum = sources.size() == 1;
    optimizing.incrementAndGet();
    try {
      if (!rewrite(sources)) {
        return false;
      }
      (vacuum ? vacuums : merges).incrementAndGet();
    } finally {
      optimizing.decrementAndGet();
    }
    return true;
  }

  /** Writes the live points of {@code sources} as one new sealed segment and swaps it in; false if stopped. */
  private boolean rewrite(List<SealedSegment> sources) throws IOException {
    MutableSegment built = new MutableSegment(nextSegmentId.getAndIncrement(), config);
    List<Location> origin = new ArrayList<>();
    for (SealedSegment s : sources) {
      for (int ord = 0; ord < s.ordinals(); ord++) {
        if (!s.isDeleted(ord)) {
          Map<String, float[]> vectors = new HashMap<>();
          for (String field : config.vectors().keySet()) {
            float[] v = s.vector(field, ord);
            if (v != null) {
              vectors.put(field, v);
            }
          }
          built.append(new Point(s.idOf(ord), vectors, s.payload(ord)));
          origin.add(new Location(s, ord));
        }
      }
    }
    int threads = Runtime.getRuntime().availableProcessors();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads,
        Thread.ofPlatform().daemon().name("quiver-merge-worker-", 0).factory())) {
      while (!built.fullyIndexed()) {
        if (optimizer.stopRequested()) {
          return false;
        }
        built.indexPending(4096, pool, threads);
      }
    }
    int count = built.ordinals();
    Path segDir = dir.resolve("segments").resolve(Manifest.segmentDirName(built.id));
    io.quiver.storage.AtomicFiles.deleteTree(segDir);
    SealedSegment merged;
    if (count > 0) {
      SealedSegment.write(segDir, built, count, json, config);
      merged = SealedSegment.open(built.id, segDir, count, config, json);
    } else {
      merged = null;
    }
    Set<Segment> gone = Set.copyOf(sources);
    writeLock.lock();
    try {
      for (int ord = 0; ord < count; ord++) {
        Location from = origin.get(ord);
        if (from.segment().isDeleted(from.ordinal())) {
          merged.markDeleted(ord);
        } else {
          ids.replace(merged.idOf(ord), from, new Location(merged, ord));
        }
      }
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
    } finally {
      writeLock.unlock();
    }
    checkpoint(manifest.checkpointLsn());
    // no reader can still be inside a source once the exclusive lock is granted
    segmentsLock.writeLock().lock();
    try {
      for (SealedSegment s : sources) {
        s.closeResources();
      }
    } finally {
      segmentsLock.writeLock().unlock();
    }
    for (SealedSegment s : sources) {
      io.quiver.storage.AtomicFiles.deleteTree(s.directory());
    }
    LOG.log(System.Logger.Level.DEBUG, "collection {0}: merged {1} segments into {2} ({3} points)", name,
        sources.size(), built.id, count);
    return true;
  }

  /**
   * Writes a new deletes file and manifest naming the current sealed segments, with {@code lsn} as the point up to
   * which they hold every write, then drops log files wholly before it.
   */
  private void checkpoint(long lsn) throws IOException {
    List<Segment> current = segments;
    long generation = manifest.generation() + 1;
    Map<Long, long[]> bits = new LinkedHashMap<>();
    Map<Long, Integer> ordinals = new HashMap<>();
    List<Manifest.Entry> entries = new ArrayList<>();
    for (Segment s : current) {
      if (s instanceof SealedSegment) {
        entries.add(new Manifest.Entry(s.id, s.ordinals()));
        bits.put(s.id, s.deletedWords());
        ordinals.put(s.id, s.ordinals());
      }
    }
    // every tombstone copied above was set by a log record at or before lastLsn: make those durable first, or a
    // power loss could keep the tombstone and lose the record that wrote the point's new version
    wal.sync();
    String deletesFile = "deletes-" + String.format("%020d", generation) + ".bin";
    Manifest.writeDeletes(dir.resolve(deletesFile), bits, ordinals);
    Manifest next = new Manifest(generation, lsn, nextSegmentId.get(), entries, deletesFile);
    next.write(dir, json);
    if (manifest.deletesFile() != null) {
      Files.deleteIfExists(dir.resolve(manifest.deletesFile()));
    }
    manifest = next;
    if (wal.lastLsn() == lsn) {
      wal.roll(); // nothing after the checkpoint: a fresh file lets every older one go
    }
    wal.truncateBefore(lsn + 1);
  }

  /** Rewrites the deletes file so tombstones since the last checkpoint are on disk (close, snapshot). */
  private void persistTombstones() throws IOException {
    checkpoint(manifest.checkpointLsn());
  }

  /**
   * Writes a consistent copy of the collection (every write acknowledged before the call) to one zip archive at
   * {@code target}; restore it with {@link io.quiver.Quiver#restoreSnapshot}. Writes may go on meanwhile; they are
   * not in the snapshot.
   */
  public void snapshot(Path target) throws IOException, InterruptedException {
    flush();
    optimizerLock.lock(); // segment files named by the manifest stay in place while they are copied
    try {
      Manifest m;
      long upTo;
      writeLock.lock();
      try {
        m = manifest;
        upTo = wal.lastLsn();
      } finally {
        writeLock.unlock();
      }
      Path tmpWal = Files.createTempDirectory(dir, ".snapshot-wal");
      try {
        // the log records after the checkpoint, renumbered from 1 in a log of their own
        try (WriteAheadLog copy = WriteAheadLog.open(tmpWal, WalOptions.DEFAULT.withDurability(
            io.quiver.storage.wal.Durability.PERIODIC))) {
          wal.replay(m.checkpointLsn() + 1, (lsn, payload) -> {
            if (lsn <= upTo) {
              copy.write(payload);
            }
          });
          copy.sync();
        }
        Manifest archived = new Manifest(m.generation(), 0, m.nextSegmentId(), m.segments(), m.deletesFile());
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(tmp))) {
          zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
          addEntry(zip, "collection.json", dir.resolve("collection.json"));
          zip.putNextEntry(new java.util.zip.ZipEntry(Manifest.FILE));
          zip.write(archived.toBytes(json));
          zip.closeEntry();
          if (m.deletesFile() != null) {
            addEntry(zip, m.deletesFile(), dir.resolve(m.deletesFile()));
          }
          for (Manifest.Entry e : m.segments()) {
            String segName = Manifest.segmentDirName(e.id());
            try (Stream<Path> files = Files.list(dir.resolve("segments").resolve(segName))) {
              for (Path f : files.sorted().toList()) {
                addEntry(zip, "segments/" + segName + "/" + f.getFileName(), f);
              }
            }
          }
          try (Stream<Path> files = Files.list(tmpWal)) {
            for (Path f : files.sorted().toList()) {
              addEntry(zip, "wal/" + f.getFileName(), f);
            }
          }
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        io.quiver.storage.AtomicFiles.move(tmp, target);
      } finally {
        io.quiver.storage.AtomicFiles.deleteTree(tmpWal);
      }
    } finally {
      optimizerLock.unlock();
    }
  }

  private static void addEntry(java.util.zip.ZipOutputStream zip, String entry, Path file) throws IOException {
    zip.putNextEntry(new java.util.zip.ZipEntry(entry));
    Files.copy(file, zip);
    zip.closeEntry();
  }

  /** Most points still to link into a graph for which close() seals the mutable segment before closing. */
  static final int CLOSE_INDEXING_BUDGET = 20_000;
  private boolean sealOnClose;

  private long unindexedPoints() {
    long n = 0;
    for (Segment s : segments) {
      if (s instanceof MutableSegment m) {
        n += m.ordinals() - m.indexedPoints() - m.deletedCount();
      }
    }
    return n;
  }

  /**
   * Seals what is in memory when little indexing is left (so a reopen replays nothing), persists tombstones, then
   * closes the log and segment files. Never loses a write either way: what is not sealed is in the log.
   */
  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      if (closed || closing) {
        return;
      }
      closing = true;
      // seal only when little graph work is left, so close stays quick; otherwise the log keeps those points and
      // the next open replays them (and indexes them in the background)
      sealOnClose = writeFailure == null && unindexedPoints() <= CLOSE_INDEXING_BUDGET;
      if (sealOnClose && mutable.liveCount() > 0) {
        maybeFreeze(true);
      }
    } finally {
      writeLock.unlock();
    }
    try {
      if (sealOnClose) {
        optimizer.awaitIdle();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "collection " + name + ": could not seal before closing; the log keeps"
          + " every write and the next open replays it", e);
    }
    optimizer.stop();
    optimizerLock.lock(); // a snapshot may still be copying the files this checkpoint replaces
    try {
      if (writeFailure == null && frozen.isEmpty() && mutable.liveCount() == 0) {
        checkpoint(wal.lastLsn()); // every write is in a sealed segment: nothing to replay on reopen
      } else {
        persistTombstones();
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "collection " + name + ": final checkpoint failed; the log replays", e);
    } finally {
      optimizerLock.unlock();
      closeNow();
    }
  }

  private void closeNow() throws IOException {
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
      optimizer.stop();
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
