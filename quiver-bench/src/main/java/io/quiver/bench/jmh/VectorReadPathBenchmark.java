package io.quiver.bench.jmh;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.distance.VectorUtilSupport;
import io.quiver.distance.VectorizationProvider;
import io.quiver.index.FloatVectorStore;
import io.quiver.index.VectorFile;
import io.quiver.index.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Should the HNSW search loop read stored vectors from heap {@code float[]} pages or from an off-heap
 * {@link MemorySegment}?
 *
 * <p>The same {@code n} random vectors of {@code dims} floats are stored twice: in a quiver-core
 * {@link FloatVectorStore} (heap pages, the store HNSW uses) and in one 64-byte-aligned off-heap segment from
 * {@link Arena#ofShared()}. Each invocation computes the squared L2 distance from a fixed query to the next
 * {@value #BATCH} ordinals of a pseudo-random sequence that covers the whole store, as graph traversal does; the
 * stored data (about 51 MB at 128 dims, 307 MB at 768) is far larger than the last-level cache, so most vectors come
 * from memory. Three read paths, one kernel structure (four FMA accumulators, as in quiver-core):
 *
 * <ul>
 *   <li>{@code heapFromArray}: page array + {@link FloatVector#fromArray};
 *   <li>{@code segmentFromMemorySegment}: {@link FloatVector#fromMemorySegment} in native byte order;
 *   <li>{@code segmentCopyToArray}: {@link MemorySegment#copy} into a {@code float[]} scratch, then the array kernel.
 * </ul>
 *
 * The same data is also written to a temporary file and mapped read-only ({@link FileChannel#map} into a shared
 * arena), as a sealed index maps its {@code .vec} file: page-cache pages, no huge pages. On that mapping:
 *
 * <ul>
 *   <li>{@code fileFromMemorySegment} and {@code fileCopyToArray}: the two segment paths above;
 *   <li>{@code mappedVectorStore}: quiver-core's own path, a {@code .vec} file written by {@link VectorFile} and opened
 *       with mmap, read through {@link VectorStore#page} (copy into a scratch) and {@link VectorUtil}.
 * </ul>
 *
 * Graph search scores neighbours eight at a time, so three eight-way variants run on the same ordinals:
 * {@code heapEightWay} (heap pages, the array kernel), {@code fileCopyEightWay} (the eight vectors copied from the
 * mapping into one scratch array, then the array kernel) and {@code fileSegmentEightWay} (quiver-core's segment
 * kernel reading the mapping in place, what a memory-mapped index uses).
 *
 * Scores are ns per distance ({@code @OperationsPerInvocation}). Run it single-threaded: the state is per thread, so
 * each extra thread would build its own copy of the data. Run (after
 * {@code ./mvnw -B -pl quiver-bench -am -DskipTests package}):
 *
 * <pre>
 * java -cp quiver-bench/target/quiver-bench.jar:quiver-core/target/quiver-core-0.1.0-SNAPSHOT.jar \
 *     org.openjdk.jmh.Main VectorReadPathBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Xms2g", "-Xmx2g"})
@State(Scope.Thread)
public class VectorReadPathBenchmark {

  static final int BATCH = 64;
  private static final int SEQUENCE_LENGTH = 1 << 20; // 16,384 batches, a multiple of BATCH
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  @Param({"128", "768"})
  public int dims;

  @Param("100000")
  public int n;

  private FloatVectorStore heap;
  private Arena arena;
  private MemorySegment segment;
  private Path tempDir;
  private Arena fileArena;
  private MemorySegment fileSegment;
  private VectorStore mappedStore;
  private final float[][] pages8 = new float[8][];
  private final int[] offsets8 = new int[8];
  private final float[] out8 = new float[8];
  private float[] scratch8;
  private float[] query;
  private float[] scratch;
  private int[] sequence;
  private int cursor;

  @Setup(Level.Trial)
  public void setup() {
    SplittableRandom random = new SplittableRandom(42);
    heap = new FloatVectorStore(dims);
    arena = Arena.ofShared();
    segment = arena.allocate((long) n * dims * Float.BYTES, 64);
    for (int ord = 0; ord < n; ord++) {
      float[] v = DistanceKernelBenchmark.randomFloats(random, dims);
      heap.set(ord, v);
      MemorySegment.copy(v, 0, segment, ValueLayout.JAVA_FLOAT, (long) ord * dims * Float.BYTES, dims);
    }
    query = DistanceKernelBenchmark.randomFloats(random, dims);
    scratch = new float[dims];
    scratch8 = new float[8 * dims];
    sequence = random.ints(SEQUENCE_LENGTH, 0, n).toArray();
    try {
      tempDir = Files.createTempDirectory("quiver-readpath");
      Path raw = tempDir.resolve("raw.f32");
      try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        ch.write(segment.asByteBuffer()); // native order: little-endian on every platform this runs on
        fileArena = Arena.ofShared();
        fileSegment = ch.map(FileChannel.MapMode.READ_ONLY, 0, segment.byteSize(), fileArena);
      }
      Path vec = tempDir.resolve("v" + VectorFile.EXTENSION);
      VectorFile.write(vec, heap, Metric.L2, n, ord -> true);
      mappedStore = VectorFile.open(vec, true, false).vectors();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    checkPathsAgree();
  }

  /** All three paths, and quiver-core's Vector API kernel, must compute the same distances. */
  private void checkPathsAgree() {
    VectorUtilSupport reference = VectorizationProvider.panamaOrNull();
    if (reference == null) {
      throw new IllegalStateException("Vector API unavailable: fork must run with --add-modules jdk.incubator.vector");
    }
    for (int i = 0; i < BATCH; i++) {
      int ord = sequence[i];
      float expected = reference.squareDistance(query, 0, heap.page(ord), heap.offset(ord), dims);
      float[] actual = {
        squareDistance(query, heap.page(ord), heap.offset(ord), dims),
        squareDistance(query, segment, segmentOffset(ord), dims),
        copyThenSquareDistance(segment, ord),
        squareDistance(query, fileSegment, segmentOffset(ord), dims),
        copyThenSquareDistance(fileSegment, ord),
        mappedStoreDistance(ord),
      };
      for (float d : actual) {
        if (Math.abs(d - expected) > 1e-4f * Math.max(1f, expected)) {
          throw new AssertionError("ordinal " + ord + ": expected " + expected + ", got " + d);
        }
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    arena.close();
    fileArena.close();
    mappedStore.close();
    try (var files = Files.list(tempDir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(tempDir);
  }

  /** Start of the next batch of ordinals; advances through the sequence and wraps. */
  private int nextBatch() {
    int start = cursor;
    cursor = (start + BATCH) & (SEQUENCE_LENGTH - 1);
    return start;
  }

  private long segmentOffset(int ord) {
    return (long) ord * dims * Float.BYTES;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float heapFromArray() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      int ord = sequence[i];
      sum += squareDistance(query, heap.page(ord), heap.offset(ord), dims);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float segmentFromMemorySegment() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      sum += squareDistance(query, segment, segmentOffset(sequence[i]), dims);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float segmentCopyToArray() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      sum += copyThenSquareDistance(segment, sequence[i]);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float fileFromMemorySegment() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      sum += squareDistance(query, fileSegment, segmentOffset(sequence[i]), dims);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float fileCopyToArray() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      sum += copyThenSquareDistance(fileSegment, sequence[i]);
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float mappedVectorStore() {
    int start = nextBatch();
    float sum = 0;
    for (int i = start; i < start + BATCH; i++) {
      sum += mappedStoreDistance(sequence[i]);
    }
    return sum;
  }

  // Eight-way: graph search scores a node's unvisited neighbours eight at a time, to keep eight memory streams in
  // flight. Same 64 ordinals per invocation as above, in groups of eight.

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float heapEightWay() {
    int start = nextBatch();
    float sum = 0;
    for (int g = start; g < start + BATCH; g += 8) {
      for (int k = 0; k < 8; k++) {
        int ord = sequence[g + k];
        pages8[k] = heap.page(ord);
        offsets8[k] = heap.offset(ord);
      }
      VectorUtil.squareDistance8(query, pages8, offsets8, dims, out8);
      sum += out8[0] + out8[7];
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float fileCopyEightWay() {
    int start = nextBatch();
    float sum = 0;
    for (int g = start; g < start + BATCH; g += 8) {
      for (int k = 0; k < 8; k++) {
        MemorySegment.copy(fileSegment, ValueLayout.JAVA_FLOAT, segmentOffset(sequence[g + k]), scratch8, k * dims,
            dims);
        pages8[k] = scratch8;
        offsets8[k] = k * dims;
      }
      VectorUtil.squareDistance8(query, pages8, offsets8, dims, out8);
      sum += out8[0] + out8[7];
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float fileSegmentEightWay() {
    int start = nextBatch();
    float sum = 0;
    for (int g = start; g < start + BATCH; g += 8) {
      int[] s = sequence;
      VectorUtil.squareDistance8(query, fileSegment, segmentOffset(s[g]), segmentOffset(s[g + 1]),
          segmentOffset(s[g + 2]), segmentOffset(s[g + 3]), segmentOffset(s[g + 4]), segmentOffset(s[g + 5]),
          segmentOffset(s[g + 6]), segmentOffset(s[g + 7]), dims, out8);
      sum += out8[0] + out8[7];
    }
    return sum;
  }

  private float copyThenSquareDistance(MemorySegment seg, int ord) {
    MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, segmentOffset(ord), scratch, 0, dims);
    return squareDistance(query, scratch, 0, dims);
  }

  private float mappedStoreDistance(int ord) {
    float[] page = mappedStore.page(ord, scratch, 0);
    return VectorUtil.squareDistance(query, 0, page, mappedStore.offset(ord, 0), dims);
  }

  // The two kernels below differ only in how the stored vector is loaded. dims is a multiple of 4 * LANES here
  // (128 and 768 with 4, 8 or 16 lanes); the scalar tail keeps them correct for any dims.

  static float squareDistance(float[] q, float[] page, int off, int dims) {
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    int i = 0;
    for (int upper = dims - 4 * LANES; i <= upper; i += 4 * LANES) {
      FloatVector d0 = FloatVector.fromArray(SPECIES, q, i).sub(FloatVector.fromArray(SPECIES, page, off + i));
      FloatVector d1 = FloatVector.fromArray(SPECIES, q, i + LANES)
          .sub(FloatVector.fromArray(SPECIES, page, off + i + LANES));
      FloatVector d2 = FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
          .sub(FloatVector.fromArray(SPECIES, page, off + i + 2 * LANES));
      FloatVector d3 = FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
          .sub(FloatVector.fromArray(SPECIES, page, off + i + 3 * LANES));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    float res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < dims; i++) {
      float d = q[i] - page[off + i];
      res = Math.fma(d, d, res);
    }
    return res;
  }

  static float squareDistance(float[] q, MemorySegment seg, long byteOff, int dims) {
    ByteOrder order = ByteOrder.nativeOrder();
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    int i = 0;
    for (int upper = dims - 4 * LANES; i <= upper; i += 4 * LANES) {
      long b = byteOff + (long) i * Float.BYTES;
      FloatVector d0 = FloatVector.fromArray(SPECIES, q, i)
          .sub(FloatVector.fromMemorySegment(SPECIES, seg, b, order));
      FloatVector d1 = FloatVector.fromArray(SPECIES, q, i + LANES)
          .sub(FloatVector.fromMemorySegment(SPECIES, seg, b + LANES * Float.BYTES, order));
      FloatVector d2 = FloatVector.fromArray(SPECIES, q, i + 2 * LANES)
          .sub(FloatVector.fromMemorySegment(SPECIES, seg, b + 2 * LANES * Float.BYTES, order));
      FloatVector d3 = FloatVector.fromArray(SPECIES, q, i + 3 * LANES)
          .sub(FloatVector.fromMemorySegment(SPECIES, seg, b + 3 * LANES * Float.BYTES, order));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    float res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < dims; i++) {
      float d = q[i] - seg.get(ValueLayout.JAVA_FLOAT, byteOff + (long) i * Float.BYTES);
      res = Math.fma(d, d, res);
    }
    return res;
  }
}
