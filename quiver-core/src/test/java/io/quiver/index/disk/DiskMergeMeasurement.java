package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.testing.TestVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures (does not assert) a merge of a tenth in and a tenth out of a disk index against a full rebuild of the same
 * points with the same config and threads, in one run: seconds of each (and of the merge's phases), bytes of the base
 * the merge read, and recall@10 and blocks read per query of both at several list sizes. Run by hand with:
 * {@code ./mvnw -B -ntp -o test -pl quiver-core -Dtest=DiskMergeMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dquiver.measure=true -Dquiver.n=200000 -Dquiver.dim=128 -Dquiver.threads=2 -Dquiver.graph=HNSW}
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class DiskMergeMeasurement {
  @TempDir Path dir;

  @Test
  void measure() throws Exception {
    int n = Integer.getInteger("quiver.n", 200_000);
    int dim = Integer.getInteger("quiver.dim", 128);
    int threads = Integer.getInteger("quiver.threads", 2);
    long seed = Long.getLong("quiver.seed", 42L);
    int queryCount = Integer.getInteger("quiver.queries", 1000);
    Metric metric = Metric.parse(System.getProperty("quiver.metric", "l2"));
    DiskIndexConfig.GraphKind kind = DiskIndexConfig.GraphKind.valueOf(System.getProperty("quiver.graph", "HNSW"));
    int[] lists = Arrays.stream(System.getProperty("quiver.lists", "32,64,100,150").split(","))
        .mapToInt(Integer::parseInt).toArray();
    DiskIndexConfig config = DiskIndexConfig.builder().graph(kind).threads(threads).seed(seed).build();

    Random rnd = new Random(seed);
    VamanaBuildMeasurement.SubspaceMixture data = new VamanaBuildMeasurement.SubspaceMixture(rnd, dim,
        Math.max(10, n / 2000));
    float[][] base = data.points(rnd, n);
    float[][] added = data.points(rnd, n / 10);
    float[][] queries = data.queries(rnd, queryCount);
    BitSet dropped = new BitSet(n);
    while (dropped.cardinality() < n / 10) {
      dropped.set(rnd.nextInt(n));
    }
    float[][] all = new float[n - dropped.cardinality() + added.length][];
    int next = 0;
    for (int o = 0; o < n; o++) {
      if (!dropped.get(o)) {
        all[next++] = base[o];
      }
    }
    System.arraycopy(added, 0, all, next, added.length);
    int[][] truth = VamanaBuildMeasurement.groundTruth(all, queries, metric, threads);
    System.out.printf(Locale.ROOT, "n %d (+%d, -%d), dim %d, %s, %s, threads %d, R %d, L %d, alpha %.2f, seed %d%n",
        n, added.length, dropped.cardinality(), dim, metric, kind, threads, config.maxDegree(),
        config.buildListSize(), config.alpha(), seed);

    Path baseFile = dir.resolve("base" + DiskIndex.EXTENSION);
    long b0 = System.nanoTime();
    DiskIndex.build(VectorSource.of(base), metric, config, baseFile, BuildProgress.NONE);
    System.out.printf(Locale.ROOT, "base build %.1f s%n", (System.nanoTime() - b0) / 1e9);

    Path mergedFile = dir.resolve("merged" + DiskIndex.EXTENSION);
    DiskMergeResult merge;
    long m0 = System.nanoTime();
    try (DiskIndex index = DiskIndex.open(baseFile)) {
      merge = DiskIndexMerger.merge(index, o -> !dropped.get(o), VectorSource.of(added), config, mergedFile,
          BuildProgress.NONE);
    }
    double mergeSeconds = (System.nanoTime() - m0) / 1e9;
    System.out.printf(Locale.ROOT, "merge %.1f s (load %.1f, delete phase %.1f, insert phase %.1f, final prune %.1f, "
        + "write %.1f); %d nodes repaired; %.1f MB of the base read (file %.1f MB)%n", mergeSeconds,
        merge.loadNanos() / 1e9, merge.repairNanos() / 1e9, merge.insertNanos() / 1e9, merge.finishNanos() / 1e9,
        merge.writeNanos() / 1e9, merge.repaired(),
        merge.baseBytesRead() / 1e6, Files.size(baseFile) / 1e6);

    Path rebuiltFile = dir.resolve("rebuilt" + DiskIndex.EXTENSION);
    long r0 = System.nanoTime();
    DiskIndex.build(VectorSource.of(all), metric, config, rebuiltFile, BuildProgress.NONE);
    double rebuildSeconds = (System.nanoTime() - r0) / 1e9;
    System.out.printf(Locale.ROOT, "rebuild %.1f s; merge / rebuild %.2f%n", rebuildSeconds,
        mergeSeconds / rebuildSeconds);

    try (DiskIndex merged = DiskIndex.open(mergedFile); DiskIndex rebuilt = DiskIndex.open(rebuiltFile)) {
      for (int l : lists) {
        report("merged ", merged, queries, truth, l);
        report("rebuilt", rebuilt, queries, truth, l);
      }
    }
  }

  private static void report(String name, DiskIndex index, float[][] queries, int[][] truth, int listSize) {
    DiskSearchParams params = new DiskSearchParams(listSize, 4, 10);
    long reads0 = index.blocksRead();
    double recall = 0;
    for (int q = 0; q < queries.length; q++) {
      recall += TestVectors.recall(index.search(queries[q], 10, params, null).ordinals(), truth[q]);
    }
    System.out.printf(Locale.ROOT, "%s L %3d: recall@10 %.4f, %.1f blocks read per query%n", name, listSize,
        recall / queries.length, (index.blocksRead() - reads0) / (double) queries.length);
  }
}
