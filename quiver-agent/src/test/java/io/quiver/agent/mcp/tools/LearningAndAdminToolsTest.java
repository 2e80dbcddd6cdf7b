package io.quiver.agent.mcp.tools;

import static io.quiver.agent.mcp.tools.ToolHarness.structured;
import static io.quiver.agent.mcp.tools.ToolHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningAndAdminToolsTest extends RandomizedTest {
  @TempDir Path dir;

  /**
   * A two-state task: in "start", "right" pays 1 and leads to "goal", "left" pays 0 and stays; in "goal" only "stay"
   * is taken and pays 0. Actions are tried in a random order; Q-learning must come to recommend "right" in "start".
   */
  @Test
  void qLearningConvergesOnTheRewardedActionOfAToyTask() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      JsonNode started = h.ok("learning_start_session", "{\"user_id\":\"u1\",\"session_type\":\"q-learning\","
          + "\"config\":{\"learning_rate\":0.5,\"discount_factor\":0.9,\"exploration_rate\":0}}");
      String session = structured(started).get("sessionId").asText();
      assertThat(text(started)).contains(session, "q-learning");
      int rounds = atLeast(10);
      for (int i = 0; i < rounds; i++) {
        boolean right = random().nextBoolean();
        h.ok("learning_feedback", String.format(Locale.ROOT, "{\"session_id\":\"%s\",\"state\":\"start\",\"action\":"
            + "\"%s\",\"reward\":%s,\"next_state\":\"%s\",\"success\":%b}", session, right ? "right" : "left",
            right ? 1 : 0, right ? "goal" : "start", right));
        h.ok("learning_feedback", "{\"session_id\":\"" + session + "\",\"state\":\"start\",\"action\":\""
            + (right ? "left" : "right") + "\",\"reward\":" + (right ? 0 : 1) + ",\"next_state\":\""
            + (right ? "start" : "goal") + "\",\"success\":" + !right + "}");
        h.ok("learning_feedback", "{\"session_id\":\"" + session + "\",\"state\":\"goal\",\"action\":\"stay\","
            + "\"reward\":0,\"success\":false}");
      }
      JsonNode p = h.ok("learning_predict", "{\"session_id\":\"" + session + "\",\"state\":\"start\"}");
      assertThat(structured(p).get("action").asText()).as("%s", text(p)).isEqualTo("right");
      assertThat(structured(p).get("greedyAction").asText()).isEqualTo("right");
      assertThat(text(p)).contains("right");

      assertThat(h.error("learning_start_session", "{\"user_id\":\"u1\",\"session_type\":\"ppo\",\"config\":"
          + "{\"learning_rate\":0.1,\"discount_factor\":0.9}}")).contains("session_type", "ppo", "q-learning");
      assertThat(h.memory().learning().sessions()).hasSize(1);
      assertThat(h.error("learning_feedback", "{\"session_id\":\"nope\",\"state\":\"s\",\"action\":\"a\","
          + "\"reward\":1,\"success\":true}")).contains("nope");
    }
  }

  @Test
  void dbStatsCountsEveryKindAndInitResetClearsTheMemory() throws Exception {
    try (ToolHarness h = new ToolHarness(dir)) {
      int episodes = atLeast(3);
      for (int i = 0; i < episodes; i++) {
        h.ok("reflexion_store", "{\"session_id\":\"s\",\"task\":\"task " + i + "\",\"reward\":0.5,\"success\":true}");
      }
      h.ok("skill_create", "{\"name\":\"s1\",\"description\":\"d\"}");
      h.ok("agentdb_pattern_store", "{\"taskType\":\"t\",\"approach\":\"a\",\"successRate\":0.5}");
      h.ok("causal_add_edge", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.2,\"confidence\":0.9}");
      JsonNode stats = h.ok("db_stats", "{}");
      assertThat(structured(stats).get("episodes").asLong()).isEqualTo(episodes);
      assertThat(structured(stats).get("skills").asLong()).isEqualTo(1);
      assertThat(structured(stats).get("patterns").asLong()).isEqualTo(1);
      assertThat(structured(stats).get("causalEdges").asLong()).isEqualTo(1);
      assertThat(text(stats)).contains("Episodes (Vectors): " + episodes, "Embedder: quiver/token-hash");

      JsonNode plain = h.ok("agentdb_init", "{}");
      assertThat(structured(plain).get("reset").asBoolean()).isFalse();
      assertThat(h.memory().episodes().count()).as("init without reset keeps everything").isEqualTo(episodes);
      JsonNode reset = h.ok("agentdb_init", "{\"reset\":true}");
      assertThat(structured(reset).get("episodes").asLong()).isEqualTo(episodes);
      JsonNode after = structured(h.ok("db_stats", "{}"));
      assertThat(after.get("episodes").asLong()).isZero();
      assertThat(after.get("skills").asLong()).isZero();
      assertThat(after.get("patterns").asLong()).isZero();
      assertThat(after.get("causalEdges").asLong()).isZero();
      h.restart();
      assertThat(h.memory().episodes().count()).as("the reset is durable").isZero();
    }
  }
}
