package io.quiver.agent.mcp.tools;

import static io.quiver.agent.mcp.tools.ToolHarness.structured;
import static io.quiver.agent.mcp.tools.ToolHarness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.agent.causal.CausalNode;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalToolsTest extends RandomizedTest {
  @TempDir Path dir;

  private record Edge(long id, String cause, String effect, double uplift, double confidence) {
    double strength() {
      return Math.abs(uplift) * confidence;
    }
  }

  @Test
  void edgesAreQueriedByCauseAndEffectStrongestFirstAndBadConfidenceStoresNothing() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      String[] causes = {"add tests", "pin versions"};
      String[] effects = {"fewer bugs", "faster builds", "green ci"};
      List<Edge> edges = new ArrayList<>();
      int n = atLeast(12);
      for (int i = 0; i < n; i++) {
        String cause = causes[random().nextInt(causes.length)];
        String effect = effects[random().nextInt(effects.length)];
        double uplift = (random().nextInt(201) - 100) / 100.0;
        double confidence = random().nextInt(101) / 100.0;
        JsonNode r = h.ok("causal_add_edge", String.format(Locale.ROOT, "{\"cause\":\"%s\",\"effect\":\"%s\","
            + "\"uplift\":%s,\"confidence\":%s,\"sample_size\":%d}", cause, effect, uplift, confidence, i + 1));
        edges.add(new Edge(structured(r).get("id").asLong(), cause, effect, uplift, confidence));
      }
      assertThat(h.error("causal_add_edge", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1,\"confidence\":1.5}"))
          .contains("confidence");
      assertThat(h.error("causal_add_edge", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1,\"confidence\":-0.1}"))
          .contains("confidence");
      assertThat(h.memory().causal().count()).as("refused edges are not stored").isEqualTo(n);

      Comparator<Edge> order = Comparator.comparingDouble((Edge e) -> -e.strength()).thenComparingLong(Edge::id);
      String cause = causes[random().nextInt(causes.length)];
      String effect = effects[random().nextInt(effects.length)];
      double minConfidence = random().nextInt(60) / 100.0;
      assertThat(edgeIds(h.ok("causal_query", "{\"cause\":\"" + cause + "\",\"min_confidence\":" + minConfidence
          + ",\"limit\":100}"))).containsExactlyElementsOf(edges.stream().filter(e -> e.cause().equals(cause)
          && e.confidence() >= minConfidence).sorted(order).map(Edge::id).toList());
      assertThat(edgeIds(h.ok("causal_query", "{\"effect\":\"" + effect + "\",\"min_confidence\":0,\"limit\":100}")))
          .containsExactlyElementsOf(edges.stream().filter(e -> e.effect().equals(effect)).sorted(order)
              .map(Edge::id).toList());
      List<Long> both = edges.stream().filter(e -> e.cause().equals(cause) && e.effect().equals(effect))
          .sorted(order).map(Edge::id).toList();
      JsonNode q = h.ok("causal_query", "{\"cause\":\"" + cause + "\",\"effect\":\"" + effect
          + "\",\"min_confidence\":0,\"limit\":100}");
      assertThat(edgeIds(q)).containsExactlyElementsOf(both);
      assertThat(edgeIds(h.ok("causal_query", "{\"min_confidence\":0,\"limit\":3}"))).containsExactlyElementsOf(
          edges.stream().sorted(order).limit(3).map(Edge::id).toList());
    }
  }

  @Test
  void traverseFindsTheShortestChainBetweenEpisodes() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      var g = h.memory().causal();
      g.add(episode(1), episode(2), 0.3, 0.9, 10);
      g.add(episode(2), episode(3), 0.2, 0.8, 10);
      g.add(episode(3), episode(4), 0.1, 0.7, 10);
      g.add(episode(1), episode(3), 0.05, 0.5, 10);
      JsonNode chain = h.ok("causal_traverse", "{\"from_memory_id\":1,\"to_memory_id\":4}");
      assertThat(structured(chain).get("hops").asInt()).isEqualTo(2);
      List<String> links = new ArrayList<>();
      structured(chain).get("links").forEach(l -> links.add(l.get("cause").asText() + ">" + l.get("effect").asText()));
      assertThat(links).containsExactly("episode #1>episode #3", "episode #3>episode #4");
      assertThat(structured(chain).get("confidence").asDouble()).isCloseTo(0.5 * 0.7,
          offset(1e-9));
      assertThat(text(h.ok("causal_traverse", "{\"from_memory_id\":4,\"to_memory_id\":1}")))
          .startsWith("🔗 No causal chain");
      assertThat(structured(h.ok("causal_traverse", "{\"from_memory_id\":1,\"to_memory_id\":4,\"max_depth\":1}"))
          .get("chain").isNull()).isTrue();
    }
  }

  @Test
  void recallWeightsChangeTheOrderAndTheCertificateNamesTheAnswer() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      long similar = store(h, "fix the flaky login test", 5000);
      long uplifted = store(h, "rotate the staging database credentials", 4000);
      long fast = store(h, "update the changelog wording", 1);
      h.memory().causal().add(episode(uplifted), new CausalNode.Event("green ci"), 0.9, 1.0, 50);
      String query = "{\"query\":\"fix the flaky login test\",\"k\":3,";
      assertThat(recallIds(h.ok("recall_with_certificate", query + "\"alpha\":1,\"beta\":0,\"gamma\":0}")).get(0))
          .isEqualTo(similar);
      assertThat(recallIds(h.ok("recall_with_certificate", query + "\"alpha\":0,\"beta\":1,\"gamma\":0}")).get(0))
          .isEqualTo(uplifted);
      JsonNode byLatency = h.ok("recall_with_certificate", query + "\"alpha\":0,\"beta\":0,\"gamma\":1}");
      assertThat(recallIds(byLatency)).containsExactly(fast, uplifted, similar);
      JsonNode cert = structured(byLatency).get("certificate");
      assertThat(cert.get("id").asText()).isNotBlank();
      assertThat(text(byLatency)).contains(cert.get("id").asText());
      assertThat(h.error("recall_with_certificate", "{\"query\":\"x\",\"alpha\":-1}")).contains("alpha");
    }
  }

  private static long store(ToolHarness h, String task, double latencyMs) throws Exception {
    return structured(h.ok("reflexion_store", String.format(Locale.ROOT, "{\"session_id\":\"s\",\"task\":\"%s\","
        + "\"reward\":0.5,\"success\":true,\"latency_ms\":%s}", task, latencyMs))).get("id").asLong();
  }

  private static CausalNode episode(long id) {
    return new CausalNode.Memory("episode", id);
  }

  private static List<Long> edgeIds(JsonNode result) {
    List<Long> ids = new ArrayList<>();
    structured(result).get("edges").forEach(e -> ids.add(e.get("id").asLong()));
    return ids;
  }

  private static List<Long> recallIds(JsonNode result) {
    List<Long> ids = new ArrayList<>();
    structured(result).get("results").forEach(e -> ids.add(e.get("id").asLong()));
    return ids;
  }
}
