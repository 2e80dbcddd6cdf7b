package io.quiver.agent.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.quiver.testing.RandomizedTest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The learning rules and the conformal interval in memory (no storage), where many seeded trials are cheap. */
class LearningAlgorithmsTest extends RandomizedTest {

  private static LiveSession session(SessionType type, LearningConfig c) {
    SessionInfo info = new SessionInfo("00000000-0000-0000-0000-000000000001", "u", type, c, true, 0, 0, 0, 0, 0);
    return new LiveSession(info, new QTable(), new ResidualWindow(c.calibrationWindow()), null);
  }

  private static void learn(LiveSession l, String s, String a, double r, String next) {
    l.learn(new Transition(l.info.sessionId(), l.info.feedbackCount() + 1, 0, s, s, a, r, next, next, null, true,
        Double.NaN, true, null));
  }

  @Test
  void sarsaBootstrapsFromTheActionTakenAndQLearningFromTheBest() {
    LearningConfig c = LearningConfig.builder().learningRate(0.5).discountFactor(0.9).build();
    double[] got = new double[2];
    int i = 0;
    for (SessionType type : List.of(SessionType.SARSA, SessionType.Q_LEARNING)) {
      LiveSession l = session(type, c);
      learn(l, "b", "y", 2, null);   // Q(b,y) = 0.5 * 2 = 1
      learn(l, "b", "z", 0, null);   // Q(b,z) = 0
      learn(l, "a", "x", 1, "b");    // SARSA waits for the next action
      learn(l, "b", "z", 0, null);   // ... which is z
      got[i++] = l.table.value("a", "x", 0);
    }
    // by hand: SARSA 0.5 * (1 + 0.9 * Q(b,z) = 0) = 0.5; Q-learning 0.5 * (1 + 0.9 * max(1, 0)) = 0.95
    assertThat(got[0]).isCloseTo(0.5, offset(1e-12));
    assertThat(got[1]).isCloseTo(0.95, offset(1e-12));
  }

  @Test
  void ucb1RegretStaysUnderTheBound() {
    Random r = random();
    int arms = 5;
    int horizon = atLeast(2000);
    double[] p = new double[arms];
    for (int a = 0; a < arms; a++) {
      p[a] = 0.1 + 0.6 * r.nextDouble();
    }
    int bestArm = r.nextInt(arms);
    p[bestArm] = 0.85;
    List<String> names = List.of("a0", "a1", "a2", "a3", "a4");
    LiveSession l = session(SessionType.BANDIT_UCB1, LearningConfig.builder().actions(names).build());
    double regret = 0;
    for (int t = 0; t < horizon; t++) {
      String arm = Policy.predict(l.info, l.table, l.residuals, "s", "s").action();
      int a = names.indexOf(arm);
      regret += p[bestArm] - p[a];
      learn(l, "s", arm, r.nextDouble() < p[a] ? 1 : 0, null);
    }
    // Auer, Cesa-Bianchi, Fischer (2002), theorem 1: E[regret] <= sum over worse arms of 8 ln T / gap + (1 + pi^2/3) gap
    double bound = 0;
    for (int a = 0; a < arms; a++) {
      double gap = p[bestArm] - p[a];
      if (gap > 0) {
        bound += 8 * Math.log(horizon) / gap + (1 + Math.PI * Math.PI / 3) * gap;
      }
    }
    assertThat(regret).isLessThan(bound);
    assertThat(l.table.row("s").best()).isEqualTo(names.get(bestArm));
    assertThat(l.table.row("s").cells.get(names.get(bestArm)).visits).isGreaterThan(horizon / 2);
  }

  @Test
  void conformalIntervalCoversHeldOutRewardsAtTheNominalRate() {
    Random r = random();
    double alpha = 0.1;
    int trials = atLeast(400);
    int covered = 0;
    for (int trial = 0; trial < trials; trial++) {
      LiveSession l = session(SessionType.BANDIT_UCB1, LearningConfig.builder().conformalAlpha(alpha).build());
      double mu = r.nextGaussian() * 3;
      double sigma = 0.5 + 2 * r.nextDouble();
      int n = 20 + r.nextInt(60);
      for (int i = 0; i < n; i++) {
        learn(l, "s", "a", mu + sigma * r.nextGaussian(), null);
      }
      ConformalInterval ci = Policy.predict(l.info, l.table, l.residuals, "s", "s").interval();
      assertThat(ci.available()).isTrue();
      assertThat(ci.calibrationPoints()).isEqualTo(n);
      covered += ci.contains(mu + sigma * r.nextGaussian()) ? 1 : 0;
    }
    double coverage = (double) covered / trials;
    System.out.printf("conformal coverage %.3f over %d trials (alpha %.2f)%n", coverage, trials, alpha);
    assertThat(coverage).isGreaterThanOrEqualTo(1 - alpha - 0.04);
    assertThat(coverage).isLessThan(0.995);
  }

  @Test
  void tooFewCalibrationPointsGiveNoInterval() {
    LiveSession l = session(SessionType.Q_LEARNING, LearningConfig.builder().conformalAlpha(0.1).build());
    learn(l, "s", "a", 1, null);
    ConformalInterval ci = Policy.predict(l.info, l.table, l.residuals, "s", "s").interval();
    assertThat(ci.available()).isFalse();
    assertThat(ci.calibrationPoints()).isEqualTo(1);
    assertThat(ci.reason()).contains("needs at least 9");
    assertThat(Double.isNaN(ci.lower())).isTrue();
  }
}
