package io.quiver.agent.learning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * How a session chooses: epsilon-greedy over Q for Q-learning and SARSA, UCB1 for bandits. The epsilon draw is a
 * hash of (seed, state key, feedback count), not a stateful random source, so the same store answers the same
 * prediction after a reopen, and the draw changes once feedback moves the session on.
 */
final class Policy {
  private Policy() {}

  static Prediction predict(SessionInfo s, QTable table, ResidualWindow residuals, String stateKey,
      String stateText) {
    LearningConfig c = s.config();
    TreeSet<String> candidates = table.candidates(stateKey, c.actions());
    QTable.Row row = table.row(stateKey);
    List<ActionEstimate> estimates = new ArrayList<>();
    long total = row == null ? 0 : row.visits();
    for (String a : candidates) {
      QTable.Cell cell = row == null ? null : row.cells.get(a);
      long n = cell == null ? 0 : cell.visits;
      double value = cell == null ? c.initialValue() : cell.value;
      double mean = n == 0 ? Double.NaN : cell.rewardSum / n;
      double ucb = Double.NaN;
      if (s.type() == SessionType.BANDIT_UCB1) {
        ucb = n == 0 ? Double.POSITIVE_INFINITY : value + c.ucbC() * Math.sqrt(Math.log(total) / n);
      }
      estimates.add(new ActionEstimate(a, value, n, mean, ucb));
    }
    estimates.sort(Comparator.comparingDouble(ActionEstimate::value).reversed()
        .thenComparing(ActionEstimate::action));
    if (estimates.isEmpty()) {
      return new Prediction(s.sessionId(), stateText, null, null, false, row != null, 0, Double.NaN, estimates,
          ConformalInterval.unavailable(c.conformalAlpha(), residuals.size(), "no action to value"),
          "the session knows no action yet: give config.actions or send feedback naming one");
    }
    ActionEstimate greedy = s.type() == SessionType.BANDIT_UCB1 ? ucbChoice(estimates) : estimates.getFirst();
    ActionEstimate chosen = greedy;
    boolean explored = false;
    if (s.type() != SessionType.BANDIT_UCB1 && s.active() && c.explorationRate() > 0) {
      long seed = seed(s);
      long h = mix(seed ^ mix(stateKey.hashCode() * 0x9E3779B97F4A7C15L ^ s.feedbackCount()));
      double u = (h >>> 11) * 0x1.0p-53;
      if (u < c.explorationRate()) {
        List<ActionEstimate> byName = new ArrayList<>(estimates);
        byName.sort(Comparator.comparing(ActionEstimate::action));
        chosen = byName.get((int) Long.remainderUnsigned(mix(h), byName.size()));
        explored = true;
      }
    }
    double confidence = chosen.visits() / (chosen.visits() + 1.0);
    return new Prediction(s.sessionId(), stateText, chosen.action(), greedy.action(), explored, row != null,
        confidence, chosen.value(), estimates, residuals.interval(chosen.value(), c.conformalAlpha()), null);
  }

  /** UCB1: an untried arm first (in name order), else the highest index (ties: name order). */
  private static ActionEstimate ucbChoice(List<ActionEstimate> estimates) {
    ActionEstimate best = null;
    for (ActionEstimate e : estimates) {
      if (best == null || e.ucb() > best.ucb()
          || (e.ucb() == best.ucb() && e.action().compareTo(best.action()) < 0)) {
        best = e;
      }
    }
    return best;
  }

  static long seed(SessionInfo s) {
    Long seed = s.config().seed();
    return seed != null ? seed : s.sessionId().hashCode() * 0xC2B2AE3D27D4EB4FL;
  }

  /** SplitMix64's finaliser: a bijective 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
