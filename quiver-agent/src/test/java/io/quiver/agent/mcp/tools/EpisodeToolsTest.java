package io.quiver.agent.mcp.tools;

import static io.quiver.agent.mcp.tools.ToolHarness.structured;
import static io.quiver.agent.mcp.tools.ToolHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpisodeToolsTest extends RandomizedTest {
  @TempDir Path dir;

  private record Stored(long id, double reward, boolean success) {}

  @Test
  void filteredRetrieveReturnsExactlyTheAdmittedEpisodesAndSurvivesRestart() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      List<Stored> stored = new ArrayList<>();
      int n = atLeast(20);
      for (int i = 0; i < n; i++) {
        double reward = random().nextInt(101) / 100.0;
        boolean success = random().nextBoolean();
        JsonNode r = h.ok("reflexion_store", String.format(Locale.ROOT, "{\"session_id\":\"s%d\",\"task\":\"fix"
            + " login test %d\",\"reward\":%s,\"success\":%b,\"critique\":\"c\"}", i % 3, i, reward, success));
        assertThat(text(r)).startsWith("✅ Stored episode #").contains("Reward: ");
        stored.add(new Stored(structured(r).get("id").asLong(), reward, success));
      }
      double minReward = random().nextInt(100) / 100.0;
      Set<Long> want = new HashSet<>();
      stored.stream().filter(s -> s.success() && s.reward() >= minReward).forEach(s -> want.add(s.id()));
      String args = "{\"task\":\"fix login test\",\"k\":" + n + ",\"only_successes\":true,\"min_reward\":" + minReward
          + "}";
      assertThat(ids(h.ok("reflexion_retrieve", args))).containsExactlyInAnyOrderElementsOf(want);
      Set<Long> failures = new HashSet<>();
      stored.stream().filter(s -> !s.success()).forEach(s -> failures.add(s.id()));
      assertThat(ids(h.ok("reflexion_retrieve", "{\"task\":\"fix login test\",\"k\":" + n
          + ",\"only_failures\":true}"))).containsExactlyInAnyOrderElementsOf(failures);
      JsonNode k3 = h.ok("reflexion_retrieve", "{\"task\":\"fix login test\",\"k\":3}");
      assertThat(text(k3)).startsWith("🔍 Retrieved 3 episodes:").contains("1. Episode ");

      h.restart();
      assertThat(ids(h.ok("reflexion_retrieve", args))).containsExactlyInAnyOrderElementsOf(want);
      assertThat(h.memory().episodes().count()).isEqualTo(n);
    }
  }

  @Test
  void badArgumentsAndUnknownIdsAreErrorResultsThatChangeNothing() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      long id = structured(h.ok("agentdb_insert", "{\"text\":\"remember the cookie path\",\"tags\":[\"web\"]}"))
          .get("id").asLong();
      assertThat(h.error("reflexion_store", "{\"session_id\":\"s\",\"task\":\"t\",\"reward\":1.5,"
          + "\"success\":true}")).contains("reward");
      assertThat(h.error("reflexion_store_batch", "{\"episodes\":[{\"session_id\":\"s\",\"task\":\"ok\",\"reward\":0.5,"
          + "\"success\":true},{\"session_id\":\"s\",\"task\":\"bad\",\"reward\":-2,\"success\":true}]}"))
          .contains("episodes[1].reward");
      assertThat(h.error("agentdb_get", "{\"id\":" + (id + 99) + "}")).contains(Long.toString(id + 99));
      assertThat(h.error("agentdb_get", "{\"id\":1.5}")).contains("id");
      assertThat(h.error("agentdb_delete_batch", "{\"ids\":[" + id + "," + (id + 7) + "]}"))
          .contains(Long.toString(id + 7));
      assertThat(h.error("reflexion_retrieve", "{\"task\":\"x\",\"k\":0}")).contains("k");
      assertThat(h.memory().episodes().count()).isEqualTo(1);

      JsonNode got = h.ok("agentdb_get", "{\"id\":" + id + ",\"include_embedding\":true}");
      assertThat(structured(got).get("task").asText()).isEqualTo("remember the cookie path");
      assertThat(structured(got).get("embedding").size()).isEqualTo(h.memory().embedder().dimension());
      h.ok("agentdb_update", "{\"id\":" + id + ",\"reward\":0.7,\"success\":true}");
      assertThat(h.memory().episodes().get(id).reward()).isEqualTo(0.7);
      assertThat(ids(h.ok("agentdb_search", "{\"query\":\"cookie path\",\"filters\":{\"tags\":[\"web\"]}}")))
          .containsExactly(id);
      assertThat(structured(h.ok("agentdb_list", "{}")).get("total").asLong()).isEqualTo(1);
      h.ok("agentdb_delete", "{\"id\":" + id + "}");
      assertThat(h.memory().episodes().count()).isZero();
    }
  }

  private static List<Long> ids(JsonNode result) {
    List<Long> ids = new ArrayList<>();
    structured(result).get("results").forEach(r -> ids.add(r.get("id").asLong()));
    return ids;
  }
}
