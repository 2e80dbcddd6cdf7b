package io.quiver.collection;

import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.index.disk.DiskGraphSource;
import io.quiver.index.disk.DiskIndex;
import io.quiver.index.disk.DiskIndexConfig;
import io.quiver.index.disk.DiskIndexMerger;
import io.quiver.index.disk.DiskMergeResult;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * A vector field of a sealed segment kept disk-resident: a {@link DiskIndex} file {@code field-<name>.qdisk} whose
 * ordinal {@code i} is the segment's ordinal {@code i}, and {@code field-<name>.absent} listing the ordinals without
 * a vector in this field (stored in the index as a placeholder and deleted from it at open, so it never returns
 * them). The segment's tombstones are mirrored into the index with {@link #delete}.
 *
 * <pre>
 * field-&lt;name&gt;.absent: magic "QABS" | u32 version | u32 segment count | u32 n | n x u32 ordinal | u32 crc32c
 * </pre>
 */
final class DiskField implements AutoCloseable {
  static final int ABSENT_MAGIC = 0x53424151; // "QABS"
  static final String ABSENT_EXTENSION = ".absent";
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final DiskIndex index;
  private final Path file;
  private final Path absentFile;
  private final int count;
  private final RoaringBitmap absent;

  private DiskField(DiskIndex index, Path file, Path absentFile, int count, RoaringBitmap absent) {
    this.index = index;
    this.file = file;
    this.absentFile = absentFile;
    this.count = count;
    this.absent = absent;
  }

  static Path indexFile(Path dir, String base) {
    return dir.resolve(base + DiskIndex.EXTENSION);
  }

  static Path absentFile(Path dir, String base) {
    return dir.resolve(base + ABSENT_EXTENSION);
  }

  /** Whether the segment directory holds field {@code base} as a disk index (else as an HNSW graph). */
  static boolean exists(Path dir, String base) {
    return Files.exists(indexFile(dir, base));
  }

  /**
   * The build configuration for a field: the disk graph keeps level 0's degree (2M) and efConstruction of the
   * field's HNSW, and its seed; pruning slack and codes as {@link DiskIndexConfig#DEFAULT} has them unless the field
   * asks for a larger alpha.
   */
  static DiskIndexConfig config(VectorParams params) {
    DiskIndexConfig d = DiskIndexConfig.DEFAULT;
    return d.toBuilder().maxDegree(Math.clamp(2L * params.hnsw().m(), 4, 256))
        .buildListSize(params.hnsw().efConstruction()).alpha(Math.max(d.alpha(), params.hnsw().alpha()))
        .seed(params.hnsw().seed()).build();
  }

  /**
   * Writes field {@code field} of the first {@code count} ordinals of {@code source} as a disk index in {@code dir}:
   * from the field's HNSW graph when the segment built one (its level 0 becomes the disk graph, the upper levels the
   * routing layers: sealing only writes blocks and codes), else (a merge's result) building the graph.
   */
  static void write(Path dir, String base, MutableSegment source, String field, int count, VectorParams params)
      throws IOException {
    FieldVectors vectors = FieldVectors.of(source, field, count, params);
    MutableSegment.Lane lane = source.lanes().get(field);
    if (lane.graphless) {
      DiskIndex.build(vectors, params.metric(), config(params), indexFile(dir, base), BuildProgress.NONE);
    } else {
      // the few nodes pruning left without in-links on level 0 would never be found by a walk: link them back first
      lane.graph.connectLevel0(ord -> ord < count && !source.isDeleted(ord));
      DiskIndex.write(vectors, params.metric(), new AllOrdinals(lane.graph.graphSource(), count), config(params),
          indexFile(dir, base));
    }
    writeAbsent(dir, base, count, vectors.absent);
  }

  /**
   * Whether a rewrite can merge into {@code from}'s graph rather than build one: same dimension and block degree as
   * the field's configuration would build, and the reused graph covering at least half the result (a graph mostly
   * made of inserts is better built in passes).
   */
  static boolean canMergeInto(DiskField from, VectorParams params, int kept, int count) {
    return from != null && from.index.dimension() == params.size()
        && from.index.maxDegree() == config(params).maxDegree() && kept > 0 && 2L * kept >= count;
  }

  /**
   * Writes field {@code field} of the first {@code count} ordinals of {@code source} as a disk index in {@code dir}
   * by FreshDiskANN's streaming merge into {@code from}'s graph: the first {@code kept} ordinals of {@code source}
   * must be {@code from}'s ordinals in {@code keep}, in ascending order (tombstoned in its index or not: deletes
   * arriving during the rewrite are applied to the new segment afterwards); the rest are inserted.
   *
   * @return what the merge did
   */
  static DiskMergeResult writeMerged(Path dir, String base, MutableSegment source, String field, int count,
      VectorParams params, DiskField from, RoaringBitmap keep, int kept, int threads) throws IOException {
    FieldVectors vectors = FieldVectors.of(source, field, count, params);
    VectorSource added = new VectorSource() {
      @Override
      public int size() {
        return count - kept;
      }

      @Override
      public int dimension() {
        return params.size();
      }

      @Override
      public float[] vector(int i) {
        return vectors.vector(kept + i);
      }
    };
    // a point of the base without this vector keeps its placeholder node, tombstoned again at open from the new list
    DiskMergeResult result = DiskIndexMerger.merge(from.index, o -> o < from.count && keep.contains(o), false, added,
        config(params).toBuilder().threads(Math.max(1, threads)).build(), indexFile(dir, base), BuildProgress.NONE);
    if (result.kept() != kept) {
      throw new IllegalStateException("merge into segment field " + from.file + " kept " + result.kept()
          + " ordinals, the rewrite " + kept);
    }
    writeAbsent(dir, base, count, vectors.absent);
    return result;
  }

  private static void writeAbsent(Path dir, String base, int count, RoaringBitmap absent) throws IOException {
    try (SegmentFiles.Writer w = new SegmentFiles.Writer(absentFile(dir, base))) {
      w.putInt(ABSENT_MAGIC).putInt(SegmentFiles.VERSION).putInt(count).putInt(absent.getCardinality());
      for (var it = absent.getIntIterator(); it.hasNext(); ) {
        w.putInt(it.next());
      }
      w.finish();
    }
  }

  /**
   * A field's vectors over the first {@code count} ordinals of a mutable segment, the points without one (listed in
   * {@code absent}) holding the place with another point's vector (or a unit vector when none has one).
   */
  private static final class FieldVectors implements VectorSource {
    final RoaringBitmap absent;
    private final MutableSegment source;
    private final String field;
    private final int count;
    private final float[] placeholder;

    private FieldVectors(MutableSegment source, String field, int count, RoaringBitmap absent, float[] placeholder) {
      this.source = source;
      this.field = field;
      this.count = count;
      this.absent = absent;
      this.placeholder = placeholder;
    }

    static FieldVectors of(MutableSegment source, String field, int count, VectorParams params) {
      RoaringBitmap absent = new RoaringBitmap();
      float[] first = null;
      for (int i = 0; i < count; i++) {
        if (!source.hasVector(field, i)) {
          absent.add(i);
        } else if (first == null) {
          first = source.vector(field, i);
        }
      }
      if (first == null) { // no point has this vector: any unit vector holds the places
        first = new float[params.size()];
        first[0] = 1f;
      }
      return new FieldVectors(source, field, count, absent, first);
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public int dimension() {
      return placeholder.length;
    }

    @Override
    public float[] vector(int i) {
      return absent.contains(i) ? placeholder : source.vector(field, i);
    }
  }

  /**
   * A graph over every ordinal below {@code count}: those the HNSW never linked (no vector in the field, deleted
   * before their turn, or after its last linked ordinal) are nodes without neighbours, deleted in the index.
   */
  private record AllOrdinals(DiskGraphSource graph, int count) implements DiskGraphSource {
    @Override
    public int size() {
      return count;
    }

    @Override
    public int maxDegree() {
      return graph.maxDegree();
    }

    @Override
    public int entryNode() {
      return graph.entryNode();
    }

    @Override
    public int routingLayers() {
      return graph.routingLayers();
    }

    @Override
    public int[] nodesOn(int layer) {
      return graph.nodesOn(layer);
    }

    @Override
    public int neighbours(int layer, int node, int[] out) {
      return node < graph.size() ? graph.neighbours(layer, node, out) : 0;
    }
  }

  /** Opens the field's index (its checksums verified by {@link DiskIndex#open}) and its absent list. */
  static DiskField open(Path dir, String base, int count, VectorParams params) throws IOException {
    Path file = indexFile(dir, base);
    RoaringBitmap absent = readAbsent(absentFile(dir, base), count);
    DiskIndex index = DiskIndex.open(file);
    try {
      if (index.size() != count) {
        throw new CorruptFileException(file, "holds " + index.size() + " vectors, the segment " + count);
      }
      if (params != null && index.dimension() != params.size()) {
        throw new CorruptFileException(file, "holds vectors of " + index.dimension() + " dimensions, the field "
            + params.size());
      }
      for (var it = absent.getIntIterator(); it.hasNext(); ) {
        index.delete(it.next());
      }
      return new DiskField(index, file, absentFile(dir, base), count, absent);
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
  }

  private static RoaringBitmap readAbsent(Path file, int count) throws IOException {
    RoaringBitmap absent = new RoaringBitmap();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = SegmentFiles.map(file, arena, ABSENT_MAGIC, count);
      long n = seg.byteSize() < SegmentFiles.HEADER + 8 ? -1 : Integer.toUnsignedLong(seg.get(INT, SegmentFiles.HEADER));
      if (n < 0 || SegmentFiles.HEADER + 4 + 4 * n + 4 != seg.byteSize()) {
        throw new CorruptFileException(file, "length " + seg.byteSize() + " does not match its " + n + " ordinals");
      }
      for (long i = 0; i < n; i++) {
        int ord = seg.get(INT, SegmentFiles.HEADER + 4 + 4 * i);
        if (ord < 0 || ord >= count) {
          throw new CorruptFileException(file, "ordinal " + ord + " outside the segment's " + count);
        }
        absent.add(ord);
      }
    }
    return absent;
  }

  DiskIndex index() {
    return index;
  }

  boolean hasVector(int ordinal) {
    return ordinal >= 0 && ordinal < count && !absent.contains(ordinal);
  }

  /** The stored vector (normalised for cosine), or null when the point has none or is deleted. */
  float[] vector(int ordinal) {
    return hasVector(ordinal) ? index.vector(ordinal) : null;
  }

  void distances(float[] query, int[] ordinals, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      out[i] = index.distance(query, ordinals[i]);
    }
  }

  void delete(int ordinal) {
    index.delete(ordinal);
  }

  /** Heap bytes: the index's codes, routing layers and tombstones, and the absent list. */
  long ramBytes() {
    return index.ramBytesUsed() + absent.getSizeInBytes();
  }

  long mappedBytes() {
    return index.mappedBytes();
  }

  /** Bytes of the field's files on disk. */
  long diskBytes() {
    long bytes = 0;
    for (Path p : new Path[] {file, absentFile}) {
      try {
        bytes += Files.size(p);
      } catch (IOException e) {
        // absent: counted as 0
      }
    }
    return bytes;
  }

  Path file() {
    return file;
  }

  @Override
  public void close() {
    index.close();
  }
}
