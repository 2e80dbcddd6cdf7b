package io.quiver.index.disk;

import static io.quiver.index.disk.DiskIndexFormat.*;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import io.quiver.index.IndexFiles;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.quantization.BinaryQuantizer;
import io.quiver.quantization.Quantizers;
import io.quiver.quantization.VectorQuantizer;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.ReadAdvice;
import io.quiver.util.ConcurrentBitSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import java.util.concurrent.atomic.LongAdder;

/**
 * A vector index that lives on disk: the graph's bottom layer and an int8 copy of every vector in fixed-size node
 * blocks of one file, read as searches reach them; only compact 1-bit codes, the routing layers and the tombstones
 * stay in RAM. Byte layout in docs/format.md ("Disk index").
 *
 * <p><b>Search</b> ({@link DiskBeamSearch}): descend the routing layers by code distance, then a beam search over the
 * disk graph: the candidate list is ranked by code distance; each round reads the blocks of the best
 * {@code beamWidth} unread candidates with the reads in flight together, scores each by its block's int8 record (that
 * distance replaces the code estimate) and scores its neighbours by their codes. Results are the read nodes by int8
 * distance, optionally reranked with the float vectors.
 *
 * <p>Thread-safe: searches, deletes and reads may overlap. {@link #close} must not race with them.
 */
public final class DiskIndex implements AutoCloseable {
  public static final String EXTENSION = ".qdisk";

  final Path file;
  final MemorySegment data;
  private final Arena arena;
  final Metric metric;
  final int dimension;
  final int count;
  final int entry;
  final DiskLayout layout;
  final MemorySegment blocks;
  final MemorySegment floats;
  final MemorySegment positions;
  final VectorQuantizer codeQuantizer;
  final ResidualInt8Codec records;
  final RandomRotation rotation;
  /** Where the codes section starts in {@link #data}: the stored records, copied as they are by a merge. */
  final long codesOffset;
  final VectorQuantizer.Scorers codeScorers;
  final RoutingLayers routing;
  final ConcurrentBitSet deleted = new ConcurrentBitSet();
  private final LongAdder deletedCount = new LongAdder();
  final LongAdder blocksRead = new LongAdder();
  final boolean verifyBlocks;
  private final ThreadLocal<DiskSearchContext> contexts;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DiskIndex(Path file, MemorySegment data, Arena arena) throws CorruptFileException {
    this.file = file;
    this.data = data;
    this.arena = arena;
    IndexFiles.MappedFile mf = new IndexFiles.MappedFile(file, data);
    mf.checkHeader(HEADER_BYTES, MAGIC, VERSION, "disk index");
    this.metric = IndexFiles.metricOf(mf.intAt(OFF_METRIC));
    this.dimension = mf.intAt(OFF_DIMENSION);
    this.count = mf.intAt(OFF_COUNT);
    int maxDegree = mf.intAt(OFF_MAX_DEGREE);
    if (metric == null || dimension < 1 || count < 0 || maxDegree < 1 || maxDegree > 4096) {
      throw mf.corrupt("bad header: metric code " + mf.intAt(OFF_METRIC) + ", dimension " + dimension + ", count "
          + count + ", max degree " + maxDegree);
    }
    long[] off = new long[SECTIONS];
    long[] len = new long[SECTIONS];
    int[] crc = new int[SECTIONS];
    long prevEnd = HEADER_BYTES;
    for (int s = 0; s < SECTIONS; s++) {
      int at = sectionOffset(s);
      off[s] = mf.longAt(at);
      len[s] = mf.longAt(at + 8);
      crc[s] = mf.intAt(at + 16);
      if (off[s] < prevEnd || len[s] < 0 || off[s] + len[s] > mf.size()) {
        throw mf.corrupt(SECTION_NAMES[s] + " section [" + off[s] + ", +" + len[s] + ") lies outside the file of "
            + mf.size() + " bytes or overlaps the one before");
      }
      prevEnd = off[s] + len[s];
    }
    mf.checkSize(prevEnd);
    for (int s : new int[] {SECTION_QUANTIZERS, SECTION_CODES, SECTION_ROUTING}) {
      mf.checkCrc(off[s], len[s], crc[s], SECTION_NAMES[s] + " section");
    }
    try {
      long at = off[SECTION_QUANTIZERS];
      int a = mf.intAt(at);
      this.codeQuantizer = Quantizers.fromBytes(bytes(data, at + 4, a));
      int kind = mf.intAt(at + 4 + a);
      if (kind != DiskIndexWriter.RECORD_RESIDUAL_INT8) {
        throw mf.corrupt("unknown block record kind " + kind);
      }
      int rotDim = mf.intAt(at + 8 + a);
      if (rotDim != dimension || 12L + a + 4L * dimension * dimension != len[SECTION_QUANTIZERS]) {
        throw mf.corrupt("rotation of dimension " + rotDim + " in a quantizer section of " + len[SECTION_QUANTIZERS]
            + " bytes, expected dimension " + dimension);
      }
      float[] m = new float[dimension * dimension];
      MemorySegment.copy(data, IndexFiles.LE_FLOAT, at + 12 + a, m, 0, m.length);
      this.rotation = new RandomRotation(dimension, m);
    } catch (IOException | RuntimeException e) {
      throw new CorruptFileException(file, "quantizer parameters unreadable: " + e.getMessage(), e);
    }
    if (!(codeQuantizer instanceof BinaryQuantizer binary) || codeQuantizer.dimension() != dimension
        || codeQuantizer.metric() != metric) {
      throw mf.corrupt("codes quantizer does not match the header's dimension " + dimension + " and metric "
          + metric);
    }
    this.records = recordCodec(binary);
    this.layout = DiskLayout.of(dimension, maxDegree, records.bytesPerVector());
    if (layout.blockBytes() != mf.intAt(OFF_BLOCK_BYTES) || layout.blocksPerPage() != mf.intAt(OFF_BLOCKS_PER_PAGE)) {
      throw mf.corrupt("block layout " + mf.intAt(OFF_BLOCK_BYTES) + " bytes x " + mf.intAt(OFF_BLOCKS_PER_PAGE)
          + " per page, expected " + layout.blockBytes() + " x " + layout.blocksPerPage());
    }
    long codeBytes = (long) count * codeQuantizer.bytesPerVector();
    if (len[SECTION_CODES] != codeBytes || len[SECTION_BLOCKS] != layout.blocksSectionBytes(count)
        || len[SECTION_FLOATS] != 4L * count * dimension || len[SECTION_POSITIONS] != 4L * count
        || off[SECTION_BLOCKS] % DiskLayout.PAGE != 0) {
      throw mf.corrupt("section sizes do not match " + count + " vectors of dimension " + dimension);
    }
    if (codeBytes > Integer.MAX_VALUE - 8) {
      throw new CorruptFileException(file, count + " codes of " + codeQuantizer.bytesPerVector()
          + " bytes exceed one in-RAM array (at most 2 GiB of codes per index)");
    }
    this.entry = mf.intAt(OFF_ENTRY);
    if (count > 0 && (entry < 0 || entry >= count)) {
      throw mf.corrupt("entry node " + entry + " outside 0.." + (count - 1));
    }
    this.codesOffset = off[SECTION_CODES];
    this.routing = RoutingLayers.read(data, off[SECTION_ROUTING], len[SECTION_ROUTING],
        mf.intAt(OFF_ROUTING_LAYERS), count, file);
    this.blocks = data.asSlice(off[SECTION_BLOCKS], len[SECTION_BLOCKS]);
    this.floats = data.asSlice(off[SECTION_FLOATS], len[SECTION_FLOATS]);
    this.positions = data.asSlice(off[SECTION_POSITIONS], len[SECTION_POSITIONS]);
    try {
      this.codeScorers = binary.bindCompact(data, codesOffset, count);
    } catch (IllegalArgumentException e) {
      throw mf.corrupt("codes section: " + e.getMessage());
    }
    this.verifyBlocks = Boolean.parseBoolean(System.getProperty("quiver.disk.verifyBlocks", "true"));
    if (data.isMapped()) {
      ReadAdvice.random(data);
    }
    this.contexts = ThreadLocal.withInitial(
        () -> new DiskSearchContext(layout.maxDegree(), records.bytesPerVector(), dimension));
  }

  /** The block records' codec: int8 residuals from the codes' centroids. */
  static ResidualInt8Codec recordCodec(BinaryQuantizer codes) {
    float[][] centroids = new float[codes.centroidCount()][];
    for (int j = 0; j < centroids.length; j++) {
      centroids[j] = codes.centroid(j);
    }
    return new ResidualInt8Codec(codes.metric(), centroids);
  }

  private static byte[] bytes(MemorySegment seg, long at, int n) {
    byte[] b = new byte[n];
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at, b, 0, n);
    return b;
  }

  /** Builds a graph over {@code vectors} as {@code config} says and writes the index to {@code file} (atomically). */
  public static void build(VectorSource vectors, Metric metric, DiskIndexConfig config, Path file,
      BuildProgress progress) throws IOException {
    DiskIndexBuilder.build(vectors, metric, config, file, progress);
  }

  /** Writes an index over {@code vectors} with a graph already built over them (e.g. an HNSW index's). */
  public static void write(VectorSource vectors, Metric metric, DiskGraphSource graph, DiskIndexConfig config,
      Path file) throws IOException {
    DiskIndexBuilder.write(vectors, metric, graph, config, file);
  }

  /**
   * Writes to {@code out} the index of {@code base}'s ordinals that {@code keep} accepts plus {@code added}, reusing
   * {@code base}'s graph (FreshDiskANN's streaming merge, {@link DiskIndexMerger}) instead of rebuilding it. The base
   * stays open and searchable, and unchanged.
   */
  public static DiskMergeResult merge(DiskIndex base, IntPredicate keep, VectorSource added, DiskIndexConfig config,
      Path out, BuildProgress progress) throws IOException {
    return DiskIndexMerger.merge(base, keep, added, config, out, progress);
  }

  /** Maps {@code file} and reads its RAM-resident parts (checked against their checksums). */
  public static DiskIndex open(Path file) throws IOException {
    Arena arena = Arena.ofShared();
    try {
      return new DiskIndex(file, IndexFiles.MappedFile.map(file, arena).segment(), arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /**
   * Opens an index held in memory (the bytes of a {@code .qdisk} file, e.g. {@code MemorySegment.ofArray(bytes)}),
   * with no filesystem. The caller keeps the segment alive while the index is used.
   */
  public static DiskIndex open(MemorySegment bytes) throws IOException {
    return new DiskIndex(null, bytes, null);
  }

  /** The k nearest live ordinals {@code filter} accepts (null accepts all), nearest first. Thread-safe. */
  public SearchResult search(float[] query, int k, DiskSearchParams params, OrdinalFilter filter) {
    float[] q = prepare(query, k);
    if (count == 0) {
      return SearchResult.EMPTY;
    }
    return DiskBeamSearch.search(this, contexts.get(), q, k, params, filter);
  }

  /**
   * The k nearest among {@code count} given live ordinals (a selective filter's matches): their RAM codes are scored,
   * and only the best {@code max(k, params.listSize())} are read from disk and scored by their int8 records, with the
   * other given ordinals that share their pages (read anyway); the best {@code max(rerank, 2k)} are rescored with the
   * float vectors. Exact up to the codes' ranking of that shortlist; never returns fewer than
   * {@code min(k, live ordinals given)}.
   */
  public SearchResult searchAmong(float[] query, int k, int[] ordinals, int count, DiskSearchParams params) {
    float[] q = prepare(query, k);
    return DiskBeamSearch.searchAmong(this, contexts.get(), q, k, ordinals, count, params);
  }

  /** Exact distance from {@code query} to the stored float vector of {@code ordinal} (one read when not cached). */
  public float distance(float[] query, int ordinal) {
    checkOrdinal(ordinal);
    float[] q = prepare(query, 1);
    float[] v = new float[dimension];
    readFloats(ordinal, v);
    return metric.distance(q, v);
  }

  float[] prepare(float[] query, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (query.length != dimension) {
      throw new IllegalArgumentException("query has dimension " + query.length + ", index has " + dimension);
    }
    for (float x : query) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("query components must be finite numbers");
      }
    }
    if (metric.normalizes()) {
      float[] q = query.clone();
      VectorUtil.normalize(q);
      return q;
    }
    return query;
  }

  /** The disk position of {@code ordinal}'s block (read from the mapped positions section). */
  int positionOf(int ordinal) {
    int p = positions.get(IndexFiles.LE_INT, 4L * ordinal);
    if (p < 0 || p >= count) {
      throw new UncheckedIOException(new CorruptFileException(file, "position " + p + " of ordinal " + ordinal
          + " outside 0.." + (count - 1)));
    }
    return p;
  }

  void readFloats(int ordinal, float[] out) {
    MemorySegment.copy(floats, IndexFiles.LE_FLOAT, (long) ordinal * dimension * Float.BYTES, out, 0, dimension);
  }

  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= count) {
      throw new IllegalArgumentException("ordinal " + ordinal + " outside 0.." + (count - 1));
    }
  }

  public int dimension() {
    return dimension;
  }

  /** Most neighbours per node block (a merge into this index's graph keeps it). */
  public int maxDegree() {
    return layout.maxDegree();
  }

  public Metric metric() {
    return metric;
  }

  /** Ordinals in the file ({@code 0..count()-1}), deleted or not. */
  public int count() {
    return count;
  }

  /** Live vectors. */
  public int size() {
    return count - (int) deletedCount.sum();
  }

  /** Marks {@code ordinal} deleted; it still routes searches but is never returned. */
  public boolean delete(int ordinal) {
    if (ordinal < 0 || ordinal >= count) {
      return false;
    }
    if (!deleted.set(ordinal)) {
      return false;
    }
    deletedCount.increment();
    return true;
  }

  public boolean contains(int ordinal) {
    return ordinal >= 0 && ordinal < count && !deleted.get(ordinal);
  }

  /** The stored float vector (normalised for cosine), or null when absent or deleted. */
  public float[] vector(int ordinal) {
    if (!contains(ordinal)) {
      return null;
    }
    float[] v = new float[dimension];
    readFloats(ordinal, v);
    return v;
  }

  /** RAM this index holds: codes, their per-record terms, routing layers, tombstones. */
  public long ramBytesUsed() {
    return codeScorers.ramBytes() + routing.ramBytes() + deleted.ramBytesUsed() + rotation.ramBytes()
        + 4096;
  }

  /** Bytes of the mapped file (0 for an index opened from memory that is not a file mapping). */
  public long mappedBytes() {
    return data.isMapped() ? data.byteSize() : 0;
  }

  /**
   * A block read slower than this waited for storage: a page-cache hit (a page touch, a checksum and an int8
   * distance) takes about 1 us here, a random 4 KiB read 50-200 us.
   */
  private static final long MISS_NANOS = 15_000;
  /**
   * Rises by 8 for a block read that missed the page cache and falls by 1 for a hit, within [0, 64]: it stays above
   * 2 while more than about one read in nine misses. Racy updates are fine: it only steers prefetching.
   */
  private volatile int missScore = 64;

  /**
   * Whether recent block reads waited for storage, so that asking the kernel to read a round's blocks together
   * ({@code madvise(WILLNEED)}, one system call per block) pays: with the index in the page cache those calls were
   * the largest single cost of a warm search.
   */
  boolean readsMiss() {
    return missScore > 2;
  }

  /** Folds one block read's time into {@link #readsMiss}'s moving estimate. */
  void recordRead(long nanos) {
    int m = missScore;
    missScore = Math.max(0, Math.min(64, nanos > MISS_NANOS ? m + 8 : m - 1));
  }

  /** Node blocks fetched by all searches so far (logical reads; the page cache may serve some). */
  public long blocksRead() {
    return blocksRead.sum();
  }

  /**
   * Checks every block's and the float vectors' checksums (reading the whole file): what {@code quiver check} runs.
   * Opening checks only the header and the RAM-resident sections.
   */
  public void verify() throws CorruptFileException {
    for (int node = 0; node < count; node++) {
      DiskBeamSearch.checkBlock(this, layout.blockOffset(node), node);
    }
    IndexFiles.MappedFile mf = new IndexFiles.MappedFile(file, data);
    for (int s : new int[] {SECTION_FLOATS, SECTION_POSITIONS}) {
      int at = sectionOffset(s);
      mf.checkCrc(mf.longAt(at), mf.longAt(at + 8), mf.intAt(at + 16), SECTION_NAMES[s] + " section");
    }
  }

  @Override
  public void close() {
    if (arena != null && closed.compareAndSet(false, true)) {
      arena.close();
    }
  }
}
