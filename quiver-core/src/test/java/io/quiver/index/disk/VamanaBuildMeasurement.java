package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.index.flat.FlatIndex;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.index.hnsw.HnswLayersSource;
import io.quiver.testing.TestVectors;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (does not assert) the Vamana build against Quiver's HNSW build on the same clustered data and threads:
 * build seconds, and recall@10 and bottom-layer nodes expanded per query of an in-RAM greedy search
 * ({@link GraphSourceSearcher}) at several list sizes. Run by hand with:
 * {@code ./mvnw -B -ntp -o test -pl quiver-core -Dtest=VamanaBuildMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dquiver.measure=true -Dquiver.n=200000 -Dquiver.dim=128 -Dquiver.threads=2}; {@code -Dquiver.hnswAlpha},
 * {@code -Dquiver.skipVamana=true}, {@code -Dquiver.skipHnsw=true} and the other {@code quiver.*} properties read below
 * vary it
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class VamanaBuildMeasurement {
  private static final int[] LIST_SIZES = java.util.Arrays.stream(System.getProperty("quiver.lists",
      "10,16,24,32,48,64,96,128,192").split(",")).mapToInt(Integer::parseInt).toArray();

  @Test
  void measure() {
    int n = Integer.getInteger("quiver.n", 200_000);
    int dim = Integer.getInteger("quiver.dim", 128);
    int threads = Integer.getInteger("quiver.threads", 2);
    int maxDegree = Integer.getInteger("quiver.R", 64);
    int listSize = Integer.getInteger("quiver.L", 100);
    float alpha = Float.parseFloat(System.getProperty("quiver.alpha", "1.2"));
    long seed = Long.getLong("quiver.seed", 42L);
    int queryCount = Integer.getInteger("quiver.queries", 1000);
    Metric metric = Metric.parse(System.getProperty("quiver.metric", "l2"));
    boolean hnsw = !Boolean.getBoolean("quiver.skipHnsw");
    boolean vamanaToo = !Boolean.getBoolean("quiver.skipVamana");
    float hnswAlpha = Float.parseFloat(System.getProperty("quiver.hnswAlpha", Float.toString(alpha)));

    Random rnd = new Random(seed);
    SubspaceMixture data = new SubspaceMixture(rnd, dim, Math.max(10, n / 2000));
    float[][] base = data.points(rnd, n);
    float[][] queries = data.queries(rnd, queryCount);
    int[][] truth = groundTruth(base, queries, metric, threads);
    System.out.printf(Locale.ROOT, "n %d, dim %d, %s, threads %d, R %d, L %d, alpha %.2f, seed %d%n", n, dim, metric,
        threads, maxDegree, listSize, alpha, seed);

    if (vamanaToo) {
      long t0 = System.nanoTime();
      VamanaGraph vamana = VamanaGraph.build(VectorSource.of(base), metric, maxDegree, listSize, alpha, threads,
          seed, BuildProgress.NONE);
      double vamanaSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "vamana build %.1f s%n", vamanaSeconds);
      report("vamana", vamana, base, queries, truth, metric);
    }

    if (hnsw) {
      HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(maxDegree / 2).efConstruction(listSize)
          .alpha(hnswAlpha).seed(seed).build());
      long h0 = System.nanoTime();
      index.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
      double hnswSeconds = (System.nanoTime() - h0) / 1e9;
      System.out.printf(Locale.ROOT, "hnsw build %.1f s (M %d, efConstruction %d, alpha %.2f)%n", hnswSeconds,
          maxDegree / 2, listSize, hnswAlpha);
      report("hnsw", new HnswLayersSource(index, n), base, queries, truth, metric);
    }
  }

  private static void report(String name, DiskGraphSource graph, float[][] base, float[][] queries, int[][] truth,
      Metric metric) {
    GraphSourceSearcher searcher = new GraphSourceSearcher(graph, VectorSource.of(base), metric);
    double degree = 0;
    int[] out = new int[graph.maxDegree()];
    for (int node = 0; node < graph.size(); node++) {
      degree += graph.neighbours(0, node, out);
    }
    System.out.printf(Locale.ROOT, "%s: mean bottom degree %.1f, routing layers %d, %d of %d reachable on layer 0%n",
        name, degree / graph.size(), graph.routingLayers(), reachable(graph), graph.size());
    for (int l : LIST_SIZES) {
      double recall = 0;
      long expanded = 0;
      long s0 = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        GraphSourceSearcher.Result r = searcher.search(queries[q], 10, l);
        recall += TestVectors.recall(r.nodes(), truth[q]);
        expanded += r.expanded();
      }
      double ms = (System.nanoTime() - s0) / 1e6 / queries.length;
      System.out.printf(Locale.ROOT, "%s L %3d: recall@10 %.4f, expanded %.1f per query, %.3f ms per query%n", name,
          l, recall / queries.length, expanded / (double) queries.length, ms);
    }
  }

  /** Nodes a breadth-first walk on the bottom layer from the entry reaches. */
  private static int reachable(DiskGraphSource graph) {
    boolean[] seen = new boolean[graph.size()];
    int[] queue = new int[graph.size()];
    int head = 0;
    int tail = 0;
    queue[tail++] = graph.entryNode();
    seen[graph.entryNode()] = true;
    int[] out = new int[graph.maxDegree()];
    while (head < tail) {
      int count = graph.neighbours(0, queue[head++], out);
      for (int i = 0; i < count; i++) {
        if (!seen[out[i]]) {
          seen[out[i]] = true;
          queue[tail++] = out[i];
        }
      }
    }
    return tail;
  }

  static int[][] groundTruth(float[][] base, float[][] queries, Metric metric, int threads) {
    try (FlatIndex flat = new FlatIndex(base[0].length, metric)) {
      flat.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
      SearchResult[] results = flat.searchBatch(queries, 10, null, threads);
      int[][] truth = new int[queries.length][];
      for (int q = 0; q < queries.length; q++) {
        truth[q] = results[q].ordinals();
      }
      return truth;
    }
  }

  /**
   * A seeded Gaussian mixture whose clusters lie near low-dimensional subspaces (8 directions each, decaying
   * deviations, small isotropic noise), with Zipf cluster sizes; a fifth of the queries lie between two clusters.
   */
  static final class SubspaceMixture {
    private static final int SUBSPACE = 8;
    private static final float CENTRE_SCALE = Float.parseFloat(System.getProperty("quiver.centreScale", "0.25"));
    private static final float SPREAD = Float.parseFloat(System.getProperty("quiver.spread", "3"));
    private static final float NOISE = Float.parseFloat(System.getProperty("quiver.noise", "0.3"));
    private final int dim;
    private final float[][] centres;
    private final float[][][] bases;
    private final double[] cumulative;

    SubspaceMixture(Random rnd, int dim, int clusters) {
      this.dim = dim;
      this.centres = new float[clusters][];
      this.bases = new float[clusters][SUBSPACE][];
      this.cumulative = new double[clusters];
      double total = 0;
      for (int c = 0; c < clusters; c++) {
        centres[c] = TestVectors.randomVector(rnd, dim);
        for (int d = 0; d < dim; d++) {
          centres[c][d] *= CENTRE_SCALE;
        }
        for (int s = 0; s < SUBSPACE; s++) {
          float[] b = TestVectors.randomVector(rnd, dim);
          float scale = (float) (SPREAD / (1 + 0.3 * s) / Math.sqrt(dim)); // norm about SPREAD / (1 + 0.3 s)
          for (int d = 0; d < dim; d++) {
            b[d] *= scale;
          }
          bases[c][s] = b;
        }
        total += 1.0 / (c + 1);
        cumulative[c] = total;
      }
      for (int c = 0; c < clusters; c++) {
        cumulative[c] /= total;
      }
    }

    float[][] points(Random rnd, int n) {
      float[][] out = new float[n][];
      for (int i = 0; i < n; i++) {
        out[i] = point(rnd, cluster(rnd));
      }
      return out;
    }

    float[][] queries(Random rnd, int n) {
      float[][] out = new float[n][];
      for (int i = 0; i < n; i++) {
        float[] a = point(rnd, cluster(rnd));
        if (rnd.nextInt(5) == 0) {
          float[] b = point(rnd, cluster(rnd));
          for (int d = 0; d < dim; d++) {
            a[d] = (a[d] + b[d]) / 2;
          }
        }
        out[i] = a;
      }
      return out;
    }

    private int cluster(Random rnd) {
      double u = rnd.nextDouble();
      int c = java.util.Arrays.binarySearch(cumulative, u);
      return Math.min(centres.length - 1, c >= 0 ? c : -c - 1);
    }

    private float[] point(Random rnd, int c) {
      float[] v = centres[c].clone();
      for (int s = 0; s < SUBSPACE; s++) {
        float g = (float) rnd.nextGaussian();
        float[] b = bases[c][s];
        for (int d = 0; d < dim; d++) {
          v[d] += g * b[d];
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] += (float) (rnd.nextGaussian() * NOISE);
      }
      return v;
    }
  }
}
