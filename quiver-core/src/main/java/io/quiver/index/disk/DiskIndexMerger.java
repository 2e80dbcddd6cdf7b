package io.quiver.index.disk;

import io.quiver.index.BuildProgress;
import io.quiver.index.IndexFiles;
import io.quiver.index.VectorSource;
import io.quiver.quantization.BinaryQuantizer;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.ReadAdvice;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * Merges a disk index with deletions and new vectors into a new file without rebuilding its graph: FreshDiskANN's
 * StreamingMerge (Singh et al., 2021) over the whole bottom layer in RAM.
 *
 * <ol>
 *   <li><b>Load</b>: the positions section, then every block once in disk order (each checked against its CRC),
 *       into ordinal adjacency lists, and the survivors' float vectors in ordinal order; nothing is read twice.
 *   <li><b>Delete phase</b>: every surviving node with a dropped neighbour gets FreshDiskANN's rule: its surviving
 *       neighbours and each dropped neighbour's surviving neighbours, RobustPrune'd to R when more
 *       ({@link VamanaBuilder#repair}). Dropped nodes' lists are read as they were in the base, so the phase is
 *       order-free and runs in parallel without contention.
 *   <li><b>Insert phase</b>: each added vector is inserted as Vamana inserts (greedy search from the start,
 *       RobustPrune at the config's alpha, back-edges with slack), on the config's threads; then lists over R are
 *       pruned and nodes the entry cannot reach are linked back ({@link VamanaBuilder#finishLists}).
 *   <li><b>Write</b>: the merged graph through {@link DiskIndexWriter}, with the base's code quantizer and rotation
 *       (no retraining: the codes' centroids move little for a tenth of new points, and a merge of nothing then
 *       writes the base's file again); so the survivors' codes and block records are copied, not recomputed.
 * </ol>
 *
 * <p>Distances are exact on float vectors, in the build space of {@link BuildSpaceVectors}. <b>Entry and routing.</b>
 * A base without routing layers (Vamana) gives the merged index none either; its entry, where the inserts' searches
 * start too, is the base's (the old medoid) if it survives, else the survivors' medoid. A base with routing layers
 * (HNSW) gives them over to the merged index without its dropped nodes ({@link MergedRouting}); the entry is the old
 * one if it survives, else the top layer's node nearest the survivors' medoid; the inserts start from that medoid.
 *
 * <p>The base is only read: it stays open and searchable, and its tombstones are honoured (tombstoned ordinals are
 * dropped). RAM: the merged vectors in the build space, R times the slack ints per node, the dropped nodes' lists
 * and the survivors' block records.
 */
public final class DiskIndexMerger {
  private final DiskIndex base;
  private final VectorSource added;
  private final DiskIndexConfig config;
  private final int[] newOrdinals;
  private final int kept;
  private final int size;
  private final int maxDegree;
  /** Base ordinal of the block at each disk position. */
  private int[] ordinalAt;
  /** Dropped node d's surviving neighbours, as merged ordinals: {@code droppedLists[d * R ..+ droppedCounts[d])}. */
  private int[] droppedLists;
  private int[] droppedCounts;
  /** Surviving nodes (merged ordinals) that lost a neighbour. */
  private int[] toRepair;
  private int toRepairCount;
  /** Survivor i's block position in the base, and its block record (copied while loading). */
  private int[] survivorPosition;
  private byte[] survivorRecords;
  private long bytesRead;

  private DiskIndexMerger(DiskIndex base, IntPredicate keep, boolean dropTombstoned, VectorSource added,
      DiskIndexConfig config) {
    this.base = base;
    this.added = added;
    this.config = config;
    this.maxDegree = base.layout.maxDegree();
    this.newOrdinals = new int[base.count];
    int next = 0;
    for (int o = 0; o < base.count; o++) {
      newOrdinals[o] = !(dropTombstoned && base.deleted.get(o)) && keep.test(o) ? next++ : -1;
    }
    this.kept = next;
    this.size = next + added.size();
  }

  /**
   * Writes to {@code out} (atomically) an index of the base's vectors that {@code keep} accepts (and that are not
   * tombstoned), in ascending base-ordinal order, followed by {@code added}'s vectors, reusing the base's graph.
   *
   * @param config the merge's build parameters: {@code buildListSize} (L of the inserts' searches), {@code alpha},
   *     {@code threads} and {@code seed} (order of the inserts); {@code maxDegree} must be the base's
   * @param progress told (done, total) over the repairs and inserts
   * @return the ordinal mapping and what the merge did and read
   * @throws IllegalArgumentException when the dimensions or the max degree differ, or nothing would be left
   * @throws CorruptFileException when a block of the base fails its checksum or is inconsistent
   */
  public static DiskMergeResult merge(DiskIndex base, IntPredicate keep, VectorSource added, DiskIndexConfig config,
      Path out, BuildProgress progress) throws IOException {
    return merge(base, keep, true, added, config, out, progress);
  }

  /**
   * As {@link #merge(DiskIndex, IntPredicate, VectorSource, DiskIndexConfig, Path, BuildProgress)}, but when
   * {@code dropTombstoned} is false {@code keep} alone decides which base ordinals survive, tombstoned or not: for a
   * caller that chose the survivors from its own snapshot (a collection's merge, whose deletes arriving meanwhile are
   * applied to the result afterwards) and needs the result to hold exactly them.
   */
  public static DiskMergeResult merge(DiskIndex base, IntPredicate keep, boolean dropTombstoned, VectorSource added,
      DiskIndexConfig config, Path out, BuildProgress progress) throws IOException {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(keep, "keep");
    Objects.requireNonNull(added, "added");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(progress, "progress");
    if (added.size() > 0 && added.dimension() != base.dimension) {
      throw new IllegalArgumentException("added vectors have dimension " + added.dimension() + ", the base index "
          + base.dimension);
    }
    if (config.maxDegree() != base.layout.maxDegree()) {
      throw new IllegalArgumentException("config maxDegree " + config.maxDegree() + " differs from the base index's "
          + base.layout.maxDegree() + ": a merge keeps the base's lists and block layout");
    }
    DiskIndexMerger merger = new DiskIndexMerger(base, keep, dropTombstoned, added, config);
    if (merger.size == 0) {
      throw new IllegalArgumentException("the merge would leave no vectors: the base keeps none and none are added");
    }
    if (merger.kept == 0) {
      long t0 = System.nanoTime();
      DiskIndex.build(added, base.metric, config, out, progress); // no graph left to reuse
      return new DiskMergeResult(merger.newOrdinals, 0, added.size(), 0, 0, 0, 0, 0, 0, System.nanoTime() - t0);
    }
    return merger.run(out, progress);
  }

  private DiskMergeResult run(Path out, BuildProgress progress) throws IOException {
    long t0 = System.nanoTime();
    BuildSpaceVectors space = BuildSpaceVectors.copyOf(new MergedVectors(), base.metric);
    VamanaBuilder builder = new VamanaBuilder(space, maxDegree, config.buildListSize(), config.alpha(),
        config.threads(), config.seed(), BuildProgress.NONE);
    loadGraph(builder);
    MergedRouting routing = MergedRouting.NONE;
    int start;
    int entry;
    int old = newOrdinals[ordinalAt[base.entry]];
    if (base.routing.layers() == 0) {
      entry = old >= 0 ? old : Medoid.of(space, kept, config.threads());
      start = entry;
    } else {
      start = Medoid.of(space, kept, config.threads());
      routing = MergedRouting.of(base, ordinalAt, newOrdinals, space, maxDegree, start);
      entry = routing.layers() > 0 ? routing.entry() : start;
    }
    builder.startFrom(start);
    long t1 = System.nanoTime();

    AtomicLong done = new AtomicLong();
    long total = (long) toRepairCount + added.size();
    VamanaBuilder.Chunked report = n -> progress.update(done.addAndGet(n), total);
    repairAll(builder, report);
    long t2 = System.nanoTime();

    builder.insertAll(insertOrder(), report);
    long t3a = System.nanoTime();
    builder.finishLists();
    long t3 = System.nanoTime();

    DiskIndexWriter.write(out, new SpaceSource(space, base.dimension), base.metric,
        new MergedGraph(builder, routing, size, maxDegree, entry), (BinaryQuantizer) base.codeQuantizer, base.rotation,
        new SurvivorCodes());
    long t4 = System.nanoTime();
    return new DiskMergeResult(newOrdinals, kept, added.size(), toRepairCount, bytesRead, t1 - t0, t2 - t1,
        t3a - t2, t3 - t3a, t4 - t3);
  }

  /**
   * Reads the positions section, then every block in disk order: a survivor's list goes into the builder (a dropped
   * neighbour as {@code -(its dropped index + 1)}, until the delete phase replaces it), a dropped node's surviving
   * neighbours go aside.
   */
  private void loadGraph(VamanaBuilder builder) throws CorruptFileException {
    int count = base.count;
    ordinalAt = new int[count];
    Arrays.fill(ordinalAt, -1);
    SequentialReads positions = new SequentialReads(base.positions);
    for (int o = 0; o < count; o++) {
      positions.reach(4L * o + 4);
      int p = base.positionOf(o);
      if (ordinalAt[p] >= 0) {
        throw corrupt("ordinals " + ordinalAt[p] + " and " + o + " both claim position " + p);
      }
      ordinalAt[p] = o;
    }
    bytesRead += 4L * count;

    int[] key = new int[count];
    int dropped = 0;
    for (int o = 0; o < count; o++) {
      key[o] = newOrdinals[o] >= 0 ? newOrdinals[o] : -(++dropped);
    }
    droppedLists = new int[dropped * maxDegree];
    droppedCounts = new int[dropped];
    toRepair = new int[kept];
    survivorPosition = new int[kept];
    int recordBytes = base.records.bytesPerVector();
    if ((long) kept * recordBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(kept + " surviving block records of " + recordBytes
          + " bytes exceed one array (2 GiB); merge smaller segments");
    }
    survivorRecords = new byte[kept * recordBytes];
    int[] list = new int[maxDegree];
    DiskLayout layout = base.layout;
    MemorySegment blocks = base.blocks;
    SequentialReads reads = new SequentialReads(blocks);
    for (int p = 0; p < count; p++) {
      long at = layout.blockOffset(p);
      reads.reach(at + layout.blockBytes());
      DiskBeamSearch.checkBlock(base, at, p);
      int ordinal = blocks.get(IndexFiles.LE_INT, at + layout.ordinalOffset());
      if (ordinal != ordinalAt[p]) {
        throw corrupt("block at position " + p + " holds ordinal " + ordinal + ", the positions section says "
            + ordinalAt[p]);
      }
      int c = blocks.get(IndexFiles.LE_INT, at + layout.countOffset());
      if (c < 0 || c > maxDegree) {
        throw corrupt("block at position " + p + " claims " + c + " neighbours");
      }
      int self = key[ordinal];
      boolean lost = false;
      int m = 0;
      for (int i = 0; i < c; i++) {
        int nb = blocks.get(IndexFiles.LE_INT, at + layout.countOffset() + 4 + 4L * i);
        if (nb < 0 || nb >= count) {
          throw corrupt("block at position " + p + " links to position " + nb + " of " + count);
        }
        int k = key[ordinalAt[nb]];
        if (self >= 0) {
          list[m++] = k;
          lost |= k < 0;
        } else if (k >= 0) {
          int d = -self - 1;
          droppedLists[d * maxDegree + droppedCounts[d]++] = k;
        }
      }
      if (self >= 0) {
        survivorPosition[self] = p;
        MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, at, survivorRecords, self * recordBytes, recordBytes);
        builder.setList(self, list, m);
        if (lost) {
          toRepair[toRepairCount++] = self;
        }
      }
    }
    bytesRead += layout.blocksSectionBytes(count);
  }

  /** The delete phase: FreshDiskANN's rule on every survivor that lost a neighbour, in parallel. */
  private void repairAll(VamanaBuilder builder, VamanaBuilder.Chunked report) {
    int slot = builder.slot();
    ThreadLocal<int[]> lists = ThreadLocal.withInitial(() -> new int[slot]);
    ThreadLocal<int[]> candidates = ThreadLocal.withInitial(() -> new int[maxDegree * (maxDegree + 1)]);
    builder.forEachNode(Arrays.copyOf(toRepair, toRepairCount), (node, ctx) -> {
      int[] list = lists.get();
      int[] cand = candidates.get();
      int c = builder.readNeighbours(node, list);
      int n = 0;
      for (int i = 0; i < c; i++) {
        int nb = list[i];
        if (nb >= 0) {
          cand[n++] = nb;
        } else {
          int d = -nb - 1;
          System.arraycopy(droppedLists, d * maxDegree, cand, n, droppedCounts[d]);
          n += droppedCounts[d];
        }
      }
      builder.repair(node, cand, n, ctx);
    }, report);
  }

  /** The added vectors' merged ordinals in a seeded random order (as Vamana's passes take points). */
  private int[] insertOrder() {
    int[] order = new int[added.size()];
    Arrays.setAll(order, j -> kept + j);
    SplittableRandom rnd = new SplittableRandom(VamanaBuilder.mix(config.seed() ^ 0x5DEECE66DL));
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private CorruptFileException corrupt(String problem) {
    return new CorruptFileException(base.file, problem);
  }

  /**
   * The merged vectors, read once in ordinal order by {@link BuildSpaceVectors#copyOf}: the survivors' floats from
   * the base (in file order), then the added ones (checked here, so a bad one is named by its index in {@code added}).
   */
  private final class MergedVectors implements VectorSource {
    private final int[] baseOrdinal = new int[kept];
    private final float[] buffer = new float[base.dimension];
    private final SequentialReads reads = new SequentialReads(base.floats);

    MergedVectors() {
      for (int o = 0; o < newOrdinals.length; o++) {
        if (newOrdinals[o] >= 0) {
          baseOrdinal[newOrdinals[o]] = o;
        }
      }
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int dimension() {
      return base.dimension;
    }

    @Override
    public float[] vector(int i) {
      if (i < kept) {
        long end = (long) (baseOrdinal[i] + 1) * base.dimension * Float.BYTES;
        reads.reach(end);
        base.readFloats(baseOrdinal[i], buffer);
        bytesRead += (long) base.dimension * Float.BYTES;
        return buffer;
      }
      float[] v = added.vector(i - kept);
      if (v == null || v.length != base.dimension) {
        throw new IllegalArgumentException("added vector " + (i - kept) + " has length "
            + (v == null ? "null" : v.length) + ", expected " + base.dimension);
      }
      for (float x : v) {
        if (!Float.isFinite(x)) {
          throw new IllegalArgumentException("added vector " + (i - kept) + " has a non-finite component");
        }
      }
      return v;
    }
  }

  /**
   * The survivors' codes (from the base's codes section) and block records (copied while loading): same quantizer,
   * same rotation.
   */
  private final class SurvivorCodes implements DiskIndexWriter.Precoded {
    private final int codeBytes = base.codeQuantizer.bytesPerVector();
    private final int recordBytes = base.records.bytesPerVector();

    @Override
    public boolean code(int ordinal, byte[] dst, int off) {
      if (ordinal >= kept) {
        return false;
      }
      MemorySegment.copy(base.data, ValueLayout.JAVA_BYTE, base.codesOffset
          + (long) survivorPosition[ordinal] * codeBytes, dst, off, codeBytes);
      return true;
    }

    @Override
    public boolean record(int ordinal, byte[] dst, int off) {
      if (ordinal >= kept) {
        return false;
      }
      System.arraycopy(survivorRecords, ordinal * recordBytes, dst, off, recordBytes);
      return true;
    }
  }

  /** The merged vectors as the writer reads them: the build-space copy's first {@code dimension} floats. */
  private record SpaceSource(BuildSpaceVectors space, int dimension) implements VectorSource {
    @Override
    public int size() {
      return space.size();
    }

    @Override
    public float[] vector(int i) {
      float[] v = new float[dimension];
      System.arraycopy(space.page(i), space.offset(i), v, 0, dimension);
      return v;
    }
  }

  /** The merged graph: the builder's lists (at most R each once finished) and the carried routing layers. */
  private record MergedGraph(VamanaBuilder builder, MergedRouting routing, int size, int maxDegree, int entryNode)
      implements DiskGraphSource {
    @Override
    public int routingLayers() {
      return routing.layers();
    }

    @Override
    public int[] nodesOn(int layer) {
      return routing.nodesOn(layer);
    }

    @Override
    public int neighbours(int layer, int node, int[] out) {
      return layer == 0 ? builder.readNeighbours(node, out) : routing.neighbours(layer, node, out);
    }
  }

  /**
   * Front-to-back reads of a mapped region, with the kernel asked to read ahead ({@code MADV_WILLNEED}) a few MiB at
   * a time: the index's mapping is advised random, under which each first touch of a page is one synchronous 4 KiB
   * read. A no-op for a segment that is not a file mapping.
   */
  private static final class SequentialReads {
    private static final long AHEAD = 8L << 20;
    private final MemorySegment segment;
    private long advisedTo;

    SequentialReads(MemorySegment segment) {
      this.segment = segment;
    }

    /** Called before reading up to byte {@code end}: keeps the advice {@link #AHEAD} bytes beyond it. */
    void reach(long end) {
      long size = segment.byteSize();
      while (advisedTo < size && advisedTo < end + AHEAD) {
        long n = Math.min(AHEAD, size - advisedTo);
        ReadAdvice.willNeed(segment, advisedTo, n);
        advisedTo += n;
      }
    }
  }
}
