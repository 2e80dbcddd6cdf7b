package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Metric;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link HnswIndex#connectLevel0}: every live node reachable on level 0 afterwards, and then found by a search. */
class HnswConnectivityTest extends RandomizedTest {

  /**
   * Clustered points with many exact duplicates and a small m: pruning strands some nodes (a duplicate's in-links are
   * pruned in favour of its twins). The repair must reach all of them, and each must then be its own nearest hit.
   */
  @Test
  void strandedNodesAreLinkedBackAndThenFound() {
    Random rnd = random();
    int dim = 8;
    Metric metric = new Metric[] {Metric.L2, Metric.COSINE, Metric.DOT}[rnd.nextInt(3)];
    int n = atLeast(3000);
    float[][] base = TestVectors.clustered(rnd, n / 2, dim, 20);
    float[][] v = new float[n][];
    for (int i = 0; i < n; i++) { // half the points again, at random positions: exact duplicates
      v[i] = i < base.length ? base[i] : base[rnd.nextInt(base.length)].clone();
    }
    HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(3 + rnd.nextInt(3)).efConstruction(24).build());
    for (int i = 0; i < n; i++) {
      index.add(i, v[i]);
    }
    for (int i = 0; i < n / 50; i++) { // deleted nodes do not count, wherever they are
      index.delete(rnd.nextInt(n));
    }
    // and strand some more for certain: with these settings pruning alone strands 0 to 8 in 3,000
    int entry = index.entryPoint().node();
    java.util.Set<Integer> stranded = new java.util.TreeSet<>();
    for (int i = 0; i < 1 + n / 200; i++) {
      int node = rnd.nextInt(n);
      if (node != entry && index.contains(node)) {
        index.unlinkOnLevel0(node);
        stranded.add(node);
      }
    }
    int[] before = index.unreachableOnLevel0();
    assertThat(before).as("unlinked nodes are unreachable").contains(stranded.stream().mapToInt(i -> i).toArray());
    int changed = index.connectLevel0();
    int[] after = index.unreachableOnLevel0();
    System.out.printf("seed %s, %s, n %d: %d unreachable before, %d links changed, %d after%n", masterSeedHex(),
        metric, n, before.length, changed, after.length);
    assertThat(after).isEmpty();
    assertThat(changed).isGreaterThanOrEqualTo(before.length > 0 ? 1 : 0);
    if (metric == Metric.DOT) {
      return; // under an inner product a point need not be its own nearest: the self-search check below needs a metric
    }
    // every node that was stranded is now found by a search for its own vector (its twins may tie with it)
    int found = 0;
    for (int node : before) {
      if (!index.contains(node)) {
        continue;
      }
      SearchResult r = index.search(v[node], 10, SearchParams.ef(200), null);
      for (int o : r.ordinals()) {
        if (o == node) {
          found++;
          break;
        }
      }
    }
    long live = java.util.Arrays.stream(before).filter(index::contains).count();
    assertThat((double) found).as("stranded nodes found after the repair").isGreaterThanOrEqualTo(0.9 * live);
  }

  @Test
  void aConnectedGraphIsLeftAlone() {
    Random rnd = random();
    float[][] v = TestVectors.clustered(rnd, 500, 8, 4);
    HnswIndex index = new HnswIndex(8, Metric.L2, HnswConfig.builder().m(16).efConstruction(100).build());
    for (int i = 0; i < v.length; i++) {
      index.add(i, v[i]);
    }
    if (index.unreachableOnLevel0().length == 0) {
      assertThat(index.connectLevel0()).isZero();
    }
    assertThat(index.unreachableOnLevel0()).isEmpty();
  }
}
