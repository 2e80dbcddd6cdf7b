package io.quiver.cli.bench.disk;

import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a bench-disk run measures on: the base file (only builds read it), the queries and their exact neighbours in
 * memory. Generated data and computed ground truth are cached under the run's directory, so a second run (or the
 * search phase after a separate build phase) reuses them; {@code cacheDir} holds the filtered ground truths.
 */
record BenchData(Path baseFile, Path queryFile, Path groundTruthFile, Path cacheDir, Metric metric, int n, int dim,
    float[][] queries, int[][] groundTruth) {

  /** Neighbours kept per query in computed ground truth files. */
  static final int GROUND_TRUTH_DEPTH = 100;

  /** Generated data: base, queries and ground truth under {@code dir/data/}, generated only when absent. */
  static BenchData synthetic(Path dir, int n, int dim, Metric metric, long seed, int queryCount, int k,
      PrintStream log) throws IOException, InterruptedException {
    Path data = dir.resolve("data").resolve(String.format(Locale.ROOT, "%s-n%d-d%d-q%d-s%d", SyntheticClusters.VERSION,
        n, dim, queryCount, seed));
    Files.createDirectories(data);
    Path base = data.resolve("base.fvecs");
    Path query = data.resolve("query.fvecs");
    if (!Files.exists(base) || !Files.exists(query)) {
      writeSynthetic(new SyntheticClusters(n, dim, seed), n, queryCount, base, query, log);
    } else {
      log.printf("reusing generated data in %s%n", data);
    }
    return withGroundTruth(base, query, null, data, dir.resolve("data"), metric, queryCount, k, log);
  }

  /** Data from files; without {@code groundTruth} it is computed once and cached in {@code dir/data/}. */
  static BenchData files(Path dir, Path base, Path query, Path groundTruth, Metric metric, int queryLimit, int k,
      PrintStream log) throws IOException, InterruptedException {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    return withGroundTruth(base, query, groundTruth, data, data, metric, queryLimit, k, log);
  }

  /** {@code filterCacheDir} is {@code DIR/data} whichever way the data came, so a capped child finds the cache. */
  private static BenchData withGroundTruth(Path base, Path query, Path groundTruth, Path cacheDir,
      Path filterCacheDir, Metric metric, int queryLimit, int k, PrintStream log)
      throws IOException, InterruptedException {
    float[][] queries = Texmex.readVectors(query, -1);
    int n;
    int dim;
    try (FvecsFile b = FvecsFile.open(base)) {
      n = b.size();
      dim = b.dimension();
      if (queries.length == 0 || queries[0].length != dim) {
        throw new IllegalArgumentException(query + ": " + (queries.length == 0 ? "no queries"
            : "queries have " + queries[0].length + " dimensions, the base " + dim));
      }
      if (groundTruth == null) {
        String name = String.format(Locale.ROOT, "groundtruth-%s-%s-%s.ivecs", metric.name().toLowerCase(Locale.ROOT),
            stem(base), stem(query));
        groundTruth = cacheDir.resolve(name);
        if (!Files.exists(groundTruth)) {
          log.printf(Locale.ROOT, "computing exact top-%d of %,d queries over %,d vectors...%n", GROUND_TRUTH_DEPTH,
              queries.length, n);
          long t0 = System.nanoTime();
          int[][] gt = GroundTruth.compute(b, queries, metric, GROUND_TRUTH_DEPTH,
              Runtime.getRuntime().availableProcessors(), (done, total) -> {});
          try (FvecsWriter w = new FvecsWriter(groundTruth)) {
            for (int[] row : gt) {
              w.write(row);
            }
            w.commit();
          }
          log.printf(Locale.ROOT, "ground truth in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, groundTruth);
        }
      }
    }
    int[][] gt = Texmex.readIvecs(groundTruth, -1);
    if (queryLimit > 0 && queryLimit < queries.length) {
      queries = Arrays.copyOf(queries, queryLimit);
    }
    if (gt.length < queries.length) {
      throw new IllegalArgumentException(groundTruth + " has " + gt.length + " rows for " + queries.length
          + " queries");
    }
    if (gt[0].length < k) {
      throw new IllegalArgumentException(groundTruth + " has " + gt[0].length + " neighbours a row; k is " + k);
    }
    return new BenchData(base, query, groundTruth, filterCacheDir, metric, n, dim, queries,
        Arrays.copyOf(gt, queries.length));
  }

  /**
   * The exact neighbours of the queries among the rows {@code filter} accepts, {@code max(k, 100)} a row padded with
   * -1 where fewer match: computed once and cached in the data directory under the filter's level and seed.
   */
  int[][] filteredGroundTruth(RowFilter filter, long seed, int k, PrintStream log)
      throws IOException, InterruptedException {
    int depth = Math.max(k, GROUND_TRUTH_DEPTH);
    Path file = cacheDir.resolve(String.format(Locale.ROOT, "groundtruth-%s-%s-%s-q%d-filter%s-seed%d-k%d.ivecs",
        metric.name().toLowerCase(Locale.ROOT), qualifiedStem(baseFile), qualifiedStem(queryFile), queries.length,
        Double.toString(filter.selectivity()), seed, depth));
    if (!Files.exists(file)) {
      log.printf(Locale.ROOT, "computing exact filtered top-%d of %,d queries over the %,d rows at level %s...%n",
          depth, queries.length, filter.count(), filter.selectivity());
      long t0 = System.nanoTime();
      int[][] gt;
      try (FvecsFile b = FvecsFile.open(baseFile)) {
        gt = GroundTruth.compute(b, queries, metric, depth, filter, Runtime.getRuntime().availableProcessors(),
            (done, total) -> {});
      }
      try (FvecsWriter w = new FvecsWriter(file)) {
        for (int[] row : gt) {
          w.write(row);
        }
        w.commit();
      }
      log.printf(Locale.ROOT, "filtered ground truth in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, file);
    }
    int[][] gt = Texmex.readIvecs(file, -1);
    if (gt.length != queries.length) {
      throw new IllegalStateException(file + " has " + gt.length + " rows for " + queries.length + " queries");
    }
    return gt;
  }

  private static void writeSynthetic(SyntheticClusters gen, int n, int queryCount, Path base, Path query,
      PrintStream log) throws IOException {
    log.printf(Locale.ROOT, "generating %,d x %d synthetic vectors (%d clusters) and %,d queries...%n", n,
        gen.dimension(), gen.clusters(), queryCount);
    long t0 = System.nanoTime();
    int block = Math.max(SyntheticClusters.CHUNK, (1 << 24) / gen.dimension() / SyntheticClusters.CHUNK
        * SyntheticClusters.CHUNK);
    try (FvecsWriter w = new FvecsWriter(base)) {
      for (int from = 0; from < n; from += block) {
        for (float[] v : gen.base(from, Math.min(n, from + block))) {
          w.write(v);
        }
      }
      w.commit();
    }
    try (FvecsWriter w = new FvecsWriter(query)) {
      for (float[] v : gen.queries(queryCount)) {
        w.write(v);
      }
      w.commit();
    }
    log.printf(Locale.ROOT, "generated in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, base.getParent());
  }

  /** The file's folder and stem: generated data sets all name their files base and query. */
  private static String qualifiedStem(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "-") + stem(file);
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
