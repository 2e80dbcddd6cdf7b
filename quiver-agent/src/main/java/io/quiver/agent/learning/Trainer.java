package io.quiver.agent.learning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Experience replay over a session's stored transitions. Each epoch shuffles them (seeded by the session's seed and
 * its count of train runs, so a run is reproducible) and replays them in batches; a batch's targets come from the
 * table as it stood when the batch began (a frozen copy), then each transition moves Q(s, a) toward its target with
 * the run's learning rate. SARSA replays the next action recorded with each transition; one still waiting for its
 * next action is skipped. A UCB1 bandit's values are exact sample means already, so its "training" recomputes them
 * from the stored rewards in one pass.
 */
final class Trainer {
  private Trainer() {}

  static TrainReport train(SessionInfo s, QTable table, List<Transition> all, int epochs, int batchSize, double lr) {
    List<Transition> replay = new ArrayList<>();
    double rewardSum = 0;
    for (Transition t : all) {
      boolean waits = s.type() == SessionType.SARSA && t.nextState() != null && t.nextAction() == null;
      if (t.learned() && !waits) {
        replay.add(t);
        rewardSum += t.reward();
      }
    }
    double avgReward = replay.isEmpty() ? Double.NaN : rewardSum / replay.size();
    if (replay.isEmpty()) {
      return new TrainReport(s.sessionId(), 0, batchSize, lr, 0, List.of(), avgReward, 0);
    }
    if (s.type() == SessionType.BANDIT_UCB1) {
      return bandit(s, table, replay, batchSize, lr, avgReward);
    }
    Random random = new Random(Policy.mix(Policy.seed(s) ^ (s.trainRuns() + 1)));
    List<Double> losses = new ArrayList<>();
    double convergence = 0;
    for (int e = 0; e < epochs; e++) {
      Map<String, Double> before = values(table);
      Collections.shuffle(replay, random);
      double sq = 0;
      for (int from = 0; from < replay.size(); from += batchSize) {
        QTable frozen = table.copy();
        for (Transition t : replay.subList(from, Math.min(replay.size(), from + batchSize))) {
          double target = Updates.target(s, frozen, t.nextState(), t.nextAction(), t.reward(),
              s.config().discountFactor());
          double err = Updates.apply(s, table, t.state(), t.stateText(), t.action(), t.reward(), target, lr, false);
          sq += err * err;
        }
      }
      losses.add(sq / replay.size());
      convergence = maxChange(before, values(table));
    }
    return new TrainReport(s.sessionId(), epochs, batchSize, lr, replay.size(), losses, avgReward, convergence);
  }

  private static TrainReport bandit(SessionInfo s, QTable table, List<Transition> replay, int batchSize, double lr,
      double avgReward) {
    Map<String, Double> before = values(table);
    Map<String, double[]> sums = new HashMap<>();
    for (Transition t : replay) {
      double[] acc = sums.computeIfAbsent(t.state() + "\u0000" + t.action(), k -> new double[2]);
      acc[0] += t.reward();
      acc[1]++;
    }
    double sq = 0;
    for (QTable.Row r : table.rows()) {
      for (var e : r.cells.entrySet()) {
        double[] acc = sums.get(r.key + "\u0000" + e.getKey());
        if (acc != null) {
          e.getValue().value = acc[0] / acc[1];
        }
      }
    }
    for (Transition t : replay) {
      double d = t.reward() - table.value(t.state(), t.action(), s.config().initialValue());
      sq += d * d;
    }
    return new TrainReport(s.sessionId(), 1, batchSize, lr, replay.size(), List.of(sq / replay.size()), avgReward,
        maxChange(before, values(table)));
  }

  private static Map<String, Double> values(QTable table) {
    Map<String, Double> out = new HashMap<>();
    for (QTable.Row r : table.rows()) {
      r.cells.forEach((a, c) -> out.put(r.key + "\u0000" + a, c.value));
    }
    return out;
  }

  private static double maxChange(Map<String, Double> before, Map<String, Double> after) {
    double max = 0;
    for (var e : after.entrySet()) {
      Double b = before.get(e.getKey());
      max = Math.max(max, Math.abs(e.getValue() - (b == null ? 0 : b)));
    }
    return max;
  }
}
