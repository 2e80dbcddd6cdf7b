package io.quiver.bench.jmh;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.quantization.BinaryQuantizer;
import io.quiver.quantization.Float16Codec;
import io.quiver.quantization.ProductQuantizer;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.quantization.QuantizedVectorUtil;
import io.quiver.quantization.ScalarQuantizer;
import io.quiver.quantization.VectorQuantizer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does one approximate distance cost per storage format, as a graph walk pays it?
 *
 * <p>Each invocation scores one query against {@value #BATCH} pseudo-random ordinals out of {@code vectors} (16,384 by
 * default) stored vectors (a fixed shuffled list, so the same memory pattern for every format): float32 {@code dot}
 * and squared L2 straight on a {@code float[]}, and the per-query {@link QuantizedScorer} (L2) of int8 ({@link ScalarQuantizer}),
 * float16 ({@link Float16Codec}), binary with a 4-bit query ({@link BinaryQuantizer}, 16 coarse centroids) and PQ-ADC
 * ({@link ProductQuantizer}, {@code m = dims / 8}, one coarse centroid). Results are ns per scored vector. The
 * quantizers are trained on 2,000 of the vectors with 2 Lloyd rounds: this measures speed, not quality.
 *
 * <p>{@code impl=scalar} sets {@code -Dquiver.vectorization=scalar} in the forked JVM before any kernel is chosen, so
 * the float and quantized kernels are both the plain-Java ones; {@code impl=panama} uses the Vector API ones.
 *
 * <pre>
 * java -cp quiver-bench/target/quiver-bench.jar:quiver-core/target/quiver-core-0.1.0-SNAPSHOT.jar \
 *     org.openjdk.jmh.Main QuantizationBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@State(Scope.Thread)
public class QuantizationBenchmark {

  static final int BATCH = 64;

  /** Stored vectors: 16384 spills float32 out of the caches as a graph walk does; 256 keeps every format cached. */
  @Param({"16384"})
  public int vectors;

  @Param({"384", "784"})
  public int dims;

  @Param({"scalar", "panama"})
  public String impl;

  /** Which quantizers setup trains: "all", or one of int8, float16, binary, pq (PQ's training dominates setup). */
  @Param({"all"})
  public String train;

  private float[] base;
  private float[] query;
  private int[] ords;
  private int cursor;
  private final float[] out = new float[BATCH];
  private QuantizedScorer int8;
  private QuantizedScorer float16;
  private QuantizedScorer binary;
  private QuantizedScorer pq;

  @Setup
  public void setup() {
    int n = vectors;
    if (impl.equals("scalar")) {
      System.setProperty("quiver.vectorization", "scalar");
    }
    String chosen = VectorUtil.implementationName();
    if (!chosen.startsWith(impl)) {
      throw new IllegalStateException("wanted " + impl + " kernels, got " + chosen);
    }
    System.err.println("kernels: " + chosen + " / " + QuantizedVectorUtil.implementationName());
    SplittableRandom random = new SplittableRandom(42);
    float[][] data = new float[n][dims];
    float[][] centres = new float[32][dims];
    for (float[] c : centres) {
      for (int d = 0; d < dims; d++) {
        c[d] = (float) (random.nextDouble(-1, 1) * 2);
      }
    }
    base = new float[n * dims];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int d = 0; d < dims; d++) {
        data[i][d] = c[d] + (float) random.nextDouble(-0.5, 0.5);
      }
      System.arraycopy(data[i], 0, base, i * dims, dims);
    }
    query = data[random.nextInt(n)].clone();
    ords = new int[n];
    for (int i = 0; i < n; i++) {
      ords[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = ords[i];
      ords[i] = ords[j];
      ords[j] = t;
    }
    float[][] sample = Arrays.copyOf(data, Math.min(n, 2000));
    boolean all = train.equals("all");
    int8 = all || train.equals("int8") ? scorer(ScalarQuantizer.train(Metric.L2, sample, 0.99f), data) : null;
    float16 = all || train.equals("float16") ? scorer(new Float16Codec(Metric.L2, dims), data) : null;
    binary = all || train.equals("binary") ? scorer(BinaryQuantizer.train(Metric.L2, sample, 16, 7), data) : null;
    pq = all || train.equals("pq") ? scorer(ProductQuantizer.train(Metric.L2, sample, dims / 8, 1, 2, 7), data) : null;
  }

  private QuantizedScorer scorer(VectorQuantizer q, float[][] data) {
    return q.scorer(query, q.encodeAll(data));
  }

  private int next() {
    int c = cursor;
    cursor = c + 2 * BATCH > vectors ? 0 : c + BATCH;
    return c;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float float32Dot() {
    int c = next();
    float s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += VectorUtil.dot(query, 0, base, ords[c + i] * dims, dims);
    }
    return s;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float float32L2() {
    int c = next();
    float s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += VectorUtil.squareDistance(query, 0, base, ords[c + i] * dims, dims);
    }
    return s;
  }

  private final float[][] pages8 = new float[8][];
  private final int[] offs8 = new int[8];
  private final float[] out8 = new float[8];
  private final int[] batch = new int[BATCH];

  /** float32 dot, eight vectors per kernel call: how the graph walk scores a node's neighbours. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float float32Dot8() {
    int c = next();
    float s = 0;
    Arrays.fill(pages8, base);
    for (int i = 0; i < BATCH; i += 8) {
      for (int j = 0; j < 8; j++) {
        offs8[j] = ords[c + i + j] * dims;
      }
      VectorUtil.dot8(query, pages8, offs8, dims, out8);
      s += out8[0] + out8[7];
    }
    return s;
  }

  private float runBatch(QuantizedScorer scorer) {
    int c = next();
    float s = 0;
    for (int i = 0; i < BATCH; i += 16) { // a walk step's batch: the unvisited neighbours of one node
      System.arraycopy(ords, c + i, batch, 0, 16);
      scorer.score(batch, 16, out);
      s += out[0] + out[15];
    }
    return s;
  }

  /** int8 through the scorer's batch path (eight-code kernel), as the walk calls it. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float int8Batch() {
    return runBatch(int8);
  }

  /** float16 through the scorer's batch path (four records side by side), as the walk calls it. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float float16Batch() {
    return runBatch(float16);
  }

  /** binary through the scorer's batch path (records touched first, then scored), as the walk calls it. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float binaryBatch() {
    return runBatch(binary);
  }

  private float run(QuantizedScorer scorer) {
    int c = next();
    float s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += scorer.score(ords[c + i]);
    }
    return s;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float int8() {
    return run(int8);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float float16() {
    return run(float16);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float binary() {
    return run(binary);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float pqAdc() {
    return run(pq);
  }
}
