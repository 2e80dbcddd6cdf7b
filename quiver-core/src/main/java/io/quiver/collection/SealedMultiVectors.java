package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A sealed segment's multi-vector field: file {@code field-<name>.multi} (layout in docs/format.md, "Multi-vector
 * file"), the vectors of every ordinal back to back behind an offset table, and for an indexed field the HNSW graph
 * over the documents' {@link Fde} encodings, files {@code field-<name>.fde.vec} and {@code .fde.hnsw} (dot product,
 * ordinals those of the segment). Served from the mapping when the field is {@code on_disk}, else from a copy in
 * native memory.
 */
final class SealedMultiVectors implements MultiVectorStore, AutoCloseable {
  static final int MAGIC = 0x46564D51; // "QMVF"
  static final String EXTENSION = ".multi";
  static final String FDE_SUFFIX = ".fde";
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long OFFSETS = 24;

  private final MemorySegment data;
  private final int dim;
  private final long floatsAt;
  private final HnswIndex graph;

  private SealedMultiVectors(MemorySegment data, int count, int expectedDim, Path file, HnswIndex graph)
      throws CorruptFileException {
    this.data = data;
    this.graph = graph;
    this.dim = data.get(INT, 12);
    long vectors = data.get(LONG, 16);
    if (dim != expectedDim) {
      throw new CorruptFileException(file, "holds vectors of " + dim + " components, the field has " + expectedDim);
    }
    floatsAt = OFFSETS + 8L * (count + 1);
    if (vectors < 0 || floatsAt + 4L * dim * vectors != data.byteSize() - 4) {
      throw new CorruptFileException(file, "size " + data.byteSize() + " does not match " + vectors + " vectors");
    }
    long prev = 0;
    for (int i = 0; i <= count; i++) {
      long v = data.get(LONG, OFFSETS + 8L * i);
      if (v < prev || (i == 0 && v != 0) || (i == count && v != vectors)) {
        throw new CorruptFileException(file, "vector offsets are not ascending from 0 to " + vectors);
      }
      prev = v;
    }
  }

  static Path file(Path dir, String field) {
    return dir.resolve(SealedSegment.fieldFile(field) + EXTENSION);
  }

  private static String graphName(String field) {
    return SealedSegment.fieldFile(field) + FDE_SUFFIX;
  }

  /**
   * Opens and checks (magic, version, count, CRC32C, offsets) the field's file and, for an indexed field, its FDE
   * graph; null when the segment has no file for the field (declared after it was sealed).
   */
  static SealedMultiVectors open(Path dir, String field, VectorParams params, int count, boolean onDisk, Arena arena)
      throws IOException {
    Path file = file(dir, field);
    if (!Files.exists(file)) {
      return null;
    }
    MemorySegment mapped = SegmentFiles.map(file, arena, MAGIC, count);
    MemorySegment data = mapped;
    if (!onDisk) {
      data = arena.allocate(mapped.byteSize(), 8);
      data.copyFrom(mapped);
    }
    HnswIndex graph = params.multivector().indexed() ? HnswIndex.open(dir, graphName(field), onDisk) : null;
    try {
      return new SealedMultiVectors(data, count, params.size(), file, graph);
    } catch (CorruptFileException e) {
      if (graph != null) {
        graph.close();
      }
      throw e;
    }
  }

  /** Opens every multi-vector field of {@code config} the segment has a file for into {@code out}. */
  static void openAll(Path dir, CollectionConfig config, int count, boolean readOnly, Arena arena,
      Map<String, SealedMultiVectors> out) throws IOException {
    for (var e : config.multiVectors().entrySet()) {
      SealedMultiVectors m = open(dir, e.getKey(), e.getValue(), count, e.getValue().onDisk() || readOnly, arena);
      if (m != null) {
        out.put(e.getKey(), m);
      }
    }
  }

  /**
   * Writes the first {@code count} ordinals of {@code source} to the field's file and, for an indexed field, builds
   * and writes the FDE graph (inserts in parallel on the common pool); every file fsync'd.
   */
  static void write(Path dir, String field, VectorParams params, MultiVectorStore source, int count)
      throws IOException {
    int dim = params.size();
    long vectors = 0;
    for (int ord = 0; ord < count; ord++) {
      float[] v = source.get(ord);
      vectors += v == null ? 0 : v.length / dim;
    }
    try (SegmentFiles.Writer w = new SegmentFiles.Writer(file(dir, field))) {
      w.putInt(MAGIC).putInt(SegmentFiles.VERSION).putInt(count).putInt(dim).putLong(vectors);
      long at = 0;
      w.putLong(0);
      for (int ord = 0; ord < count; ord++) {
        float[] v = source.get(ord);
        at += v == null ? 0 : v.length / dim;
        w.putLong(at);
      }
      for (int ord = 0; ord < count; ord++) {
        float[] v = source.get(ord);
        if (v != null) {
          for (float x : v) {
            w.putInt(Float.floatToRawIntBits(x));
          }
        }
      }
      w.finish();
    }
    if (params.multivector().indexed()) {
      Fde fde = Fde.forSize(dim);
      try (HnswIndex graph = new HnswIndex(Fde.DIMENSION, Metric.DOT, params.hnsw())) {
        IntStream.range(0, count).parallel().forEach(ord -> {
          float[] v = source.get(ord);
          if (v != null) {
            graph.add(ord, fde.document(v));
          }
        });
        graph.save(dir, graphName(field));
      }
    }
  }

  @Override
  public float[] get(int ordinal) {
    long from = data.get(LONG, OFFSETS + 8L * ordinal);
    long to = data.get(LONG, OFFSETS + 8L * (ordinal + 1));
    if (to == from) {
      return null;
    }
    float[] out = new float[(int) ((to - from) * dim)];
    MemorySegment.copy(data, FLOAT, floatsAt + 4L * dim * from, out, 0, out.length);
    return out;
  }

  @Override
  public boolean has(int ordinal) {
    return data.get(LONG, OFFSETS + 8L * (ordinal + 1)) != data.get(LONG, OFFSETS + 8L * ordinal);
  }

  @Override
  public HnswIndex fdeGraph() {
    return graph;
  }

  long bytes() {
    return data.byteSize();
  }

  boolean inRam() {
    return !data.isMapped();
  }

  /** Heap and native memory: the copied file (not when mapped) and the graph. */
  long ramBytes() {
    return (inRam() ? bytes() : 0) + (graph == null ? 0 : graph.ramBytesUsed());
  }

  @Override
  public void close() {
    if (graph != null) {
      graph.close();
    }
  }
}
