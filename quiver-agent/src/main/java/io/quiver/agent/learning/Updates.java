package io.quiver.agent.learning;

/**
 * The learning rules, applied to a {@link QTable} in place. Each returns the residual |target - Q(s, a)| measured
 * before the update: the held-out error the conformal interval is calibrated from.
 * <ul>
 *   <li>Q-learning: Q(s,a) += alpha (r + gamma max_a' Q(s',a') - Q(s,a)); target r at a terminal step.</li>
 *   <li>SARSA: Q(s,a) += alpha (r + gamma Q(s',a') - Q(s,a)) with a' the action actually taken next.</li>
 *   <li>UCB1 bandit: Q(s,a) += (r - Q(s,a)) / n(s,a), the exact sample mean.</li>
 * </ul>
 */
final class Updates {
  private Updates() {}

  /**
   * The one-step target of a transition from {@code target}'s values (a frozen copy during replay, the live table
   * online): the bootstrap uses max over next actions (Q-learning) or {@code nextAction} (SARSA).
   */
  static double target(SessionInfo s, QTable target, String nextState, String nextAction, double reward,
      double gamma) {
    LearningConfig c = s.config();
    if (s.type() == SessionType.BANDIT_UCB1 || nextState == null) {
      return reward;
    }
    double bootstrap = s.type() == SessionType.SARSA
        ? target.value(nextState, nextAction, c.initialValue())
        : target.maxValue(nextState, c.actions(), c.initialValue());
    return reward + gamma * bootstrap;
  }

  /**
   * Applies one transition with step {@code alpha} toward {@code targetValue}; counts the visit when
   * {@code countVisit} (online feedback does, replay does not). Returns the residual before the update.
   */
  static double apply(SessionInfo s, QTable table, String state, String stateText, String action, double reward,
      double targetValue, double alpha, boolean countVisit) {
    QTable.Row row = table.rowOrCreate(state, stateText);
    table.noteAction(action);
    QTable.Cell cell = row.cells.computeIfAbsent(action, a -> new QTable.Cell(s.config().initialValue(), 0, 0));
    double residual = Math.abs(targetValue - cell.value);
    if (countVisit) {
      cell.visits++;
      cell.rewardSum += reward;
    }
    double step = s.type() == SessionType.BANDIT_UCB1 ? 1.0 / Math.max(1, cell.visits) : alpha;
    cell.value += step * (targetValue - cell.value);
    return residual;
  }
}
