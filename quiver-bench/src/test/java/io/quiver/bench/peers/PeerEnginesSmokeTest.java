package io.quiver.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.cli.bench.BuildParams;
import io.quiver.distance.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Builds every peer engine on a small clustered data set and checks recall@10 against brute force. */
class PeerEnginesSmokeTest {

  private static final int N = 2_000;
  private static final int DIM = 32;
  private static final int QUERIES = 50;
  private static final int K = 10;
  private static final int EF = 100;

  static Map<String, AnnEngineProvider> providers() {
    Map<String, AnnEngineProvider> byName = new TreeMap<>();
    for (AnnEngineProvider p : ServiceLoader.load(AnnEngineProvider.class)) {
      byName.put(p.name(), p);
    }
    return byName;
  }

  @Test
  void providersAreRegistered() {
    Map<String, AnnEngineProvider> byName = providers();
    assertThat(byName).containsKeys("lucene", "jvector", "hnswlib-java");
    assertThat(byName.get("lucene").supports(Metric.L1)).isFalse();
    assertThat(byName.get("jvector").supports(Metric.L1)).isFalse();
    assertThat(byName.get("hnswlib-java").supports(Metric.L1)).isTrue();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String engine : List.of("lucene", "jvector", "hnswlib-java")) {
      // L2 builds single-threaded, COSINE with two threads, so both build paths run
      out.add(Arguments.of(engine, Metric.L2, 1));
      out.add(Arguments.of(engine, Metric.COSINE, 2));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} threads={2}")
  @MethodSource("cases")
  void recallAt10(String engineName, Metric metric, int threads) throws Exception {
    SplittableRandom rnd = new SplittableRandom(7);
    float[][] centers = gaussian(rnd, 16, 4f);
    float[][] base = clustered(rnd, centers, N);
    float[][] queries = clustered(rnd, centers, QUERIES);

    AnnEngineProvider provider = providers().get(engineName);
    assertThat(provider).as(engineName).isNotNull();
    assertThat(provider.supports(metric)).isTrue();
    AtomicLong lastDone = new AtomicLong();
    try (AnnEngine engine = provider.create()) {
      int[][] truth = new int[QUERIES][];
      for (int i = 0; i < QUERIES; i++) {
        truth[i] = bruteForce(base, queries[i], metric, K);
      }
      long t0 = System.nanoTime();
      engine.build(base, metric, new BuildParams(16, 100, threads), (done, total) -> {
        assertThat(total).isEqualTo(N);
        lastDone.accumulateAndGet(done, Math::max);
      });
      long t1 = System.nanoTime();
      double recall = 0;
      int[][] got = new int[QUERIES][];
      for (int i = 0; i < QUERIES; i++) {
        got[i] = engine.search(queries[i], K, EF);
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < QUERIES; i++) {
        assertThat(got[i]).hasSize(K).doesNotHaveDuplicates();
        recall += overlap(got[i], truth[i]) / (double) K;
      }
      recall /= QUERIES;
      System.out.printf(Locale.ROOT, "%-12s %-6s threads=%d recall@10=%.3f build=%dms search=%dms ram=%d version=%s%n",
          engine.name(), metric, threads, recall, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
          engine.ramBytesUsed(), engine.version());
      assertThat(lastDone.get()).isEqualTo(N);
      assertThat(recall).as("recall@10 of %s %s", engineName, metric).isGreaterThanOrEqualTo(0.9);
      assertThat(engine.version()).isNotEmpty();
    }
  }

  private static float[][] gaussian(SplittableRandom rnd, int n, float scale) {
    float[][] out = new float[n][DIM];
    for (float[] v : out) {
      for (int j = 0; j < DIM; j++) {
        v[j] = (float) (nextGaussian(rnd) * scale);
      }
    }
    return out;
  }

  private static float[][] clustered(SplittableRandom rnd, float[][] centers, int n) {
    float[][] out = new float[n][DIM];
    for (float[] v : out) {
      float[] c = centers[rnd.nextInt(centers.length)];
      for (int j = 0; j < DIM; j++) {
        v[j] = c[j] + (float) nextGaussian(rnd);
      }
    }
    return out;
  }

  private static double nextGaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    double w = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
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
