package io.quiver.bench.jmh;

import io.quiver.distance.ScalarVectorUtilSupport;
import io.quiver.distance.VectorUtilSupport;
import io.quiver.distance.VectorizationProvider;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast is each distance kernel, scalar versus Vector API, at the dimensions Quiver is used with?
 *
 * <p>Times one call of {@code dot}, {@code squareDistance}, {@code l1Distance} and {@code cosine} on two
 * cache-resident {@code float[]} vectors of {@code dims} floats, and {@code hamming} on two {@code long[]} of
 * {@code dims / 64} words, for {@link ScalarVectorUtilSupport} ({@code impl=scalar}) and the kernels returned by
 * {@link VectorizationProvider#panamaOrNull()} ({@code impl=panama}). Inputs are random from a fixed seed.
 *
 * <p>Run (after {@code ./mvnw -B -pl quiver-bench -am -DskipTests package}):
 *
 * <pre>
 * java -cp quiver-bench/target/quiver-bench.jar:quiver-core/target/quiver-core-0.1.0-SNAPSHOT.jar \
 *     org.openjdk.jmh.Main DistanceKernelBenchmark
 * </pre>
 *
 * Each (dims, impl) pair runs in its own forked JVM, started with {@code --add-modules jdk.incubator.vector}, so the
 * kernel call site only ever sees one implementation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class DistanceKernelBenchmark {

  @Param({"128", "384", "768", "1536"})
  public int dims;

  @Param({"scalar", "panama"})
  public String impl;

  private VectorUtilSupport kernels;
  private float[] a;
  private float[] b;
  private long[] bitsA;
  private long[] bitsB;

  @Setup
  public void setup() {
    kernels = switch (impl) {
      case "scalar" -> new ScalarVectorUtilSupport();
      case "panama" -> {
        VectorUtilSupport panama = VectorizationProvider.panamaOrNull();
        if (panama == null) {
          throw new IllegalStateException("Vector API unavailable: fork must run with --add-modules jdk.incubator.vector");
        }
        yield panama;
      }
      default -> throw new IllegalArgumentException("impl must be scalar or panama, got " + impl);
    };
    SplittableRandom random = new SplittableRandom(42);
    a = randomFloats(random, dims);
    b = randomFloats(random, dims);
    bitsA = random.longs(dims / 64).toArray();
    bitsB = random.longs(dims / 64).toArray();
  }

  static float[] randomFloats(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    return v;
  }

  @Benchmark
  public float dot() {
    return kernels.dot(a, 0, b, 0, dims);
  }

  @Benchmark
  public float squareDistance() {
    return kernels.squareDistance(a, 0, b, 0, dims);
  }

  @Benchmark
  public float l1Distance() {
    return kernels.l1Distance(a, 0, b, 0, dims);
  }

  @Benchmark
  public float cosine() {
    return kernels.cosine(a, 0, b, 0, dims);
  }

  @Benchmark
  public int hamming() {
    return kernels.hamming(bitsA, 0, bitsB, 0, bitsA.length);
  }
}
