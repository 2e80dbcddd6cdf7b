package io.quiver.cli.bench.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.index.flat.FlatIndex;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthTest {
  private static final long SEED = Long.getLong("tests.seed", new Random().nextLong());

  @TempDir
  Path dir;

  /** The blocked scan of the mapped file finds what FlatIndex finds (blocks of 8,192 at 64 dims: several here). */
  @ParameterizedTest
  @EnumSource(Metric.class)
  void blockedScanMatchesFlatIndex(Metric metric) throws Exception {
    System.out.printf("GroundTruthTest seed %d (-Dtests.seed=%d)%n", SEED, SEED);
    SyntheticClusters gen = new SyntheticClusters(20_000, 64, SEED);
    float[][] base = gen.base(0, 20_000);
    float[][] queries = gen.queries(40);
    Path file = dir.resolve("base.fvecs");
    Texmex.writeFvecs(file, base);
    int[][] truth;
    try (FvecsFile f = FvecsFile.open(file)) {
      assertThat(f.size()).isEqualTo(20_000);
      assertThat(f.dimension()).isEqualTo(64);
      truth = GroundTruth.compute(f, queries, metric, 20, 2, BuildProgress.NONE);
    }
    try (FlatIndex flat = new FlatIndex(64, metric)) {
      flat.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
      SearchResult[] expected = flat.searchBatch(queries, 20, null, 2);
      for (int i = 0; i < queries.length; i++) {
        // the same rows, in an order of non-decreasing distance: equal distances (ties) may come in either order
        assertThat(truth[i]).as("query %d", i).containsExactlyInAnyOrder(expected[i].ordinals());
        Map<Integer, Float> distance = new HashMap<>();
        for (int j = 0; j < expected[i].ordinals().length; j++) {
          distance.put(expected[i].ordinals()[j], expected[i].distances()[j]);
        }
        for (int j = 1; j < truth[i].length; j++) {
          assertThat(distance.get(truth[i][j])).as("query %d rank %d", i, j)
              .isGreaterThanOrEqualTo(distance.get(truth[i][j - 1]));
        }
      }
    }
  }

  /** With a filter: FlatIndex's filtered answers, rows padded with -1 where fewer than k rows match. */
  @Test
  void filteredScanMatchesFlatIndexAndPadsShortRows() throws Exception {
    System.out.printf("GroundTruthTest seed %d (-Dtests.seed=%d)%n", SEED, SEED);
    SyntheticClusters gen = new SyntheticClusters(5_000, 16, SEED);
    float[][] base = gen.base(0, 5_000);
    float[][] queries = gen.queries(20);
    Path file = dir.resolve("base.fvecs");
    Texmex.writeFvecs(file, base);
    try (FvecsFile f = FvecsFile.open(file); FlatIndex flat = new FlatIndex(16, Metric.L2)) {
      flat.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
      for (double s : new double[] {0.001, 0.05}) {
        RowFilter filter = FilterLabels.level(SEED, s, base.length);
        if (s < 0.01) {
          assertThat(filter.count()).as("some rows padded").isLessThan(20);
        }
        int[][] truth = GroundTruth.compute(f, queries, Metric.L2, 20, filter, 2, BuildProgress.NONE);
        SearchResult[] expected = flat.searchBatch(queries, 20, filter.bits(), 2);
        for (int i = 0; i < queries.length; i++) {
          int found = expected[i].size();
          assertThat(found).isEqualTo(Math.min(20, filter.count()));
          assertThat(truth[i]).hasSize(20);
          assertThat(Arrays.copyOf(truth[i], found)).as("query %d at %s", i, s).containsExactly(expected[i].ordinals());
          assertThat(Arrays.stream(truth[i], found, 20).allMatch(o -> o == -1)).isTrue();
        }
      }
    }
  }
}
