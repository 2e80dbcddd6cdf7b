package io.quiver.index.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link VamanaGraph}: recall of a greedy search against exact, the graph's shape, reproducibility, bad arguments. */
class VamanaGraphTest extends RandomizedTest {

  @Test
  void greedySearchAtL64FindsTheExactTop10() {
    Random rnd = random();
    Metric metric = new Metric[] {Metric.L2, Metric.COSINE, Metric.DOT}[rnd.nextInt(3)];
    int dim = 16 + rnd.nextInt(17);
    int n = atLeast(3000);
    int threads = 1 + rnd.nextInt(2);
    float[][] centres = TestVectors.centres(rnd, 20, dim);
    float[][] base = TestVectors.around(rnd, centres, n);
    float[][] queries = TestVectors.around(rnd, centres, 100);
    AtomicLong lastDone = new AtomicLong();
    VamanaGraph graph = VamanaGraph.build(VectorSource.of(base), metric, 32, 64, 1.2f, threads, rnd.nextLong(),
        (done, total) -> lastDone.accumulateAndGet(done, Math::max));
    GraphSourceSearcher searcher = new GraphSourceSearcher(graph, VectorSource.of(base), metric);
    double recall = 0;
    long expanded = 0;
    for (float[] q : queries) {
      GraphSourceSearcher.Result r = searcher.search(q, 10, 64);
      recall += TestVectors.recall(r.nodes(), TestVectors.exactTopK(metric, base, q, 10, i -> true));
      expanded += r.expanded();
    }
    recall /= queries.length;
    System.out.printf("seed %s, %s, n %d, dim %d, threads %d: recall@10 %.4f at L 64, %.1f expanded per query%n",
        masterSeedHex(), metric, n, dim, threads, recall, expanded / (double) queries.length);
    assertThat(recall).isGreaterThanOrEqualTo(0.95);
    assertThat(lastDone.get()).as("progress reaches 2 n").isEqualTo(2L * n);
  }

  @Test
  void degreesAreBoundedWithoutSelfLoopsOrDuplicatesAndAllNodesAreReachable() {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    int n = atLeast(2000);
    int maxDegree = 4 + rnd.nextInt(13);
    float[][] base = TestVectors.clustered(rnd, n, 8, 10);
    float alpha = 1f + rnd.nextFloat();
    VamanaGraph graph = VamanaGraph.build(VectorSource.of(base), metric, maxDegree, 24 + rnd.nextInt(40), alpha, 2,
        rnd.nextLong(), BuildProgress.NONE);
    assertThat(graph.size()).isEqualTo(n);
    assertThat(graph.maxDegree()).isEqualTo(maxDegree);
    assertWellFormed(graph);
    int reached = reachable(graph);
    System.out.printf("seed %s, %s, n %d, R %d, alpha %.2f: %d reachable%n", masterSeedHex(), metric, n, maxDegree,
        alpha, reached);
    assertThat(reached).as("nodes reachable from the medoid").isEqualTo(n);
  }

  @Test
  void oneThreadBuildsTheSameGraphTwiceForASeed() {
    Random rnd = random();
    Metric metric = new Metric[] {Metric.L2, Metric.COSINE, Metric.DOT, Metric.L1}[rnd.nextInt(4)];
    float[][] base = TestVectors.clustered(rnd, atLeast(1500), 12, 8);
    long seed = rnd.nextLong();
    VamanaGraph a = VamanaGraph.build(VectorSource.of(base), metric, 12, 40, 1.2f, 1, seed, BuildProgress.NONE);
    VamanaGraph b = VamanaGraph.build(VectorSource.of(base), metric, 12, 40, 1.2f, 1, seed, BuildProgress.NONE);
    VamanaGraph other = VamanaGraph.build(VectorSource.of(base), metric, 12, 40, 1.2f, 1, seed + 1,
        BuildProgress.NONE);
    System.out.printf("seed %s, %s, build seed %d%n", masterSeedHex(), metric, seed);
    assertThat(b.entryNode()).isEqualTo(a.entryNode());
    assertThat(adjacencyOf(b)).isEqualTo(adjacencyOf(a));
    assertThat(adjacencyOf(other)).as("another seed builds another graph").isNotEqualTo(adjacencyOf(a));
  }

  @Test
  void theEntryIsTheNodeNearestTheMean() {
    Random rnd = random();
    int n = atLeast(500);
    int dim = 6;
    float[][] base = TestVectors.clustered(rnd, n, dim, 5);
    VamanaGraph graph = VamanaGraph.build(VectorSource.of(base), Metric.L2, 8, 16, 1.2f, 2, rnd.nextLong(),
        BuildProgress.NONE);
    float[] mean = new float[dim];
    for (float[] v : base) {
      for (int d = 0; d < dim; d++) {
        mean[d] += v[d] / n;
      }
    }
    int nearest = TestVectors.exactTopK(Metric.L2, base, mean, 1, i -> true)[0];
    double best = TestVectors.distance(Metric.L2, base[nearest], mean);
    double entry = TestVectors.distance(Metric.L2, base[graph.entryNode()], mean);
    System.out.printf("seed %s: entry %d, exact %d%n", masterSeedHex(), graph.entryNode(), nearest);
    assertThat(entry).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-4 * (1 + best)));
  }

  @Test
  void tinySourcesBuildCompleteSmallGraphs() {
    Random rnd = random();
    for (int n = 1; n <= 6; n++) {
      float[][] base = TestVectors.clustered(rnd, n, 4, 2);
      VamanaGraph graph = VamanaGraph.build(VectorSource.of(base), Metric.L2, 8, 10, 1.2f, 1 + rnd.nextInt(2),
          rnd.nextLong(), BuildProgress.NONE);
      assertWellFormed(graph);
      assertThat(reachable(graph)).as("n %d", n).isEqualTo(n);
    }
  }

  @Test
  void aVamanaGraphHasOnlyTheBottomLayer() {
    float[][] base = TestVectors.clustered(random(), 100, 4, 3);
    VamanaGraph graph = VamanaGraph.build(VectorSource.of(base), Metric.L2, 8, 16, 1.2f, 1, 1, BuildProgress.NONE);
    assertThat(graph.routingLayers()).isZero();
    assertThatThrownBy(() -> graph.nodesOn(1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no routing layers");
    assertThatThrownBy(() -> graph.neighbours(1, 0, new int[8])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only layer 0");
    assertThatThrownBy(() -> graph.neighbours(0, 100, new int[8])).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void badArgumentsAreRejected() {
    VectorSource ok = VectorSource.of(TestVectors.clustered(random(), 50, 4, 2));
    BuildProgress none = BuildProgress.NONE;
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 1, 16, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDegree must be in [2, 512], got 1");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 513, 16, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDegree");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 8, 0, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listSize must be >= 1, got 0");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 8, 16, 0.9f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha must be in [1, 2], got 0.9");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 8, 16, Float.NaN, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 8, 16, 1.2f, 0, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads must be >= 1, got 0");
    assertThatThrownBy(() -> VamanaGraph.build(VectorSource.of(new float[0][]), Metric.L2, 8, 16, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no vectors");
    assertThatThrownBy(() -> VamanaGraph.build(null, Metric.L2, 8, 16, 1.2f, 1, 1, none))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("vectors");
    assertThatThrownBy(() -> VamanaGraph.build(ok, null, 8, 16, 1.2f, 1, 1, none))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("metric");
    assertThatThrownBy(() -> VamanaGraph.build(ok, Metric.L2, 8, 16, 1.2f, 1, 1, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("progress");
    float[][] ragged = {{1, 2, 3, 4}, {1, 2, 3}};
    assertThatThrownBy(() -> VamanaGraph.build(VectorSource.of(ragged), Metric.L2, 8, 16, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector 1 has length 3, expected");
    float[][] nan = {{1, 2}, {Float.NaN, 0}};
    assertThatThrownBy(() -> VamanaGraph.build(VectorSource.of(nan), Metric.L2, 8, 16, 1.2f, 1, 1, none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector 1 has a non-finite component");
  }

  private static void assertWellFormed(VamanaGraph graph) {
    int[] out = new int[graph.maxDegree()];
    for (int node = 0; node < graph.size(); node++) {
      int count = graph.neighbours(0, node, out);
      assertThat(count).as("degree of %d", node).isBetween(0, graph.maxDegree());
      Set<Integer> distinct = new HashSet<>();
      for (int i = 0; i < count; i++) {
        assertThat(out[i]).as("neighbour of %d", node).isNotEqualTo(node).isBetween(0, graph.size() - 1);
        assertThat(distinct.add(out[i])).as("%d listed twice by %d", out[i], node).isTrue();
      }
    }
  }

  /** Nodes a breadth-first walk from the entry reaches. */
  private static int reachable(DiskGraphSource graph) {
    boolean[] seen = new boolean[graph.size()];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(graph.entryNode());
    seen[graph.entryNode()] = true;
    int reached = 1;
    int[] out = new int[graph.maxDegree()];
    while (!queue.isEmpty()) {
      int count = graph.neighbours(0, queue.poll(), out);
      for (int i = 0; i < count; i++) {
        if (!seen[out[i]]) {
          seen[out[i]] = true;
          reached++;
          queue.add(out[i]);
        }
      }
    }
    return reached;
  }

  private static int[][] adjacencyOf(DiskGraphSource graph) {
    int[][] lists = new int[graph.size()][];
    int[] out = new int[graph.maxDegree()];
    for (int node = 0; node < graph.size(); node++) {
      lists[node] = java.util.Arrays.copyOf(out, graph.neighbours(0, node, out));
    }
    return lists;
  }
}
