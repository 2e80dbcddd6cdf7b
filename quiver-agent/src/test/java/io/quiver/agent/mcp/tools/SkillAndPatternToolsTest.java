package io.quiver.agent.mcp.tools;

import static io.quiver.agent.mcp.tools.ToolHarness.structured;
import static io.quiver.agent.mcp.tools.ToolHarness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkillAndPatternToolsTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void skillSearchAdmitsExactlyTheSkillsAtTheMinimumSuccessRateAndFeedbackMovesTheRate() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      Map<Long, Double> rates = new HashMap<>();
      int n = atLeast(8);
      for (int i = 0; i < n; i++) {
        double rate = random().nextInt(101) / 100.0;
        JsonNode r = h.ok("skill_create", String.format(Locale.ROOT, "{\"name\":\"retry-%d\",\"description\":"
            + "\"retry the flaky login test %d\",\"code\":\"retry()\",\"success_rate\":%s}", i, i, rate));
        assertThat(text(r)).contains("retry-" + i);
        rates.put(structured(r).get("id").asLong(), rate);
      }
      long low = structured(h.ok("skill_create", "{\"name\":\"low\",\"description\":\"retry the flaky login test"
          + " slowly\",\"success_rate\":0}")).get("id").asLong();
      double min = (1 + random().nextInt(100)) / 100.0;
      Set<Long> want = new HashSet<>();
      rates.forEach((id, rate) -> {
        if (rate >= min) {
          want.add(id);
        }
      });
      String search = "{\"task\":\"flaky login test\",\"k\":" + (n + 1) + ",\"min_success_rate\":" + min + "}";
      assertThat(ids(h.ok("skill_search", search))).containsExactlyInAnyOrderElementsOf(want);

      JsonNode fb = h.ok("agentdb_skill_feedback", "{\"skill_id\":" + low + ",\"success\":true,\"reward\":0.9,"
          + "\"latency_ms\":120}");
      assertThat(structured(fb).get("successRate").asDouble()).as("the first use sets the rate").isEqualTo(1.0);
      assertThat(structured(fb).get("uses").asLong()).isEqualTo(1);
      assertThat(ids(h.ok("skill_search", search))).contains(low);

      long before = h.memory().skills().count();
      assertThat(h.error("agentdb_skill_feedback", "{\"skill_id\":" + (low + 1000) + ",\"success\":true}"))
          .contains(Long.toString(low + 1000));
      assertThat(h.error("skill_create", "{\"name\":\"x\"}")).contains("description");
      assertThat(h.memory().skills().count()).isEqualTo(before);
    }
  }

  @Test
  void patternsAreStoredSearchedWithFiltersRatedAndCounted() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      String[] types = {"debugging", "refactoring", "testing"};
      Map<Long, String> typeOf = new HashMap<>();
      int n = atLeast(9);
      for (int i = 0; i < n; i++) {
        String type = types[i % types.length];
        double rate = random().nextInt(101) / 100.0;
        JsonNode r = h.ok("agentdb_pattern_store", String.format(Locale.ROOT, "{\"taskType\":\"%s\",\"approach\":"
            + "\"bisect the failing commit range %d\",\"successRate\":%s,\"tags\":[\"t%d\"]}", type, i, rate, i % 2));
        assertThat(text(r)).startsWith("✅ Stored reasoning pattern #").contains("Task type: " + type);
        typeOf.put(structured(r).get("id").asLong(), type);
      }
      Set<Long> debugging = new HashSet<>();
      typeOf.forEach((id, t) -> {
        if (t.equals("debugging")) {
          debugging.add(id);
        }
      });
      JsonNode found = h.ok("agentdb_pattern_search", "{\"task\":\"bisect the failing commit\",\"k\":" + n
          + ",\"filters\":{\"taskType\":\"debugging\"}}");
      assertThat(ids(found)).containsExactlyInAnyOrderElementsOf(debugging);
      assertThat(text(found)).startsWith("🔍 Found " + debugging.size() + " reasoning patterns:");

      long id = debugging.iterator().next();
      JsonNode fb = h.ok("agentdb_pattern_feedback", "{\"pattern_id\":" + id + ",\"success\":false,\"reward\":0.1}");
      assertThat(structured(fb).get("successRate").asDouble()).isZero();
      assertThat(structured(fb).get("uses").asLong()).isEqualTo(1);
      double sum = 0;
      for (Long pid : typeOf.keySet()) {
        sum += h.memory().patterns().require(pid).successRate();
      }

      JsonNode stats = structured(h.ok("agentdb_pattern_stats", "{}"));
      assertThat(stats.get("total").asLong()).isEqualTo(n);
      assertThat(stats.get("avgSuccessRate").asDouble()).isCloseTo(sum / n, offset(1e-9));
      Map<String, Long> counts = new HashMap<>();
      stats.get("topTaskTypes").forEach(t -> counts.put(t.get("taskType").asText(), t.get("count").asLong()));
      Map<String, Long> want = new HashMap<>();
      typeOf.values().forEach(t -> want.merge(t, 1L, Long::sum));
      assertThat(counts).isEqualTo(want);

      assertThat(h.error("agentdb_pattern_store", "{\"taskType\":\"x\",\"approach\":\"y\",\"successRate\":2}"))
          .contains("successRate");
      assertThat(h.error("agentdb_pattern_feedback", "{\"pattern_id\":" + (id + 1000) + ",\"success\":true}"))
          .contains(Long.toString(id + 1000));
      assertThat(h.memory().patterns().count()).isEqualTo(n);
    }
  }

  static List<Long> ids(JsonNode result) {
    List<Long> ids = new ArrayList<>();
    structured(result).get("results").forEach(r -> ids.add(r.get("id").asLong()));
    return ids;
  }
}
