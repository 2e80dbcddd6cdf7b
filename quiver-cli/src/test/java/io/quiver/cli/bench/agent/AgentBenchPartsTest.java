package io.quiver.cli.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.agent.embed.Embedders;
import io.quiver.cli.bench.agent.AgentWorkload.EpisodeSpec;
import io.quiver.cli.bench.agent.AgentWorkload.QuerySpec;
import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** bench-agent's parsing, statistics and correctness checks, without any server or timing. */
class AgentBenchPartsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @Test
  void parsesAgentDbRetrieveText() throws Exception {
    // AgentDB 3.3.0's reflexion_retrieve text, as its MCP server printed it
    String text = "🔍 Retrieved 3 episodes:\n\n1. Episode 3\n   Task: fix the flaky login test\n   Reward: 0.80\n"
        + "   Similarity: 0.056\n\n2. Episode 1\n   Task: fix the failing login test\n   Reward: 0.90\n"
        + "   Similarity: 0.070\n\n3. Episode 4\n   Task: write a csv parser\n   Reward: 0.60\n   Similarity: N/A";
    JsonNode result = MAPPER.createObjectNode().set("content", MAPPER.createArrayNode().add(
        MAPPER.createObjectNode().put("type", "text").put("text", text)));
    RetrieveAnswer a = RetrieveAnswer.of(result);
    assertThat(a.hits()).extracting(RetrieveAnswer.Hit::id).containsExactly(3L, 1L, 4L);
    assertThat(a.hits()).extracting(RetrieveAnswer.Hit::task)
        .containsExactly("fix the flaky login test", "fix the failing login test", "write a csv parser");
    assertThat(a.hits()).extracting(RetrieveAnswer.Hit::reward).containsExactly(0.8, 0.9, 0.6);
    assertThat(a.hits().get(0).similarity()).isEqualTo(0.056);
    assertThat(a.hits().get(2).similarity()).isNaN();
    assertThat(a.hits()).allMatch(h -> h.success() == null);
    assertThat(RetrieveAnswer.parseText("🔍 Retrieved 0 episodes:\n\n").hits()).isEmpty();
  }

  @Test
  void takesSuccessFromStructuredContentWhenItListsTheSameEpisodes() throws Exception {
    String text = "🔍 Retrieved 2 episodes:\n\n1. Episode 7\n   Task: a b\n   Reward: 0.70\n   Similarity: 0.900\n\n"
        + "2. Episode 9\n   Task: c d\n   Reward: 0.20\n   Similarity: 0.500";
    JsonNode result = MAPPER.readTree("{\"content\":[{\"type\":\"text\",\"text\":" + MAPPER.writeValueAsString(text)
        + "}],\"structuredContent\":{\"episodes\":[{\"id\":7,\"success\":true},{\"id\":9,\"success\":false}]}}");
    assertThat(RetrieveAnswer.of(result).hits()).extracting(RetrieveAnswer.Hit::success).containsExactly(true, false);
  }

  @Test
  void readsDbStatsEpisodeCount() {
    assertThat(StatsText.episodes("📊 Database Statistics:\n\nCausal Edges: 2\nExperiments: 0\nObservations: 0\n"
        + "Episodes (Vectors): 10000\nEpisode Embeddings: 10000\nSkills: 2")).isEqualTo(10_000);
    assertThat(StatsText.episodes("nothing here")).isEqualTo(-1);
  }

  @Test
  void percentilesFollowTheNearestRankRule() {
    long[] ms = new long[100];
    for (int i = 0; i < 100; i++) {
      ms[99 - i] = (i + 1) * 1_000_000L; // 1..100 ms, shuffled by reversal
    }
    LatencyStats s = LatencyStats.of(ms);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.p50Ms()).isEqualTo(50.0);
    assertThat(s.p99Ms()).isEqualTo(99.0);
    assertThat(s.maxMs()).isEqualTo(100.0);
    assertThat(s.meanMs()).isEqualTo(50.5);
    assertThat(LatencyStats.of(new long[] {7_000_000L}).p99Ms()).isEqualTo(7.0);
    assertThat(LatencyStats.of(new long[0]).count()).isZero();
  }

  @Test
  void workloadIsReproducibleAndItsFiltersMeanWhatTheySay() {
    AgentWorkload a = AgentWorkload.generate(SEED, 2_000, 300, 20, 20);
    AgentWorkload b = AgentWorkload.generate(SEED, 2_000, 300, 20, 20);
    assertThat(a.episodes()).as("seed %d", SEED).isEqualTo(b.episodes());
    assertThat(a.queries()).isEqualTo(b.queries());
    for (EpisodeSpec e : a.episodes()) {
      assertThat(Math.round(e.reward() * 100) / 100.0).as("two decimals").isEqualTo(e.reward());
      assertThat(e.success() ? e.reward() >= 0.5 : e.reward() <= 0.6).isTrue();
    }
    assertThat(a.queries().stream().map(QuerySpec::filterLabel).distinct().count()).as("seed %d", SEED)
        .isGreaterThan(5);
    QuerySpec succ = new QuerySpec("t", true, false, 0.7);
    assertThat(succ.accepts(new EpisodeSpec("s", "t", 0.7, true, 1))).isTrue();
    assertThat(succ.accepts(new EpisodeSpec("s", "t", 0.69, true, 1))).isFalse();
    assertThat(succ.accepts(new EpisodeSpec("s", "t", 0.9, false, 1))).isFalse();
  }

  @Test
  void exactTopKAgreesWithSortingAndJudgesAnswers() {
    Random rnd = new Random(SEED);
    DenseTextModel embedder = Embedders.create(Embedders.TOKEN_HASH);
    AgentWorkload w = AgentWorkload.generate(rnd.nextLong(), 500, 40, 0, 0);
    float[][] v = embedder.embed(w.episodes().stream().map(EpisodeSpec::task).toList()).toArray(float[][]::new);
    ExactTopK exact = new ExactTopK(v);
    for (QuerySpec q : w.queries()) {
      float[] qv = embedder.embed(List.of(q.task())).get(0);
      List<ExactTopK.Scored> top = exact.top(qv, 5, i -> q.accepts(w.episodes().get(i)));
      List<Integer> accepted = new ArrayList<>();
      for (int i = 0; i < v.length; i++) {
        if (q.accepts(w.episodes().get(i))) {
          accepted.add(i);
        }
      }
      accepted.sort((x, y) -> Double.compare(exact.score(qv, y), exact.score(qv, x)));
      assertThat(top).as("seed %d query %s", SEED, q).hasSize(Math.min(5, accepted.size()));
      for (int r = 0; r < top.size(); r++) {
        assertThat(top.get(r).score()).isEqualTo(exact.score(qv, accepted.get(r)));
      }
      List<Integer> answer = top.stream().map(ExactTopK.Scored::index).toList();
      assertThat(exact.isExact(qv, answer, top)).isTrue();
      assertThat(exact.firstIsNearest(qv, answer, top)).isTrue();
      if (accepted.size() > 5 && exact.score(qv, accepted.get(accepted.size() - 1)) < top.get(4).score() - 1e-3) {
        List<Integer> worse = new ArrayList<>(answer);
        worse.set(4, accepted.get(accepted.size() - 1));
        assertThat(exact.isExact(qv, worse, top)).as("seed %d: the worst episode in place of the fifth", SEED)
            .isFalse();
        assertThat(exact.isExact(qv, answer.subList(0, 4), top)).as("a short answer").isFalse();
      }
    }
  }

  @Test
  void answerCheckMapsIdsAndFindsFilterViolations() {
    List<EpisodeSpec> eps = List.of(new EpisodeSpec("s", "a", 0.9, true, 1), new EpisodeSpec("s", "b", 0.2, false, 1),
        new EpisodeSpec("s", "c", 0.6, true, 1));
    QuerySpec onlySucc = new QuerySpec("q", true, false, null);
    RetrieveAnswer good = new RetrieveAnswer(List.of(hit(1, "a", 0.9), hit(3, "c", 0.6)));
    AgentBenchRun.AnswerCheck c = AgentBenchRun.AnswerCheck.check(good, onlySucc, eps, 1);
    assertThat(c.filtersObeyed()).isTrue();
    assertThat(c.indexes()).containsExactly(0, 2);
    RetrieveAnswer failure = new RetrieveAnswer(List.of(hit(2, "b", 0.2)));
    assertThat(AgentBenchRun.AnswerCheck.check(failure, onlySucc, eps, 1).filtersObeyed()).isFalse();
    QuerySpec minReward = new QuerySpec("q", false, false, 0.7);
    assertThat(AgentBenchRun.AnswerCheck.check(good, minReward, eps, 1).filtersObeyed()).isFalse();
    RetrieveAnswer wrongTask = new RetrieveAnswer(List.of(hit(1, "z", 0.9)));
    AgentBenchRun.AnswerCheck m = AgentBenchRun.AnswerCheck.check(wrongTask, onlySucc, eps, 1);
    assertThat(m.idMismatches()).isEqualTo(1);
    assertThat(m.indexes()).containsExactly(-1);
  }

  @Test
  void mockEmbeddingIsAgentDbsHash() {
    float[] a = AgentDbMockEmbedder.embed("fix the failing login test");
    assertThat(a).hasSize(384);
    assertThat(ExactTopK.dot(a, a)).isCloseTo(1.0, offset(1e-5));
    assertThat(AgentDbMockEmbedder.embed("fix the failing login test")).isEqualTo(a);
    assertThat(AgentDbMockEmbedder.embed("")).containsOnly(0f);
    // JavaScript: hash of "ab" = ((0*31 + 97) * 31 + 98) = 3105; component 0 = sin(3105) * cos(1552.5) before norm
    float[] ab = AgentDbMockEmbedder.embed("ab");
    float[] raw = new float[384];
    double norm = 0;
    for (int i = 0; i < 384; i++) {
      double seed = 3105 + i * 31.0;
      raw[i] = (float) (Math.sin(seed) * Math.cos(seed * 0.5));
      norm += (double) raw[i] * raw[i];
    }
    assertThat(ab[0]).isCloseTo((float) (raw[0] / Math.sqrt(norm)), offset(1e-6f));
  }

  private static RetrieveAnswer.Hit hit(long id, String task, double reward) {
    return new RetrieveAnswer.Hit(id, task, reward, 0.5, null);
  }
}
