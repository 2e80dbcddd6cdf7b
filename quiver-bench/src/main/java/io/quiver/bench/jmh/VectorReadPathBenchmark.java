package io.quiver.bench.jmh;

import io.quiver.distance.VectorUtilSupport;
import io.quiver.distance.VectorizationProvider;
import io.quiver.index.FloatVectorStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
    sequence = random.ints(SEQUENCE_LENGTH, 0, n).toArray();
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
        copyThenSquareDistance(ord),
      };
      for (float d : actual) {
        if (Math.abs(d - expected) > 1e-4f * Math.max(1f, expected)) {
          throw new AssertionError("ordinal " + ord + ": expected " + expected + ", got " + d);
        }
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
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
      sum += copyThenSquareDistance(sequence[i]);
    }
    return sum;
  }

  private float copyThenSquareDistance(int ord) {
    MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT, segmentOffset(ord), scratch, 0, dims);
    return squareDistance(query, scratch, 0, dims);
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
