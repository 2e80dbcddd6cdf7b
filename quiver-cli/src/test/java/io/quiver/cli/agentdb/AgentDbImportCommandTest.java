package io.quiver.cli.agentdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.agent.AgentMemory;
import io.quiver.agent.causal.CausalEdge;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.causal.EdgeQuery;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.learning.PolicySummary;
import io.quiver.agent.learning.SessionInfo;
import io.quiver.agent.pattern.Pattern;
import io.quiver.agent.skill.Skill;
import io.quiver.cli.QuiverCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Imports the database the real agentdb 3.3.0 wrote (quiver-agent's test resources; its README lists the calls). */
class AgentDbImportCommandTest {
  private static final Path SAMPLE = Path.of("../quiver-agent/src/test/resources/agentdb/sample.db");

  @TempDir Path dir;

  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, UTF_8));
    try {
      int exit = new CommandLine(new QuiverCli()).execute(args);
      return new Run(exit, buf.toString(UTF_8));
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void importsEveryRecordOfTheAgentDbSampleWithItsFields() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source")).resolve("agentdb.db");
    Files.copy(SAMPLE, source);
    byte[] original = Files.readAllBytes(source);
    Path data = dir.resolve("data");
    Run r = run("agentdb", "import", source.toString(), "--data-dir", data.toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("episodes:           4", "skills:             2", "causal edges:       2",
        "reasoning patterns: 2", "learning sessions:  1 (3 experiences replayed)",
        "session session-1796669880292-o8v8f is now ");
    assertThat(Files.readAllBytes(source)).as("the source is not written").isEqualTo(original);
    try (var beside = Files.list(source.getParent())) {
      assertThat(beside.toList()).as("no -wal or -shm left beside the source").containsExactly(source);
    }

    try (AgentMemory m = AgentMemory.open(data, "token-hash")) {
      List<Episode> episodes = m.episodes().list(EpisodeFilter.ALL, 10, 0, false).episodes().stream()
          .sorted(Comparator.comparingLong(Episode::id)).toList();
      assertThat(episodes).extracting(Episode::task).containsExactly("fix the failing login test",
          "add retry to the http client", "fix the flaky login test", "write a csv parser");
      Episode first = episodes.get(0);
      assertThat(first.sessionId()).isEqualTo("s1");
      assertThat(first.input()).isEqualTo("login_test.py");
      assertThat(first.output()).isEqualTo("patched cookie path");
      assertThat(first.critique()).isEqualTo("checked the session cookie first");
      assertThat(first.reward()).isEqualTo(0.9);
      assertThat(first.success()).isTrue();
      assertThat(first.latencyMs()).isEqualTo(1200);
      assertThat(first.tokens()).isEqualTo(800);
      assertThat(first.ts()).isEqualTo(1796669880L);
      assertThat(episodes).extracting(Episode::success).containsExactly(true, false, true, true);
      assertThat(episodes).extracting(Episode::sessionId).containsExactly("s1", "s1", "s2", "s2");
      assertThat(episodes).extracting(Episode::reward).containsExactly(0.9, 0.3, 0.8, 0.6);
      assertThat(m.episodes().retrieve("flaky login test", 1, EpisodeFilter.ALL).get(0).episode().task())
          .as("re-embedded with the target embedder").isEqualTo("fix the flaky login test");

      List<Skill> skills = m.skills().list(null, 10, 0).stream().sorted(Comparator.comparingLong(Skill::id))
          .toList();
      assertThat(skills).extracting(Skill::name).containsExactly("fix_login_tests", "http_retry");
      assertThat(skills.get(0).description()).isEqualTo("Repair failing login tests by checking cookies and"
          + " redirects");
      assertThat(skills.get(0).code()).isEqualTo("def fix(): pass");
      assertThat(skills).extracting(Skill::successRate).containsExactly(0.85, 0.6);
      assertThat(skills.get(0).signature().toString()).isEqualTo("{\"inputs\":{},\"outputs\":{}}");

      List<CausalEdge> edges = m.causal().query(new EdgeQuery(null, null, 0, 0, 10));
      assertThat(edges).hasSize(2);
      CausalEdge cookie = edges.get(0);
      assertThat(cookie.cause()).isEqualTo(new CausalNode.Event("check cookie path"));
      assertThat(cookie.effect()).isEqualTo(new CausalNode.Event("login test passes"));
      assertThat(cookie.uplift()).isEqualTo(0.4);
      assertThat(cookie.confidence()).isEqualTo(0.9);
      assertThat(cookie.sampleSize()).isEqualTo(12);
      CausalEdge retry = edges.get(1);
      assertThat(retry.cause()).isEqualTo(new CausalNode.Event("retry POST"));
      assertThat(retry.effect()).isEqualTo(new CausalNode.Event("duplicate orders"));
      assertThat(List.of(retry.uplift(), retry.confidence(), (double) retry.sampleSize()))
          .containsExactly(0.25, 0.7, 5.0);

      List<Pattern> patterns = m.patterns().list(null, 10, 0).stream().sorted(Comparator.comparingLong(Pattern::id))
          .toList();
      assertThat(patterns).extracting(Pattern::taskType).containsExactly("debugging", "code_review");
      assertThat(patterns).extracting(Pattern::approach).containsExactly("reproduce first, then bisect",
          "read tests before code");
      assertThat(patterns).extracting(Pattern::successRate).containsExactly(0.8, 0.7);
      assertThat(patterns.get(0).tags()).containsExactly("debug");
      assertThat(patterns.get(1).tags()).isEmpty();

      List<SessionInfo> sessions = m.learning().sessions();
      assertThat(sessions).hasSize(1);
      SessionInfo s = sessions.get(0);
      assertThat(s.userId()).isEqualTo("u1");
      assertThat(s.type().wireName()).isEqualTo("q-learning");
      assertThat(s.active()).as("ended, as in AgentDB").isFalse();
      assertThat(s.feedbackCount()).isEqualTo(3);
      assertThat(s.config().learningRate()).isEqualTo(0.1);
      assertThat(s.config().discountFactor()).isEqualTo(0.9);
      assertThat(s.config().explorationRate()).isEqualTo(0.1);
      PolicySummary policy = m.learning().policy(s.sessionId());
      assertThat(policy.entries()).anySatisfy(e -> {
        assertThat(e.state()).isEqualTo("login test failing");
        assertThat(e.action()).isEqualTo("check cookies");
      });
    }

    Run again = run("agentdb", "import", source.toString(), "--data-dir", data.toString());
    assertThat(again.exit()).as("a non-empty target is refused").isEqualTo(2);
    try (AgentMemory m = AgentMemory.open(data, "token-hash")) {
      assertThat(m.episodes().count()).as("the refusal changes nothing").isEqualTo(4);
    }
    Run forced = run("agentdb", "import", source.toString(), "--data-dir", data.toString(), "--force");
    assertThat(forced.exit()).as(forced.out()).isZero();
    assertThat(forced.out()).contains("not imported: skill #1 'fix_login_tests'");
    try (AgentMemory m = AgentMemory.open(data, "token-hash")) {
      assertThat(m.episodes().count()).isEqualTo(8);
      assertThat(m.skills().count()).as("skill names are unique").isEqualTo(2);
    }
  }
}
