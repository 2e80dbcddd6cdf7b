package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.SearchParams;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (does not assert) how hard {@link SyntheticClusters} data is for a graph index: in-RAM HNSW (M 16,
 * efConstruction 100) recall@10 at ef 64 against brute force, the calibration the generator's defaults are held to.
 * Run by hand: {@code ./mvnw -B -ntp -o test -pl quiver-cli -Dtest=SyntheticHardnessMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dquiver.measure=true -Dquiver.n=200000 -Dquiver.dim=128}; the shape's
 * fields can be overridden ({@code -Dquiver.noise}, {@code quiver.spread}, {@code quiver.between},
 * {@code quiver.decay}, {@code quiver.clusters}, {@code quiver.minRank}, {@code quiver.maxRank}, {@code quiver.zipf}).
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class SyntheticHardnessMeasurement {
  @Test
  void measure() {
    int n = Integer.getInteger("quiver.n", 200_000);
    int dim = Integer.getInteger("quiver.dim", 128);
    int queries = Integer.getInteger("quiver.queries", 300);
    long seed = Long.getLong("quiver.seed", 7L);
    SyntheticClusters.Shape d = SyntheticClusters.Shape.DEFAULT;
    SyntheticClusters.Shape shape = new SyntheticClusters.Shape(Integer.getInteger("quiver.clusters", d.clusters()),
        dbl("quiver.zipf", d.zipfExponent()), Integer.getInteger("quiver.minRank", d.minRank()),
        Integer.getInteger("quiver.maxRank", d.maxRank()), dbl("quiver.decay", d.decay()),
        dbl("quiver.spread", d.spread()), dbl("quiver.noise", d.noise()), dbl("quiver.between", d.betweenFraction()));
    SyntheticClusters gen = new SyntheticClusters(n, dim, seed, shape);
    float[][] base = gen.base(0, n);
    float[][] qs = gen.queries(queries);
    long t0 = System.nanoTime();
    HnswConfig config = HnswConfig.builder().m(16).efConstruction(100).seed(seed).build();
    try (HnswIndex index = new HnswIndex(dim, Metric.L2, config)) {
      index.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
      double build = (System.nanoTime() - t0) / 1e9;
      double[] recall = new double[3];
      int[] efs = {32, 64, 128};
      double contrast = 0;
      for (float[] q : qs) {
        float[] all = new float[n];
        IntStream.range(0, n).parallel().forEach(i -> all[i] = VectorUtil.squareDistance(q, base[i]));
        int[] truth = IntStream.range(0, n).boxed().sorted((a, b) -> Float.compare(all[a], all[b])).limit(10)
            .mapToInt(Integer::intValue).toArray();
        double mean = 0;
        for (float x : all) {
          mean += Math.sqrt(x);
        }
        contrast += (mean / n) / Math.sqrt(all[truth[0]]);
        for (int e = 0; e < efs.length; e++) {
          int[] found = index.search(q, 10, SearchParams.ef(efs[e]), null).ordinals();
          recall[e] += Arrays.stream(found).filter(f -> Arrays.stream(truth).anyMatch(t -> t == f)).count() / 10.0;
        }
      }
      System.out.printf(Locale.ROOT, "n %d dim %d clusters %d %s: build %.1f s; recall@10 ef 32/64/128 %.4f / %.4f / "
          + "%.4f; relative contrast (mean distance / nearest) %.3f%n", n, dim, gen.clusters(), shape, build,
          recall[0] / qs.length, recall[1] / qs.length, recall[2] / qs.length, contrast / qs.length);
    }
  }

  private static double dbl(String key, double fallback) {
    String v = System.getProperty(key);
    return v == null ? fallback : Double.parseDouble(v);
  }
}
