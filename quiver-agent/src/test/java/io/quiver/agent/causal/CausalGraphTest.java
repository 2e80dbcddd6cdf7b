package io.quiver.agent.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.Quiver;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalGraphTest extends RandomizedTest {
  @TempDir Path dir;

  private static CausalNode node(Random r, int n) {
    int i = r.nextInt(n);
    return i % 2 == 0 ? CausalNode.event("event " + i) : CausalNode.memory("episode", i);
  }

  @Test
  void queriesHonourCauseAndEffectAndThresholdsInStrengthOrder() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      List<CausalEdge> all = new ArrayList<>();
      for (int i = 0; i < atLeast(200); i++) {
        // a few fixed strengths make ties, which the id breaks
        double uplift = r.nextInt(4) == 0 ? 0.5 : 2 * r.nextDouble() - 1;
        double confidence = r.nextInt(4) == 0 ? 0.8 : r.nextDouble();
        all.add(g.add(node(r, 12), node(r, 12), uplift, confidence, r.nextInt(100)));
      }
      for (int q = 0; q < atLeast(60); q++) {
        CausalNode cause = r.nextBoolean() ? node(r, 12) : null;
        CausalNode effect = r.nextBoolean() ? node(r, 12) : null;
        double minConfidence = r.nextDouble() * 0.9;
        double minUplift = r.nextDouble() * 0.6;
        int limit = 1 + r.nextInt(30);
        List<Long> expected = all.stream()
            .filter(e -> (cause == null || e.cause().equals(cause)) && (effect == null || e.effect().equals(effect))
                && e.confidence() >= minConfidence && Math.abs(e.uplift()) >= minUplift)
            .sorted(CausalGraph.ORDER).limit(limit).map(CausalEdge::id).toList();
        assertThat(g.query(new EdgeQuery(cause, effect, minConfidence, minUplift, limit)))
            .extracting(CausalEdge::id).containsExactlyElementsOf(expected);
      }
    }
  }

  /** Shortest hop count, then best confidence product, by trying every simple path. */
  private static double[] bruteForce(List<CausalEdge> edges, CausalNode at, CausalNode to, int depthLeft,
      List<CausalNode> visited, int hops, double product, double[] best) {
    if (at.equals(to)) {
      if (hops < best[0] || (hops == best[0] && product > best[1])) {
        best[0] = hops;
        best[1] = product;
      }
      return best;
    }
    if (depthLeft == 0) {
      return best;
    }
    for (CausalEdge e : edges) {
      if (e.cause().equals(at) && !visited.contains(e.effect())) {
        visited.add(e.effect());
        bruteForce(edges, e.effect(), to, depthLeft - 1, visited, hops + 1, product * e.confidence(), best);
        visited.remove(visited.size() - 1);
      }
    }
    return best;
  }

  @Test
  void traversalFindsTheShortestMostConfidentChain() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      List<CausalEdge> all = new ArrayList<>();
      int nodes = 10;
      for (int i = 0; i < atLeast(25); i++) {
        CausalNode a = CausalNode.memory("episode", r.nextInt(nodes));
        CausalNode b = CausalNode.memory("episode", r.nextInt(nodes));
        all.add(g.add(a, b, r.nextDouble(), r.nextDouble(), 10));
      }
      for (int q = 0; q < atLeast(40); q++) {
        CausalNode from = CausalNode.memory("episode", r.nextInt(nodes));
        CausalNode to = CausalNode.memory("episode", r.nextInt(nodes));
        if (from.equals(to)) {
          continue;
        }
        int depth = 1 + r.nextInt(5);
        List<CausalNode> visited = new ArrayList<>(List.of(from));
        double[] best = bruteForce(all, from, to, depth, visited, 0, 1, new double[] {Integer.MAX_VALUE, -1});
        CausalChain chain = g.traverse(from, to, depth);
        if (best[0] == Integer.MAX_VALUE) {
          assertThat(chain).isNull();
          continue;
        }
        assertThat(chain.hops()).isEqualTo((int) best[0]);
        assertThat(chain.confidence()).isCloseTo(best[1], within(1e-12));
        assertThat(chain.links().get(0).cause()).isEqualTo(from);
        assertThat(chain.links().get(chain.hops() - 1).effect()).isEqualTo(to);
        for (int i = 1; i < chain.hops(); i++) {
          assertThat(chain.links().get(i).cause()).isEqualTo(chain.links().get(i - 1).effect());
        }
      }
      assertThatThrownBy(() -> g.traverse(CausalNode.memory("episode", 1), CausalNode.memory("episode", 2), 21))
          .hasMessageStartingWith("max_depth:");
    }
  }

  @Test
  void badEdgesAreRejectedAndNothingIsStored() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      CausalNode a = CausalNode.event("a");
      CausalNode b = CausalNode.event("b");
      CausalEdge first = g.add(a, b, 0.3, 0.9, 5);
      assertThatThrownBy(() -> g.add(a, b, 0.3, 1.5, 5)).hasMessageStartingWith("confidence:");
      assertThatThrownBy(() -> g.add(a, b, 0.3, -0.1, 5)).hasMessageStartingWith("confidence:");
      assertThatThrownBy(() -> g.add(a, b, 0.3, Double.NaN, 5)).hasMessageStartingWith("confidence:");
      assertThatThrownBy(() -> g.add(a, b, Double.NaN, 0.5, 5)).hasMessageStartingWith("uplift:");
      assertThatThrownBy(() -> g.add(a, b, 0.3, 0.5, -1)).hasMessageStartingWith("sample_size:");
      assertThatThrownBy(() -> g.add(null, b, 0.3, 0.5, 1)).hasMessageStartingWith("cause:");
      assertThatThrownBy(() -> CausalNode.event(" ")).hasMessageStartingWith("event:");
      assertThat(g.count()).isEqualTo(1);
      assertThat(g.add(b, a, -0.2, 0.5, 0).id()).isEqualTo(first.id() + 1);
    }
  }

  @Test
  void pruneMemoryUpliftEstimatesAndReopen() throws Exception {
    CausalNode m = CausalNode.memory("episode", 7);
    CausalNode x = CausalNode.event("tests pass");
    CausalNode y = CausalNode.event("deploy ok");
    long estimatedId;
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      g.add(m, x, 0.4, 0.5, 10);
      g.add(m, y, -0.2, 0.25, 10);
      g.add(x, y, 0.9, 0.1, 3);
      g.add(CausalNode.memory("skill", 7), y, 5, 1, 3);
      // (0.5·0.4 + 0.25·(−0.2)) / 0.75
      assertThat(g.uplift("episode", 7)).isCloseTo(0.2, within(1e-12));
      assertThat(g.uplift("episode", 8)).isZero();
      assertThat(g.prune(0.2)).isEqualTo(1);
      assertThat(g.count()).isEqualTo(3);
      List<Observation> obs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        obs.add(Observation.success(true, i < 9));
        obs.add(Observation.success(false, i < 3));
      }
      g.record(x, y, obs.subList(0, 10));
      g.record(x, y, obs.subList(10, 20));
      CausalEdge e = g.estimateAndStore(x, y, 0.95);
      assertThat(e.uplift()).isCloseTo(0.6, within(1e-12));
      assertThat(e.ciLow()).isCloseTo(0.17052272393450302, within(1e-9));
      assertThat(e.sampleSize()).isEqualTo(20);
      assertThat(g.estimateAndStore(x, y, 0.95).id()).isEqualTo(e.id());
      estimatedId = e.id();
      assertThat(g.query(new EdgeQuery(x, y, 0.9, 0, 10))).extracting(CausalEdge::id).containsExactly(e.id());
    }
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      assertThat(g.count()).isEqualTo(4);
      assertThat(g.get(estimatedId).ciHigh()).isCloseTo(0.8090179735354881, within(1e-9));
      assertThat(g.observations(x, y)).hasSize(20);
      assertThat(g.uplift("episode", 7)).isCloseTo(0.2, within(1e-12));
      assertThat(g.add(x, m, 0.1, 0.5, 1).id()).isEqualTo(estimatedId + 1);
    }
  }

  @Test
  void discoveryFindsAPrecedingTaskThatRaisesSuccess() throws Exception {
    Random r = random();
    List<EpisodeEvent> eps = new ArrayList<>();
    for (int s = 0; s < 60; s++) {
      boolean setup = s % 2 == 0;
      long ts = 1000L * s;
      if (setup) {
        eps.add(new EpisodeEvent("set up env", true, 1, "s" + s, ts));
      }
      // half of either group's docs reads succeed: no uplift to find there
      eps.add(new EpisodeEvent("read docs", (s / 2) % 2 == 0, 0.5, "s" + s, ts + 1));
      boolean success = setup ? r.nextInt(10) < 9 : r.nextInt(10) < 2;
      eps.add(new EpisodeEvent("run tests", success, success ? 1 : 0, "s" + s, ts + 2));
    }
    eps.add(new EpisodeEvent("no session", true, 1, null, 0));
    try (Quiver db = Quiver.open(dir)) {
      CausalGraph g = CausalGraph.open(db);
      DiscoveryPolicy dry = new DiscoveryPolicy(3, 0.6, 0.7, true);
      List<DiscoveredEdge> found = g.discover(eps, dry);
      assertThat(found).isNotEmpty();
      assertThat(found.get(0).cause()).isEqualTo(CausalNode.event("set up env"));
      assertThat(found.get(0).effect()).isEqualTo(CausalNode.event("run tests"));
      assertThat(found).allMatch(d -> d.edgeId() == null && d.estimate().uplift() > 0
          && d.confidence() <= d.estimate().confidence());
      assertThat(found).noneMatch(d -> d.effect().equals(CausalNode.event("read docs")));
      assertThat(g.count()).isZero();
      List<DiscoveredEdge> stored = g.discover(eps, new DiscoveryPolicy(3, 0.6, 0.7, false));
      assertThat(stored).hasSameSizeAs(found);
      List<DiscoveredEdge> again = g.discover(eps, new DiscoveryPolicy(3, 0.6, 0.7, false));
      assertThat(again).extracting(DiscoveredEdge::edgeId)
          .containsExactlyElementsOf(stored.stream().map(DiscoveredEdge::edgeId).toList());
      assertThat(g.count()).isEqualTo(stored.size());
    }
  }
}
