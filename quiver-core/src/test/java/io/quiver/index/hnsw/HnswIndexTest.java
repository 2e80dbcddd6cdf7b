package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexTestCase;
import io.quiver.index.VectorSource;
import io.quiver.testing.TestVectors;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HnswIndexTest extends VectorIndexTestCase {

  @Override
  protected VectorIndex newIndex(int dimension, Metric metric) {
    return new HnswIndex(dimension, metric, HnswConfig.builder().m(16).efConstruction(100).seed(random().nextLong()).build());
  }

  @Override
  protected double minRecall() {
    return 0.95;
  }

  @Override
  protected SearchParams searchParams() {
    return SearchParams.ef(150);
  }

  @Override
  protected SearchParams searchParamsFor(int n) {
    return SearchParams.ef(Math.max(150, n / 12));
  }

  @Override
  protected SearchParams searchParamsFor(int n, Metric metric) {
    // inner product is not a metric; even with the Euclidean build space its recall at equal ef is lower
    int ef = searchParamsFor(n).ef();
    return SearchParams.ef(metric == Metric.DOT ? 2 * ef : ef);
  }

  /**
   * Queries between the clusters, over 150 seeds per metric (m 16, efConstruction 100, 2,000-2,500 points): at ef 150
   * recall went as low as 0.895, and FAISS's HNSW with the same m and efConstruction as low as 0.905 on the 60 seeds
   * it ran; at ef 300 the lowest was 0.960. So these queries are checked at twice the ef, against a lower bar.
   */
  @Override
  protected double minRecallAwayFromData() {
    return 0.93;
  }

  @Override
  protected SearchParams searchParamsAwayFromData(int n, Metric metric) {
    return SearchParams.ef(2 * searchParamsFor(n, metric).ef());
  }

  @Test
  void heavyDeletesWithConsolidationKeepRecall() {
    Random rnd = random();
    int dim = 24;
    float[][] centres = TestVectors.centres(rnd, 20, dim);
    float[][] base = TestVectors.around(rnd, centres, atLeast(3000));
    HnswIndex index = (HnswIndex) build(base, Metric.L2);
    BitSet deleted = new BitSet();
    for (int i = 0; i < base.length; i++) {
      if (rnd.nextInt(100) < 70) {
        index.delete(i);
        deleted.set(i);
      }
    }
    int rewritten = index.consolidateDeletes();
    assertThat(rewritten).isPositive();
    float[][] queries = TestVectors.around(rnd, centres, 40);
    // 70% of the graph relinked around: measured 0.94-0.99 over seeds (with queries drawn between the clusters, a
    // harder case than these), so the bar sits a little under minRecall
    assertThat(meanRecall(index, base, queries, 10, Metric.L2, null)).isGreaterThanOrEqualTo(minRecall() - 0.03);
    // no live node links to a deleted one any more
    int[] nbrs = new int[64];
    for (int node = 0; node < base.length; node++) {
      if (deleted.get(node)) {
        continue;
      }
      for (int l = 0; l <= index.levelOf(node); l++) {
        int n = index.neighbors(node, l, nbrs);
        for (int i = 0; i < n; i++) {
          assertThat(deleted.get(nbrs[i])).as("node %d level %d links to deleted %d", node, l, nbrs[i]).isFalse();
        }
      }
    }
    if (writable()) { // inserts keep working after consolidation
      float[] extra = TestVectors.randomVector(rnd, dim);
      index.add(base.length, extra);
      assertThat(index.search(extra, 1, SearchParams.ef(50), null).ordinals()).containsExactly(base.length);
    }
  }

  @Test
  void deletingEveryPointThenConsolidatingLeavesAnEmptyButUsableIndex() {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, 300, 8, 3);
    HnswIndex index = (HnswIndex) build(base, Metric.COSINE);
    for (int i = 0; i < base.length; i++) {
      index.delete(i);
    }
    index.consolidateDeletes();
    assertThat(index.search(base[0], 5).size()).isZero();
    if (writable()) {
      index.add(1000, base[0]);
      assertThat(index.search(base[0], 5).ordinals()).containsExactly(1000);
    }
  }

  @Test
  void levelsFollowTheExponentialDistributionAndDegreesAreBounded() {
    assumeTrue(writable(), "builds its own index");
    Random rnd = random();
    int m = 8;
    float[][] base = TestVectors.clustered(rnd, 4000, 8, 10);
    HnswIndex index = new HnswIndex(8, Metric.L2, HnswConfig.builder().m(m).efConstruction(60).build());
    index.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
    int above0 = 0;
    int[] nbrs = new int[2 * m];
    for (int node = 0; node < base.length; node++) {
      int top = index.levelOf(node);
      if (top > 0) {
        above0++;
      }
      for (int l = 0; l <= top; l++) {
        int n = index.neighbors(node, l, nbrs);
        assertThat(n).isLessThanOrEqualTo(l == 0 ? 2 * m : m);
        if (base.length > 1) {
          assertThat(n).as("node %d level %d has no neighbours", node, l).isPositive();
        }
      }
    }
    // P(level > 0) = 1/m: expect 500 of 4000, allow a wide margin
    assertThat(above0).isBetween(350, 650);
  }

  @Test
  void memoryStaysWithinTheBudgetPerVector() {
    assumeTrue(writable(), "builds its own index");
    Random rnd = random();
    int n = 20_000;
    int dim = 32;
    int m = 16;
    float[][] base = TestVectors.clustered(rnd, n, dim, 10);
    HnswIndex index = new HnswIndex(dim, Metric.L2, HnswConfig.builder().m(m).efConstruction(40).build());
    index.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
    // raw vectors + 1.2 x (M * 2 * 4) bytes per vector + small fixed overhead (page slack of the last page)
    long budget = (long) n * dim * 4 + (long) (n * 1.2 * m * 2 * 4) + (1 << 23);
    assertThat(index.ramBytesUsed()).isLessThanOrEqualTo(budget);
  }

  @Test
  void visitLimitStopsTheWalkAndSaysSo() {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, 3000, 16, 10);
    try (VectorIndex index = build(base, Metric.L2)) {
      float[] q = TestVectors.randomVector(rnd, 16);
      SearchResult free = index.search(q, 10, SearchParams.ef(100), null);
      assertThat(free.complete()).isTrue();
      long limit = free.distanceComputations() / 4;
      SearchResult limited = index.search(q, 10, SearchParams.ef(100).withVisitLimit(limit), null);
      assertThat(limited.complete()).isFalse();
      // the walk stops after the expansion that crossed the limit: at most one more neighbour list
      assertThat(limited.distanceComputations()).isLessThan(free.distanceComputations())
          .isLessThanOrEqualTo(limit + 1 + 2L * HnswConfig.DEFAULT.m() + 64);
    }
  }
}
