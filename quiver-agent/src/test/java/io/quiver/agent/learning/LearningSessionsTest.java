package io.quiver.agent.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning sessions stored in Quiver collections: learning, refusals, reopening. */
class LearningSessionsTest extends RandomizedTest {
  private static final int CHAIN = 5;

  @TempDir
  Path dir;

  /** A chain s0..s4: right moves on, left moves back (s0 stays); reaching s4 pays 1 and ends the episode. */
  private static void runChain(LearningSessions ls, String id, int episodes) {
    for (int e = 0; e < episodes; e++) {
      int s = 0;
      for (int step = 0; step < 30 && s < CHAIN - 1; step++) {
        String a = ls.predict(id, "s" + s).action();
        int next = a.equals("right") ? s + 1 : Math.max(0, s - 1);
        boolean done = next == CHAIN - 1;
        ls.feedback(new Feedback(id, "s" + s, a, done ? 1 : 0, done ? null : "s" + next, done));
        s = next;
      }
    }
  }

  private static LearningConfig chainConfig(long seed) {
    return LearningConfig.builder().learningRate(0.5).discountFactor(0.9).explorationRate(0.1).initialValue(1)
        .actions(List.of("left", "right")).seed(seed).build();
  }

  @Test
  void qLearningFindsTheOptimalChainPolicyAndAReopenedStoreContinuesExactly() throws Exception {
    long seed = random().nextLong();
    String id;
    List<Prediction> before;
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      id = ls.start("u1", SessionType.Q_LEARNING, chainConfig(seed)).sessionId();
      runChain(ls, id, 40);
      PolicySummary p = ls.policy(id);
      for (int s = 0; s < CHAIN - 1; s++) {
        assertThat(p.actionAt("s" + s)).as("greedy action at s%d", s).isEqualTo("right");
      }
      TrainReport t = ls.train(id, 20, 8, 0.3);
      assertThat(t.transitions()).isPositive();
      assertThat(t.lossHistory()).hasSize(20);
      assertThat(t.loss()).isLessThanOrEqualTo(t.lossHistory().getFirst());
      before = predictions(ls, id);
      // Q(s3, right) -> 1, Q(s2, right) -> 0.9: the optimal values
      assertThat(before.get(3).alternatives().getFirst().value()).isCloseTo(1, offset(1e-3));
    }
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      assertThat(predictions(ls, id)).isEqualTo(before);
      assertThat(ls.session(id).trainRuns()).isEqualTo(1);
    }
  }

  private static List<Prediction> predictions(LearningSessions ls, String id) {
    return IntStream.range(0, CHAIN).mapToObj(s -> ls.predict(id, "s" + s)).toList();
  }

  @Test
  void sarsaLearnsTheChainAndEndingFreezesThePolicy() throws Exception {
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      String id = ls.start("u1", SessionType.SARSA, chainConfig(random().nextLong())).sessionId();
      runChain(ls, id, 40);
      PolicySummary end = ls.end(id);
      assertThat(end.active()).isFalse();
      for (int s = 0; s < CHAIN - 1; s++) {
        assertThat(end.actionAt("s" + s)).isEqualTo("right");
      }
      long count = ls.session(id).feedbackCount();
      assertThatThrownBy(() -> ls.feedback(new Feedback(id, "s0", "left", 0, "s0", false)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("ended");
      assertThat(ls.session(id).feedbackCount()).isEqualTo(count);
      Prediction p = ls.predict(id, "s0");
      assertThat(p.explored()).isFalse();
      assertThat(p.action()).isEqualTo("right");
      assertThat(p.interval().available()).isTrue();
    }
  }

  @Test
  void unimplementedSessionTypesAreRefusedByName() throws Exception {
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      for (String t : List.of("dqn", "policy-gradient", "actor-critic", "ppo", "decision-transformer", "mcts",
          "model-based")) {
        assertThatThrownBy(() -> ls.start("u", t, Map.of("learning_rate", 0.1, "discount_factor", 0.9)))
            .isInstanceOf(QuiverException.InvalidInput.class)
            .hasMessageContaining("session_type '" + t + "' is not implemented")
            .hasMessageContaining("q-learning, sarsa, bandit-ucb1");
      }
      assertThat(ls.sessions()).isEmpty();
    }
  }

  @Test
  void badInputsAreRefusedAndChangeNothing() throws Exception {
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      assertThatThrownBy(() -> ls.start("u", "q-learning", Map.of("learning_rate", 2, "discount_factor", 0.9)))
          .hasMessageContaining("config.learning_rate");
      assertThatThrownBy(() -> ls.start("u", "q-learning", Map.of("learning_rate", 0.1)))
          .hasMessageContaining("config.discount_factor is required");
      assertThatThrownBy(() -> ls.start("u", "q-learning", Map.of("learning_rate", 0.1, "discount_factor", 0.9,
          "epsilom", 0.2))).hasMessageContaining("config.epsilom");
      assertThat(ls.sessions()).isEmpty();
      String id = ls.start("u", "sarsa", Map.of("learning_rate", 0.1, "discount_factor", 0.9)).sessionId();
      ls.feedback(new Feedback(id, "a", "x", 1, "b", true));
      Prediction before = ls.predict(id, "a");
      assertThatThrownBy(() -> ls.feedback(new Feedback(id, "a", "x", Double.NaN, "b", true)))
          .hasMessageContaining("reward");
      assertThatThrownBy(() -> ls.feedback(new Feedback(id, "  ", "x", 1, "b", true)))
          .hasMessageContaining("state must not be blank");
      assertThatThrownBy(() -> ls.feedback(new Feedback(id, "a", "x", 1, null, true, "y")))
          .hasMessageContaining("next_action needs next_state");
      assertThatThrownBy(() -> ls.train(id, 0, null, null)).hasMessageContaining("epochs");
      assertThatThrownBy(() -> ls.predict("00000000-0000-0000-0000-00000000abcd", "a"))
          .isInstanceOf(QuiverException.NotFound.class);
      assertThat(ls.session(id).feedbackCount()).isEqualTo(1);
      assertThat(ls.predict(id, "a")).isEqualTo(before);
    }
  }

  @Test
  void experiencesRewardsMetricsTransferAndExplain() throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (Quiver q = Quiver.open(dir)) {
      LearningSessions ls = new LearningSessions(q, new HashingTextModel());
      String src = ls.start("u", SessionType.Q_LEARNING, chainConfig(1)).sessionId();
      runChain(ls, src, 20);
      ObjectNode before = json.createObjectNode().put("file", "a.txt");
      ExperienceResult r = ls.recordExperience(new Experience(src, "editor", "save", before, null, "saved", 0.8,
          true, 12.0, null));
      assertThat(r.learned()).isTrue();
      ExperienceResult plain = ls.recordExperience(new Experience("free-form", "editor", "save", before, null,
          "saved", 0.8, true, null, null));
      assertThat(plain.learned()).isFalse();
      assertThat(plain.seq()).isEqualTo(1);
      assertThatThrownBy(() -> ls.recordExperience(new Experience(src, "editor", "save", before, null, "x", 1.5,
          true, null, null))).hasMessageContaining("reward must be in [0, 1]");

      MetricsReport m = ls.metrics(src, 7.0, true, "session");
      assertThat(m.overall().count()).isEqualTo(ls.session(src).feedbackCount());
      assertThat(m.groups()).hasSize(1);
      assertThat(m.trends()).hasSize(LearningMetrics.TREND_BUCKETS);

      String dst = ls.start("u", SessionType.Q_LEARNING, chainConfig(2)).sessionId();
      TransferReport t = ls.transfer(new TransferRequest(src, dst, 0.9, 10, 0.5));
      assertThat(t.items()).isNotEmpty();
      assertThat(ls.policy(dst).actionAt("s0")).isEqualTo("right");

      Explanation ex = ls.explain(src, "s2", 3, 5);
      assertThat(ex.states().getFirst().state()).isEqualTo("s2");
      assertThat(ex.states().getFirst().similarity()).isEqualTo(1.0);
      assertThat(ex.states().getFirst().evidence()).isNotEmpty()
          .allSatisfy(e -> assertThat(e.state()).isEqualTo("s2"));
    }
    RewardSignal s = RewardFunction.compute(null, true, true, 1.0, 1.0, 50.0, 100.0, "standard");
    assertThat(s.reward()).isCloseTo(1.0, offset(1e-12));
    assertThat(RewardFunction.compute(null, false, true, 1.0, 1.0, null, null, "shaped").reward())
        .isLessThan(RewardFunction.compute(null, true, false, 0.0, 0.0, null, null, "shaped").reward());
    assertThatThrownBy(() -> RewardFunction.compute(null, true, null, 1.5, null, null, null, null))
        .hasMessageContaining("efficiency_score");
    assertThatThrownBy(() -> RewardFunction.compute(null, true, null, null, null, 5.0, null, null))
        .hasMessageContaining("together");
  }
}
