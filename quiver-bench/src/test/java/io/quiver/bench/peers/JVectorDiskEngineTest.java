package io.quiver.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.cli.bench.disk.DiskBuildParams;
import io.quiver.cli.bench.disk.DiskEngine;
import io.quiver.cli.bench.disk.DiskEngineProvider;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.VectorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Builds {@code jvector-disk} into a directory, opens it in a fresh engine and checks recall@10 against brute force,
 * the files, the mapping and concurrent search. Seeded by {@code -Dtests.seed=HEX} or at random, printed.
 */
class JVectorDiskEngineTest {

  private static final long SEED = seed();
  private static final int N = 3_000;
  private static final int DIM = 32;
  private static final int QUERIES = 100;
  private static final int K = 10;
  private static final int L = 64;
  private static final int SUBSPACE_DIM = 6;
  private static final float NOISE = 0.5f;

  private static long seed() {
    String s = System.getProperty("tests.seed");
    return s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
  }

  private static String seedHex() {
    return Long.toHexString(SEED).toUpperCase(Locale.ROOT);
  }

  private static DiskEngineProvider provider(String name) {
    for (DiskEngineProvider p : ServiceLoader.load(DiskEngineProvider.class)) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new AssertionError(name + " is not registered as a DiskEngineProvider");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jvector-disk", "jvector-disk-pq8"})
  void registeredWithoutL1(String name) throws Exception {
    DiskEngineProvider p = provider(name);
    assertThat(p.supports(Metric.L1)).isFalse();
    assertThat(p.supports(Metric.L2)).isTrue();
    assertThat(p.supports(Metric.COSINE)).isTrue();
    assertThat(p.supports(Metric.DOT)).isTrue();
    try (DiskEngine engine = p.create()) {
      assertThat(engine.name()).isEqualTo(name);
      assertThat(engine.logicalReads()).isEqualTo(-1);
    }
  }

  @ParameterizedTest(name = "{0} {1} threads={2}")
  @CsvSource({"jvector-disk, L2, 1, 8", "jvector-disk, COSINE, 2, 8", "jvector-disk, DOT, 2, 8",
      "jvector-disk-pq8, L2, 2, 4"})
  void recallAt10AfterReopen(String name, Metric metric, int threads, int pqBytes, @TempDir Path dir)
      throws Exception {
    Random rnd = new Random(SEED ^ metric.ordinal());
    Cluster[] clusters = clusters(rnd, 24);
    // JVector's DOT_PRODUCT is defined for unit vectors only (its javadoc): DOT runs on unit-length data
    boolean unitLength = metric == Metric.DOT;
    float[][] base = points(rnd, clusters, N, unitLength);
    float[][] queries = points(rnd, clusters, QUERIES, unitLength);

    AtomicLong lastDone = new AtomicLong();
    long written;
    try (DiskEngine builder = provider(name).create()) {
      written = builder.build(VectorSource.of(base), metric, new DiskBuildParams(16, 64, 1.2f, threads, SEED, "vamana"),
          dir, (done, total) -> {
            assertThat(total).isEqualTo(N);
            lastDone.accumulateAndGet(done, Math::max);
          });
    }
    assertThat(lastDone.get()).isEqualTo(N);
    Path graphFile = dir.resolve(JVectorDiskEngine.GRAPH_FILE);
    Path pqFile = dir.resolve(JVectorDiskEngine.PQ_FILE);
    assertThat(graphFile).isRegularFile();
    assertThat(pqFile).isRegularFile();
    assertThat(written).isEqualTo(Files.size(graphFile) + Files.size(pqFile));
    // inline full vectors: the graph file holds at least every vector once
    assertThat(Files.size(graphFile)).isGreaterThan((long) N * DIM * Float.BYTES);

    try (JVectorDiskEngine engine = (JVectorDiskEngine) provider(name).create()) {
      engine.open(dir, metric);
      assertThat(engine.readerKind()).contains("MemorySegmentReader");
      assertThat(engine.pqBytesPerVector()).isEqualTo(pqBytes);
      // codes are in heap, the inline vectors are not
      assertThat(engine.ramBytes()).isGreaterThanOrEqualTo((long) N * engine.pqBytesPerVector())
          .isLessThan((long) N * DIM * Float.BYTES);

      int[][] got = new int[QUERIES][];
      for (int i = 0; i < QUERIES; i++) {
        got[i] = engine.search(queries[i], K, L);
      }
      double recall = 0;
      for (int i = 0; i < QUERIES; i++) {
        assertThat(got[i]).hasSize(K).doesNotHaveDuplicates();
        // reranked with the full vectors read from the file: nearest first by the exact distance
        for (int j = 1; j < K; j++) {
          double prev = metric.distance(queries[i], base[got[i][j - 1]]);
          double next = metric.distance(queries[i], base[got[i][j]]);
          assertThat(next).as("query %d rank %d, seed %s", i, j, seedHex()).isGreaterThanOrEqualTo(prev - 1e-4 * (1 + Math.abs(prev)));
        }
        recall += overlap(got[i], bruteForce(base, queries[i], metric, K)) / (double) K;
      }
      recall /= QUERIES;
      System.out.printf(Locale.ROOT, "%s %s threads=%d seed %s: recall@10=%.3f at L=%d, ram=%d B, files=%d B%n",
          name, metric, threads, seedHex(), recall, L, engine.ramBytes(), written);
      assertThat(recall).as("recall@10 at L=%d, seed %s", L, seedHex()).isGreaterThanOrEqualTo(0.9);

      // two threads at once, each through its own searcher and reader, get what one thread got
      try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
        List<Future<int[]>> again = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
          float[] q = queries[i];
          again.add(pool.submit(() -> engine.search(q, K, L)));
        }
        for (int i = 0; i < QUERIES; i++) {
          assertThat(again.get(i).get()).as("query %d, seed %s", i, seedHex()).containsExactly(got[i]);
        }
      }
    }
  }

  @Test
  void openWithoutIndexSaysWhatIsMissing(@TempDir Path dir) throws Exception {
    try (DiskEngine engine = provider("jvector-disk").create()) {
      assertThatThrownBy(() -> engine.open(dir, Metric.L2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(JVectorDiskEngine.GRAPH_FILE);
    }
  }

  /** A cluster: a centre and a basis of a low-dimensional subspace its points lie near. */
  private record Cluster(float[] center, float[][] basis) {}

  // Points near low-dimensional subspaces, as embeddings are: isotropic 32-dimensional clusters would leave an
  // 8-byte PQ code (4 dimensions per byte) nothing to exploit, which real data does not.
  private static Cluster[] clusters(Random rnd, int n) {
    Cluster[] out = new Cluster[n];
    for (int c = 0; c < n; c++) {
      float[][] basis = new float[SUBSPACE_DIM][];
      for (int b = 0; b < SUBSPACE_DIM; b++) {
        basis[b] = gaussian(rnd, 1f);
      }
      out[c] = new Cluster(gaussian(rnd, 3f), basis);
    }
    return out;
  }

  private static float[][] points(Random rnd, Cluster[] clusters, int n, boolean unitLength) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      Cluster c = clusters[rnd.nextInt(clusters.length)];
      float[] v = gaussian(rnd, NOISE);
      for (int j = 0; j < DIM; j++) {
        v[j] += c.center()[j];
      }
      for (float[] axis : c.basis()) {
        float z = (float) rnd.nextGaussian();
        for (int j = 0; j < DIM; j++) {
          v[j] += z * axis[j];
        }
      }
      if (unitLength) {
        VectorUtil.normalize(v);
      }
      out[i] = v;
    }
    return out;
  }

  private static float[] gaussian(Random rnd, float scale) {
    float[] v = new float[DIM];
    for (int j = 0; j < DIM; j++) {
      v[j] = (float) (rnd.nextGaussian() * scale);
    }
    return v;
  }

  private static int[] bruteForce(float[][] base, float[] q, Metric metric, int k) {
    Integer[] ids = new Integer[base.length];
    float[] d = new float[base.length];
    for (int i = 0; i < base.length; i++) {
      ids[i] = i;
      d[i] = metric.distance(q, base[i]);
    }
    Arrays.sort(ids, (a, b) -> Float.compare(d[a], d[b]));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = ids[i];
    }
    return out;
  }

  private static int overlap(int[] got, int[] truth) {
    int hits = 0;
    for (int t : truth) {
      for (int g : got) {
        if (g == t) {
          hits++;
          break;
        }
      }
    }
    return hits;
  }
}
