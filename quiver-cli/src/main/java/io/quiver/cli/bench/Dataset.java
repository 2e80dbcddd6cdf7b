package io.quiver.cli.bench;

import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.index.flat.FlatIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** Base vectors, queries and exact ground truth (ids of the true nearest neighbours, nearest first). */
record Dataset(String name, float[][] base, float[][] queries, int[][] groundTruth, Metric metric) {

  /** Loads TEXMEX files; ground truth may be null, in which case it is computed exactly. */
  static Dataset load(String name, Path base, Path query, Path groundTruth, Metric metric, int baseLimit,
      int queryLimit, int k) throws IOException {
    float[][] b = Texmex.readVectors(base, baseLimit);
    float[][] q = Texmex.readVectors(query, queryLimit);
    if (b.length == 0 || q.length == 0) {
      throw new IllegalArgumentException("empty base or query file");
    }
    if (b[0].length != q[0].length) {
      throw new IllegalArgumentException(
          "base dimension " + b[0].length + " differs from query dimension " + q[0].length);
    }
    int[][] gt = null;
    if (groundTruth != null && baseLimit < 0) {
      gt = Texmex.readIvecs(groundTruth, queryLimit);
      if (gt.length < q.length) {
        throw new IllegalArgumentException(groundTruth + " has " + gt.length + " rows for " + q.length + " queries");
      }
      if (gt[0].length < k) {
        throw new IllegalArgumentException(groundTruth + " has only " + gt[0].length + " neighbours a row; k=" + k);
      }
    }
    if (gt == null) {
      gt = exactGroundTruth(b, q, metric, Math.max(k, 100));
    }
    return new Dataset(name, b, q, gt, metric);
  }

  /** A clustered synthetic set, for machines without the shared data sets. */
  static Dataset synthetic(int n, int nq, int dim, Metric metric, long seed, int k) {
    Random rnd = new Random(seed);
    int clusters = 64;
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) rnd.nextGaussian();
      }
    }
    float[][] all = new float[n + nq][dim];
    for (float[] v : all) {
      float[] c = centres[rnd.nextInt(clusters)];
      for (int d = 0; d < dim; d++) {
        v[d] = c[d] + (float) (rnd.nextGaussian() * 0.35);
      }
    }
    float[][] base = Arrays.copyOfRange(all, 0, n);
    float[][] queries = Arrays.copyOfRange(all, n, n + nq);
    return new Dataset("synthetic-clustered-" + n + "x" + dim, base, queries,
        exactGroundTruth(base, queries, metric, Math.max(k, 100)), metric);
  }

  static int[][] exactGroundTruth(float[][] base, float[][] queries, Metric metric, int k) {
    System.err.printf("computing exact ground truth for %,d queries over %,d vectors...%n", queries.length, base.length);
    FlatIndex flat = new FlatIndex(base[0].length, metric);
    flat.addAll(VectorSource.of(base), Runtime.getRuntime().availableProcessors(), BuildProgress.NONE);
    SearchResult[] results = flat.searchBatch(queries, Math.min(k, base.length), null,
        Runtime.getRuntime().availableProcessors());
    int[][] gt = new int[queries.length][];
    for (int i = 0; i < gt.length; i++) {
      gt[i] = results[i].ordinals();
    }
    return gt;
  }

  /** Finds base/query/groundtruth files in a directory laid out as ../shared/datasets/NAME/. */
  static Path[] filesIn(Path dir) throws IOException {
    Path base = firstExisting(dir, "base.fvecs", "base.bvecs");
    Path query = firstExisting(dir, "query.fvecs", "query.bvecs");
    Path gt = dir.resolve("groundtruth.ivecs");
    if (base == null || query == null) {
      throw new IOException(dir + " has no base.{fvecs,bvecs} and query.{fvecs,bvecs}");
    }
    return new Path[] {base, query, Files.exists(gt) ? gt : null};
  }

  private static Path firstExisting(Path dir, String... names) {
    for (String n : names) {
      Path p = dir.resolve(n);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** Guesses the metric from a data set directory name such as fashion-mnist-784-euclidean. */
  static Metric metricFromName(String dirName) {
    String n = dirName.toLowerCase(Locale.ROOT);
    if (n.contains("cosine") || n.contains("angular")) {
      return Metric.COSINE;
    }
    if (n.contains("dot") || n.contains("ip")) {
      return Metric.DOT;
    }
    return Metric.L2;
  }
}
