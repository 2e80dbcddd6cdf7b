package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.calibration.CalibrationStore;
import io.quiver.collection.optimizer.Optimizer;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import io.quiver.text.TextIndexParams;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * A named set of points with one or more vector fields, stored durably in its own directory. The public face of
 * the parts that do the work:
 * <ul>
 *   <li>{@link SegmentHolder}: the segments, the id map, and the locks (with their order);
 *   <li>{@link PointUpdater} (with {@link PointValidator}): writes, through the write-ahead log;
 *   <li>{@link SegmentSearcher} (with {@link FilterPlanner} and {@link Scan}): nearest-neighbour search;
 *   <li>{@link PointReader}: retrieve, scroll, count, info;
 *   <li>{@link Indexer} and {@link Optimizer} (with {@link SegmentMaintenance}): background graph building, sealing,
 *       merging and re-encoding;
 *   <li>{@link Checkpointer}: the manifest, the deletes file and snapshots.
 * </ul>
 *
 * <p><b>Writes</b> are validated in full first (a bad point rejects the whole batch, nothing changes), then logged
 * and applied under one lock, and acknowledged once the log record is durable. <b>Reads</b> (search, get, scroll,
 * count) run concurrently with writes and with each other, and see each point either before or after any concurrent
 * write to it.
 */
public final class Collection implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  /** Largest offset + limit of a search, as Elasticsearch's max_result_window: deeper pages are scrolls. */
  public static final int MAX_RESULT_WINDOW = SegmentSearcher.MAX_RESULT_WINDOW;
  /** Most points still to link into a graph for which close() seals the mutable segment before closing. */
  static final int CLOSE_INDEXING_BUDGET = 20_000;

  private final Path dir;
  private final SegmentHolder holder;
  private final WriteAheadLog wal;
  private final PointValidator validator;
  private final PointUpdater updater;
  private final PointReader reader;
  private final SegmentSearcher searcher;
  private final Checkpointer checkpointer;
  private final SegmentMaintenance maintenance;
  private final Indexer indexer;
  private final Optimizer optimizer;
  private final ConfigChanges configChanges;
  private final SparseSearcher sparseSearcher;
  private final CalibrationStore calibrations;
  private final MultiVectorSearcher multiSearcher;
  /** The lease on the shared worker pool this collection took itself (null: its opener owns the pool). */
  private final WorkerPool.Lease ownLease;
  /** The process's memory budget; writes and optimizer jobs that would grow the heap past it are refused. */
  private final MemoryBudget budget;

  private Collection(Path dir, ObjectMapper json, SegmentHolder holder, WriteAheadLog wal, Manifest manifest,
      ExecutorService workers, WorkerPool.Lease ownLease, MemoryBudget budget) {
    this.dir = dir;
    this.budget = budget;
    this.holder = holder;
    this.wal = wal;
    this.ownLease = ownLease;
    this.validator = new PointValidator(holder.name, () -> holder.config, json);
    this.indexer = new Indexer(holder, workers, WorkerPool.threads());
    this.checkpointer = new Checkpointer(dir, json, wal, holder, manifest);
    this.maintenance = new SegmentMaintenance(holder, checkpointer, dir.resolve("segments"), json, workers,
        WorkerPool.threads(), indexer::failure, budget);
    this.optimizer = new Optimizer(maintenance, holder.optimizerLock);
    this.updater = new PointUpdater(holder, validator, wal, json, indexer::wake, optimizer::wake);
    FilterPlanner planner = new FilterPlanner(id -> holder.ids.get(id));
    this.reader = new PointReader(holder, planner, dir.resolve("wal"));
    this.searcher = new SegmentSearcher(holder, validator, planner, reader);
    this.sparseSearcher = new SparseSearcher(holder, validator, planner, reader);
    this.multiSearcher = new MultiVectorSearcher(holder, validator, planner, reader);
    this.configChanges = new ConfigChanges(dir, json, holder, updater, maintenance);
    this.calibrations = new CalibrationStore(dir, () -> holder.config);
  }

  /**
   * Opens the collection stored in {@code dir}: the sealed segments its manifest names (with their tombstones), then
   * every log record after the manifest's checkpoint replayed into a new mutable segment. Builds graphs on the
   * process's shared {@link WorkerPool}, holding a lease on it until closed.
   */
  public static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json) throws IOException {
    WorkerPool.Lease lease = WorkerPool.acquire();
    try {
      return open(name, dir, config, json, lease.executor(), lease, MemoryBudget.unlimited());
    } catch (IOException | RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /**
   * {@link #open(String, Path, CollectionConfig, ObjectMapper)} building graphs on {@code workers}, which the caller
   * owns and shuts down after closing the collection ({@link Quiver} passes the shared {@link WorkerPool}'s).
   */
  public static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json,
      ExecutorService workers) throws IOException {
    return open(name, dir, config, json, workers, null, MemoryBudget.unlimited());
  }

  /**
   * {@link #open(String, Path, CollectionConfig, ObjectMapper, ExecutorService)} under {@code budget}, which the
   * collection's heap counts against until it is closed.
   */
  public static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json,
      ExecutorService workers, MemoryBudget budget) throws IOException {
    return open(name, dir, config, json, workers, null, budget);
  }

  private static Collection open(String name, Path dir, CollectionConfig config, ObjectMapper json,
      ExecutorService workers, WorkerPool.Lease ownLease, MemoryBudget budget) throws IOException {
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
      Checkpointer.removeOrphans(dir, manifest);
      wal = WriteAheadLog.open(dir.resolve("wal"), WalOptions.DEFAULT.withDurability(config.durability()));
      AtomicFiles.syncDirectory(dir); // the wal/ and segments/ entries themselves
      SegmentHolder holder = new SegmentHolder(name, config, sealed, manifest.nextSegmentId());
      Collection c = new Collection(dir, json, holder, wal, manifest, workers, ownLease, budget);
      holder.loadIdMap(sealed);
      long idsMapped = System.nanoTime();
      long[] replayed = new long[1];
      wal.replay(manifest.checkpointLsn() + 1, (lsn, payload) -> {
        holder.apply(WalOp.decode(payload, json));
        replayed[0]++;
      });
      long done = System.nanoTime();
      LOG.log(System.Logger.Level.INFO, "collection {0}: {1} points in {2} sealed segments, {3} log records replayed,"
          + " opened in {4} ms (segments {5} ms, id map {6} ms, log {7} ms)", name, holder.ids.size(), sealed.size(),
          replayed[0], (done - started) / 1_000_000, (segmentsOpened - started) / 1_000_000,
          (idsMapped - segmentsOpened) / 1_000_000, (done - idsMapped) / 1_000_000);
      c.indexer.start();
      c.optimizer.start();
      budget.register(c);
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

  public String name() {
    return holder.name;
  }

  public CollectionConfig config() {
    return holder.config;
  }

  // ------------------------------------------------------------------ writes

  /** Inserts or replaces points (a later duplicate id in the batch wins). */
  public void upsert(List<Point> points) {
    upsert(points, UpdateMode.UPSERT);
  }

  public void upsert(Point... points) {
    upsert(List.of(points));
  }

  /**
   * Writes the points {@code mode} selects: all, only those whose id does not exist yet, or only those whose id
   * exists (decided atomically with the write, against the state before the batch). A later duplicate id in the
   * batch wins. Returns how many points were written.
   */
  public int upsert(List<Point> points, UpdateMode mode) {
    reserve(points.size(), "upsert");
    return updater.upsert(points, mode);
  }

  /** Admits a write of {@code n} points under the memory budget (one check per batch). */
  private void reserve(int n, String what) {
    if (budget.limited()) {
      budget.reserve(n * MemoryBudget.pointBytes(holder.config), what + " of " + n + " points into collection "
          + holder.name);
    }
  }

  /** Heap bytes the collection's segments hold, caches included: what its memory budget counts. */
  long heapBytesForBudget() {
    return holder.heapBytesForBudget();
  }

  /** Empties the segments' caches. */
  void dropCaches() {
    holder.dropCaches();
  }

  /** Deletes points by id; returns how many existed. */
  public int delete(List<PointId> pointIds) {
    return updater.delete(pointIds);
  }

  /** Deletes every point matching {@code filter}; returns how many. */
  public int delete(Filter filter) {
    return updater.delete(filter);
  }

  /**
   * Sets the given keys of the payload of the points, keeping the other keys (Qdrant's set_payload). Every id must
   * exist: otherwise {@link QuiverException.NotFound} names the first missing one and nothing is written.
   */
  public int setPayload(List<PointId> pointIds, ObjectNode values) {
    return updater.updatePayloads(pointIds, null, PayloadEdits.set(values));
  }

  /** {@link #setPayload(List, ObjectNode)} with the values as a map (see {@link Point#fromMap}). */
  public int setPayload(List<PointId> pointIds, Map<String, ?> values) {
    return setPayload(pointIds, Payloads.of(Objects.requireNonNull(values, "values")));
  }

  public int setPayload(Filter filter, ObjectNode values) {
    return updater.updatePayloads(null, filter, PayloadEdits.set(values));
  }

  public int setPayload(Filter filter, Map<String, ?> values) {
    return setPayload(filter, Payloads.of(Objects.requireNonNull(values, "values")));
  }

  /** Replaces the whole payload of the points; every id must exist (see {@link #setPayload(List, ObjectNode)}). */
  public int overwritePayload(List<PointId> pointIds, ObjectNode payload) {
    return updater.updatePayloads(pointIds, null, PayloadEdits.overwrite(payload));
  }

  public int overwritePayload(List<PointId> pointIds, Map<String, ?> payload) {
    return overwritePayload(pointIds, Payloads.of(Objects.requireNonNull(payload, "payload")));
  }

  public int overwritePayload(Filter filter, ObjectNode payload) {
    return updater.updatePayloads(null, filter, PayloadEdits.overwrite(payload));
  }

  public int overwritePayload(Filter filter, Map<String, ?> payload) {
    return overwritePayload(filter, Payloads.of(Objects.requireNonNull(payload, "payload")));
  }

  /**
   * Removes the keys (top-level keys or dotted paths) from the payload of the points; every id must exist (see
   * {@link #setPayload(List, ObjectNode)}).
   */
  public int deletePayloadKeys(List<PointId> pointIds, List<String> keys) {
    return updater.updatePayloads(pointIds, null, PayloadEdits.withoutKeys(keys));
  }

  public int deletePayloadKeys(Filter filter, List<String> keys) {
    return updater.updatePayloads(null, filter, PayloadEdits.withoutKeys(keys));
  }

  /** Removes the whole payload of the points; every id must exist (see {@link #setPayload(List, ObjectNode)}). */
  public int clearPayload(List<PointId> pointIds) {
    return updater.updatePayloads(pointIds, null, PayloadEdits.clear());
  }

  public int clearPayload(Filter filter) {
    return updater.updatePayloads(null, filter, PayloadEdits.clear());
  }

  /**
   * Replaces the given vector fields of existing points, keeping their other vectors and payload; the points' own
   * payloads are ignored. Returns how many points existed.
   */
  public int updateVectors(List<Point> points) {
    reserve(points.size(), "vector update");
    return updater.updateVectors(points);
  }

  // ------------------------------------------------------------------ reads

  /** The points with these ids that exist, in the order asked. */
  public List<PointRecord> retrieve(List<PointId> pointIds, PayloadSelector payload, Set<String> withVectors) {
    return reader.retrieve(pointIds, payload, withVectors);
  }

  /** The point with {@code id}, with its payload and all vectors, or null. */
  public PointRecord get(PointId id) {
    List<PointRecord> r = retrieve(List.of(id), PayloadSelector.ALL, Set.of());
    return r.isEmpty() ? null : r.get(0);
  }

  /** The nearest points to the request's vector, best first. */
  public List<ScoredPoint> search(SearchRequest request) {
    return searcher.search(request, null);
  }

  /** The points of a sparse vector field with the largest dot product with the request's vector, best first. */
  public List<ScoredPoint> search(SparseSearchRequest request) {
    return sparseSearcher.search(request);
  }

  /** The points of a multi-vector field with the largest MaxSim against the request's vectors, best first. */
  public List<ScoredPoint> search(MultiVectorSearchRequest request) {
    return multiSearcher.search(request);
  }

  /**
   * Qdrant's query by point id: searches with the vector of {@code request.using()} that point {@code id} has, in
   * place of {@code request.vector()} (any array, e.g. an empty one), and leaves the point out of its own neighbours;
   * offset and limit count the other points.
   *
   * @throws QuiverException.NotFound naming the id when there is no such point, or it has no vector of that field
   */
  public List<ScoredPoint> searchNear(PointId id, SearchRequest request) {
    return searcher.searchNear(id, request);
  }

  /** Searches like {@link #search} and reports how each segment was searched (strategy, estimate, cost). */
  public SearchExplain explain(SearchRequest request) {
    List<SegmentPlan> plans = new ArrayList<>();
    List<ScoredPoint> points = searcher.search(request, plans);
    return new SearchExplain(points, plans);
  }

  public List<List<ScoredPoint>> searchBatch(List<SearchRequest> requests) {
    PointValidator.checkBatch(requests.size());
    List<List<ScoredPoint>> out = new ArrayList<>(requests.size());
    for (SearchRequest r : requests) {
      out.add(search(r));
    }
    return out;
  }

  /** The score thresholds calibrated for this collection's vector fields (kept in its directory and snapshots). */
  public CalibrationStore calibrations() {
    return calibrations;
  }

  /** Running totals of search strategies and costs since the collection was opened. */
  public SearchStats searchStats() {
    return searcher.stats();
  }

  /** A page of points in id order (or payload order, see {@link ScrollRequest}). */
  public ScrollPage scroll(ScrollRequest request) {
    return reader.scroll(request);
  }

  /**
   * Points matching {@code filter} (null: all). Exact counts every point; otherwise an estimate from a sample of at
   * most a few thousand points (exact when there is no filter).
   */
  public long count(Filter filter, boolean exact) {
    return reader.count(filter, exact);
  }

  public long count() {
    return holder.ids.size();
  }

  public CollectionInfo info() {
    return reader.info();
  }

  /** Seals, merges and vacuums the background optimizer has completed since open, and whether one is running. */
  public OptimizerStats optimizerStats() {
    return maintenance.stats();
  }

  // ------------------------------------------------------------------ configuration

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
    checkPayloadKey(key);
    if (isTenant && schema != FieldSchema.KEYWORD && schema != FieldSchema.INTEGER) {
      throw new QuiverException.InvalidInput("is_tenant needs a keyword or integer index, not " + schema.qdrantName());
    }
    configChanges.schema(key, Objects.requireNonNull(schema, "schema"),
        schema == FieldSchema.TEXT ? TextIndexParams.DEFAULT : null, isTenant);
  }

  /**
   * Indexes the payload field {@code key} as full text (Qdrant's {@code text} index) with {@code params}, in every
   * segment; a text index with other parameters is rebuilt. Full-text filters on the field then compare tokens.
   */
  public void createPayloadIndex(String key, TextIndexParams params) throws IOException {
    checkPayloadKey(key);
    configChanges.schema(key, FieldSchema.TEXT, Objects.requireNonNull(params, "params"), false);
  }

  private static void checkPayloadKey(String key) {
    if (!PayloadPath.isValidKey(key)) {
      throw new QuiverException.InvalidInput("'" + key + "' is not a valid payload key");
    }
  }

  /** Drops the payload index on {@code key}; returns false if there was none. */
  public boolean deletePayloadIndex(String key) throws IOException {
    if (!holder.config.payloadSchema().containsKey(key)) {
      return false;
    }
    configChanges.schema(key, null, null, false);
    return true;
  }

  /**
   * Changes the collection's quantization ({@code null}: none) and re-encodes the codes of every sealed segment now,
   * training each on its own vectors; the mutable segment searches at full precision as before. The new setting is
   * persisted first: if the process stops half-way, the optimizer re-encodes the segments left behind at next open.
   * Searches keep running meanwhile, each segment on whichever codes it holds.
   */
  public void updateQuantization(QuantizationConfig quantization) throws IOException {
    if (budget.limited() && quantization != null) {
      budget.reserve(MemoryBudget.codesBytes(holder.config.toBuilder().quantization(quantization).build(),
          holder.sealedOrdinals()), "quantizing collection " + holder.name);
    }
    configChanges.quantization(quantization);
  }

  /**
   * Changes {@code payload_m} (payload-aware links, see {@link HnswConfig#payloadM}) of every vector field. The new
   * setting is persisted first. With 0, the links of every sealed segment are dropped now (their files deleted) and
   * searches stop using them. Otherwise segments sealed from now on get links, and the background optimizer builds
   * (or rebuilds, for another payload_m) those of the segments already sealed, one at a time; searches use each
   * segment's links once they are built, and {@link #info()} reports "yellow" until then. If the process stops
   * half-way, the optimizer finishes after the next open.
   */
  public void updateHnswPayloadM(int payloadM) throws IOException {
    configChanges.payloadM(payloadM);
    optimizer.wake();
  }

  /**
   * Declares sparse vector field {@code name} (Qdrant's create vector name): persisted first; the points already
   * stored have no vector in it until written again.
   *
   * @throws QuiverException.InvalidInput when a dense or sparse field of that name exists, or the name is invalid
   */
  public void createSparseVector(String name, SparseVectorParams params) throws IOException {
    configChanges.addSparseVector(name, params);
  }

  // ------------------------------------------------------------------ durability and lifecycle

  /**
   * Blocks until every stored point is linked into its graph and the open mutable segment's graph has had the nodes
   * its pruning stranded linked back (tests, benchmarks, close).
   */
  public void awaitIndexed() throws InterruptedException {
    indexer.awaitIdle();
  }

  /**
   * Makes everything written so far part of sealed segments on disk and checkpoints the log, so a reopen replays
   * nothing. Blocks until the mutable segment is indexed and written.
   */
  public void flush() throws IOException, InterruptedException {
    holder.writeLock.lock();
    try {
      updater.checkWritable();
      if (holder.mutable.liveCount() > 0) {
        updater.freeze(true);
      }
    } finally {
      holder.writeLock.unlock();
    }
    optimizer.awaitIdle();
  }

  /**
   * Writes a consistent copy of the collection (every write acknowledged before the call) to one zip archive at
   * {@code target}; restore it with {@link Quiver#restoreSnapshot}. Writes may go on meanwhile; they are not in the
   * snapshot.
   */
  public void snapshot(Path target) throws IOException, InterruptedException {
    flush();
    checkpointer.snapshot(target);
  }

  /**
   * Seals what is in memory when little indexing is left (so a reopen replays nothing), persists tombstones, then
   * closes the log and segment files. Never loses a write either way: what is not sealed is in the log.
   */
  @Override
  public void close() throws IOException {
    boolean sealOnClose;
    holder.writeLock.lock();
    try {
      if (holder.closed || holder.closing) {
        return;
      }
      holder.closing = true;
      // seal only when little graph work is left, so close stays quick; otherwise the log keeps those points and
      // the next open replays them (and indexes them in the background)
      sealOnClose = !updater.failed() && holder.unindexedPoints() <= CLOSE_INDEXING_BUDGET;
      if (sealOnClose && holder.mutable.liveCount() > 0) {
        updater.freeze(true);
      }
    } finally {
      holder.writeLock.unlock();
    }
    try {
      if (sealOnClose) {
        optimizer.awaitIdle();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "collection " + holder.name + ": could not seal before closing; the log"
          + " keeps every write and the next open replays it", e);
    }
    optimizer.stop();
    holder.optimizerLock.lock(); // a snapshot may still be copying the files this checkpoint replaces
    try {
      if (!updater.failed() && holder.frozen.isEmpty() && holder.mutable.liveCount() == 0) {
        checkpointer.checkpoint(wal.lastLsn()); // every write is in a sealed segment: nothing to replay on reopen
      } else {
        checkpointer.persistTombstones();
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "collection " + holder.name + ": final checkpoint failed; the log replays",
          e);
    } finally {
      holder.optimizerLock.unlock();
      closeNow();
    }
  }

  private void closeNow() throws IOException {
    holder.writeLock.lock();
    try {
      if (!holder.markClosed()) {
        return;
      }
      budget.unregister(this);
      optimizer.stop();
      indexer.stop();
      try {
        wal.close();
      } finally {
        for (Segment s : holder.segments) {
          s.closeResources();
        }
        if (ownLease != null) {
          ownLease.close();
        }
      }
    } finally {
      holder.writeLock.unlock();
    }
  }
}
