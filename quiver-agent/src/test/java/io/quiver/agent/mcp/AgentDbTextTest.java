package io.quiver.agent.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.agent.mcp.AgentDbText.DbStats;
import io.quiver.agent.mcp.AgentDbText.EdgeLine;
import io.quiver.agent.mcp.AgentDbText.EpisodeLine;
import io.quiver.agent.mcp.AgentDbText.RecallLine;
import io.quiver.agent.mcp.AgentDbText.SkillLine;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The formatter's data lines against AgentDB 3.3.0's own replies (agentdb/replies.json, recorded from its MCP server):
 * given the values AgentDB answered with, every line the reference table names must come out identical.
 */
class AgentDbTextTest {
  private static List<JsonNode> replies;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = AgentDbTextTest.class.getResourceAsStream("/agentdb/replies.json")) {
      replies = new ArrayList<>();
      new ObjectMapper().readTree(in).get("replies").forEach(replies::add);
    }
  }

  /** The recorded data lines of the n-th reply of a tool. */
  private static List<String> recorded(String tool, int n) {
    List<List<String>> all = new ArrayList<>();
    for (JsonNode r : replies) {
      if (r.get("tool").asText().equals(tool)) {
        List<String> lines = new ArrayList<>();
        r.get("dataLines").forEach(l -> lines.add(l.asText()));
        all.add(lines);
      }
    }
    return all.get(n);
  }

  /** The formatter's lines, trimmed and without the emoji AgentDB puts before some of them. */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) {
      String t = l.strip().replaceFirst("^[^\\p{L}\\p{N}#]+", "");
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void storedRecordsCarryTheirIds() {
    assertThat(lines(AgentDbText.episodeStored(1, "fix the failing login test", 0.9, true)))
        .containsAll(recorded("reflexion_store", 0));
    assertThat(lines(AgentDbText.skillCreated(2, "http_retry"))).containsAll(recorded("skill_create", 1));
    assertThat(lines(AgentDbText.edgeAdded(7, "check cookie path", "login test passes", 0.4)))
        .containsAll(recorded("causal_add_edge", 0)).contains("Added causal edge #7");
    assertThat(lines(AgentDbText.edgeAdded(8, "retry POST", "duplicate orders", 0.25)))
        .containsAll(recorded("causal_add_edge", 1));
  }

  @Test
  void retrievedEpisodes() {
    String text = AgentDbText.episodes(List.of(new EpisodeLine(3, "fix the flaky login test", 0.8, 0.056),
        new EpisodeLine(1, "fix the failing login test", 0.9, 0.070), new EpisodeLine(4, "write a csv parser", 0.6, 0.255)));
    assertThat(lines(text)).containsSubsequence(recorded("reflexion_retrieve", 0));
    assertThat(text).startsWith("🔍 Retrieved 3 episodes:\n\n1. Episode 3\n   Task: ");
  }

  @Test
  void skillsEdgesRecallAndStats() {
    assertThat(lines(AgentDbText.skills(List.of(
        new SkillLine("fix_login_tests", "Repair failing login tests by checking cookies and redirects", 0.85),
        new SkillLine("http_retry", "Retry idempotent http requests with backoff", 0.6)))))
        .containsSubsequence(recorded("skill_search", 0));
    assertThat(lines(AgentDbText.edges(List.of(new EdgeLine("check cookie path", "login test passes", 0.4, 0.9)))))
        .containsSubsequence(recorded("causal_query", 0));
    List<String> recall = recorded("recall_with_certificate", 0);
    String cert = recall.getLast().substring("Certificate ID: ".length());
    assertThat(lines(AgentDbText.recall(List.of(new RecallLine("episode", "4", 0.255, 0),
        new RecallLine("episode", "2", 0.204, 0), new RecallLine("episode", "3", 0.056, 0)), cert)))
        .containsSubsequence(recall);
    assertThat(lines(AgentDbText.dbStats(new DbStats(2, 0, 0, 4, 4, 2)))).containsAll(recorded("db_stats", 0));
  }

  @Test
  void learningSessionsAndPredictions() {
    String id = recorded("learning_start_session", 0).getFirst().substring("Session ID: ".length());
    assertThat(lines(AgentDbText.sessionStarted(id, "u1", "q-learning")))
        .containsAll(recorded("learning_start_session", 0));
    assertThat(lines(AgentDbText.prediction("login test failing", "check cookies", 1.0, 0.18)))
        .containsAll(recorded("learning_predict", 0));
  }

  @Test
  void numbersAsJavaScriptPrintsThem() {
    assertThat(AgentDbText.jsNumber(0.9)).isEqualTo("0.9");
    assertThat(AgentDbText.jsNumber(1.0)).isEqualTo("1");
    assertThat(AgentDbText.jsNumber(-0.25)).isEqualTo("-0.25");
    assertThat(AgentDbText.jsNumber(0.0001)).isEqualTo("0.0001");
    assertThat(AgentDbText.jsNumber(1e-7)).isEqualTo("1e-7");
    assertThat(AgentDbText.fixed(1.005, 2)).as("1.005 is 1.00499... in binary").isEqualTo("1.00");
    assertThat(AgentDbText.fixed(0.125, 2)).isEqualTo("0.13");
    assertThat(AgentDbText.fixed(-0.125, 2)).isEqualTo("-0.13");
  }
}
