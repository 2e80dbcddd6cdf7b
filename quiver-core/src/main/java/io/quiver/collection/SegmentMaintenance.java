package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.collection.SegmentHolder.Frozen;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.collection.optimizer.OptimizerHost;
import io.quiver.collection.optimizer.SegmentStats;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.roaringbitmap.RoaringBitmap;

/**
 * The segment operations the optimizations choose among: sealing a frozen segment, rewriting sealed ones (merge,
 * vacuum), re-encoding codes and rebuilding payload links; with the counts of what was done.
 */
final class SegmentMaintenance implements OptimizerHost {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  private final SegmentHolder holder;
  private final Checkpointer checkpointer;
  private final Path segmentsDir;
  private final ObjectMapper json;
  private final ExecutorService pool;
  private final int threads;
  private final Supplier<Throwable> indexingFailure;
  private final MemoryBudget budget;
  /** Whether the last job the budget held back was logged (one warning per stretch of refusals). */
  private volatile boolean budgetWarned;
  /** Optimizer work done since open, and in progress (see {@link Collection#optimizerStats()}). */
  private final AtomicLong seals = new AtomicLong();
  private final AtomicLong merges = new AtomicLong();
  private final AtomicLong vacuums = new AtomicLong();
  private final AtomicLong graphMerges = new AtomicLong();
  final AtomicInteger optimizing = new AtomicInteger();

  SegmentMaintenance(SegmentHolder holder, Checkpointer checkpointer, Path segmentsDir, ObjectMapper json,
      ExecutorService pool, int threads, Supplier<Throwable> indexingFailure, MemoryBudget budget) {
    this.holder = holder;
    this.checkpointer = checkpointer;
    this.segmentsDir = segmentsDir;
    this.json = json;
    this.pool = pool;
    this.threads = threads;
    this.indexingFailure = indexingFailure;
    this.budget = budget;
  }

  /**
   * Whether a background job adding {@code bytes} of heap fits the budget. Jobs wait rather than drop caches: they
   * are retried every few milliseconds, and a search's caches would never survive that.
   */
  private boolean budgetAdmits(long bytes, String job) {
    if (!budget.limited() || budget.usedBytes() + bytes <= budget.limitBytes()) {
      budgetWarned = false;
      return true;
    }
    if (!budgetWarned) {
      budgetWarned = true;
      LOG.log(System.Logger.Level.WARNING, "collection {0}: {1} waits: it needs about {2} and the memory budget"
          + " holds {3} of {4}", holder.name, job, MemoryBudget.mib(bytes), MemoryBudget.mib(budget.usedBytes()),
          MemoryBudget.mib(budget.limitBytes()));
    }
    return false;
  }

  OptimizerStats stats() {
    return new OptimizerStats(seals.get(), merges.get(), vacuums.get(), graphMerges.get(), optimizing.get());
  }

  @Override
  public String collectionName() {
    return holder.name;
  }

  @Override
  public CollectionConfig config() {
    return holder.config;
  }

  @Override
  public boolean sealPending() {
    return !holder.frozen.isEmpty();
  }

  @Override
  public Throwable indexingFailure() {
    return indexingFailure.get();
  }

  @Override
  public List<SegmentStats> sealedSegments() {
    List<SegmentStats> out = new ArrayList<>();
    for (Segment s : holder.segments) {
      if (s instanceof SealedSegment) {
        out.add(new SegmentStats(s.id, s.ordinals(), s.deletedCount()));
      }
    }
    return out;
  }

  private SealedSegment sealed(long id) {
    for (Segment s : holder.segments) {
      if (s instanceof SealedSegment sealed && s.id == id) {
        return sealed;
      }
    }
    throw new IllegalStateException("collection " + holder.name + " has no sealed segment " + id);
  }

  @Override
  public boolean quantizationStale(long id, CollectionConfig config) {
    return sealed(id).quantizationStale(config);
  }

  @Override
  public boolean payloadLinksStale(long id, CollectionConfig config) {
    return sealed(id).payloadLinksStale(config);
  }

  @Override
  public boolean requantize(long id, CollectionConfig config) throws IOException {
    SealedSegment s = sealed(id);
    if (!budgetAdmits(MemoryBudget.codesBytes(config, s.ordinals()), "re-encoding segment " + id)) {
      return false;
    }
    run(() -> s.requantize(config));
    LOG.log(System.Logger.Level.INFO, "collection {0}: re-encoded segment {1} for quantization {2}", holder.name, id,
        config.quantization() == null ? "none" : config.quantization().kind());
    return true;
  }

  @Override
  public void relink(long id, CollectionConfig config) throws IOException {
    SealedSegment s = sealed(id);
    run(() -> s.relink(config));
    LOG.log(System.Logger.Level.INFO, "collection {0}: built payload links of segment {1}", holder.name, id);
  }

  interface Step {
    void run() throws IOException;
  }

  /** Runs {@code step}, counted as optimizer work in progress meanwhile. */
  void run(Step step) throws IOException {
    optimizing.incrementAndGet();
    try {
      step.run();
    } finally {
      optimizing.decrementAndGet();
    }
  }

  @Override
  public boolean sealOldest() throws IOException {
    Frozen f = holder.frozen.peekFirst();
    if (f == null || !f.segment().fullyIndexed()) {
      return false;
    }
    run(() -> sealFrozen(f));
    return true;
  }

  private void sealFrozen(Frozen f) throws IOException {
    MutableSegment m = f.segment();
    int count = m.ordinals();
    Path segDir = segmentsDir.resolve(Manifest.segmentDirName(m.id));
    AtomicFiles.deleteTree(segDir);
    CollectionConfig config = holder.config;
    SegmentWriter.write(segDir, m, count, json, config);
    SealedSegment sealed = SealedSegment.open(m.id, segDir, count, config, json);
    holder.writeLock.lock();
    try {
      holder.swapSealed(m, sealed);
      seals.incrementAndGet(); // before the segment leaves frozen, so flush() returns with it counted
      holder.frozen.pollFirst();
    } finally {
      holder.writeLock.unlock();
    }
    checkpointer.checkpoint(f.lsn());
    LOG.log(System.Logger.Level.DEBUG, "collection {0}: sealed segment {1} ({2} points)", holder.name, m.id, count);
  }

  @Override
  public boolean rewrite(List<Long> ids, BooleanSupplier stop) throws IOException {
    List<SealedSegment> sources = ids.stream().map(this::sealed).toList();
    long live = 0;
    for (SealedSegment s : sources) {
      live += s.ordinals() - s.deletedCount();
    }
    // the rewrite holds its points in a mutable segment, then their codes, until the result is swapped in
    long transientBytes = live * MemoryBudget.pointBytes(holder.config) + MemoryBudget.codesBytes(holder.config, live);
    if (!budgetAdmits(transientBytes, (sources.size() == 1 ? "vacuum" : "merge") + " of segments " + ids)) {
      return false;
    }
    int[] graphMerged = {-1};
    run(() -> {
      graphMerged[0] = rewriteSegments(sources, stop);
      if (graphMerged[0] >= 0) {
        (sources.size() == 1 ? vacuums : merges).incrementAndGet();
        graphMerges.addAndGet(graphMerged[0]);
      }
    });
    return graphMerged[0] >= 0;
  }

  /**
   * Writes the live points of {@code sources} as one new sealed segment and swaps it in; returns the number of disk
   * fields written by merging into an existing graph, or -1 if stopped. The
   * source with the most live points comes first, so that its disk fields' graphs can be merged into
   * ({@link SegmentWriter.MergeBase}) instead of rebuilt.
   */
  private int rewriteSegments(List<SealedSegment> sources, BooleanSupplier stop) throws IOException {
    CollectionConfig config = holder.config;
    MutableSegment built = new MutableSegment(holder.nextSegmentId.getAndIncrement(), config);
    // a disk field's index builds its graph from the merged points: an HNSW over them would be thrown away
    boolean diskFields = false;
    for (var e : config.vectors().entrySet()) {
      if (e.getValue().diskSegments()) {
        built.skipGraph(e.getKey());
        diskFields = true;
      }
    }
    List<SealedSegment> order = new ArrayList<>(sources);
    order.sort(Comparator.comparingInt((SealedSegment s) -> s.ordinals() - s.deletedCount()).reversed());
    RoaringBitmap baseKeep = new RoaringBitmap();
    List<Location> origin = new ArrayList<>();
    for (SealedSegment s : order) {
      for (int ord = 0; ord < s.ordinals(); ord++) {
        if (!s.isDeleted(ord)) {
          Map<String, float[]> vectors = new HashMap<>();
          for (String field : config.vectors().keySet()) {
            float[] v = s.vector(field, ord);
            if (v != null) {
              vectors.put(field, v);
            }
          }
          for (String field : config.multiVectors().keySet()) {
            MultiVectorStore m = s.multi(field);
            float[] v = m == null ? null : m.get(ord);
            if (v != null) {
              vectors.put(field, v);
            }
          }
          built.append(new Point(s.idOf(ord), vectors, s.payload(ord), holder.sparseOf(new Location(s, ord), null)));
          origin.add(new Location(s, ord));
          if (s == order.get(0)) {
            baseKeep.add(ord);
          }
        }
      }
    }
    SegmentWriter.MergeBase mergeBase = diskFields
        ? new SegmentWriter.MergeBase(order.get(0), baseKeep, baseKeep.getCardinality(), threads) : null;
    while (!built.fullyIndexed()) {
      if (stop.getAsBoolean()) {
        return -1;
      }
      built.indexPending(4096, pool, threads);
    }
    int count = built.ordinals();
    Path segDir = segmentsDir.resolve(Manifest.segmentDirName(built.id));
    AtomicFiles.deleteTree(segDir);
    SealedSegment merged;
    int graphMerged = 0;
    if (count > 0) {
      graphMerged = SegmentWriter.write(segDir, built, count, json, config, mergeBase);
      merged = SealedSegment.open(built.id, segDir, count, config, json);
    } else {
      merged = null;
    }
    holder.writeLock.lock();
    try {
      holder.swapMerged(sources, merged, origin);
    } finally {
      holder.writeLock.unlock();
    }
    checkpointer.persistTombstones();
    // no reader can still be inside a source once the exclusive lock is granted
    holder.closeRetired(sources);
    for (SealedSegment s : sources) {
      AtomicFiles.deleteTree(s.directory());
    }
    LOG.log(System.Logger.Level.DEBUG, "collection {0}: merged {1} segments into {2} ({3} points)", holder.name,
        sources.size(), built.id, count);
    return graphMerged;
  }
}
