package io.quiver.agent.learning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session loaded in memory: its stored record, table, residual window and SARSA's waiting transition, and the
 * online learning step that changes them. {@link #learn} only computes; the caller persists what it returns.
 */
final class LiveSession {
  SessionInfo info;
  final QTable table;
  final ResidualWindow residuals;
  Transition pending;

  LiveSession(SessionInfo info, QTable table, ResidualWindow residuals, Transition pending) {
    this.info = info;
    this.table = table;
    this.residuals = residuals;
    this.pending = pending;
  }

  /** The writes one feedback makes: its transition, the SARSA transition it completed (or null), changed rows. */
  record Step(Transition transition, Transition resolved, List<QTable.Row> rows, FeedbackResult result) {}

  /** Learns from {@code t} (seq = feedback count + 1) and moves the session on. */
  Step learn(Transition t) {
    Map<String, QTable.Row> touched = new LinkedHashMap<>();
    Transition resolved = null;
    Transition current = t;
    LearningConfig c = info.config();
    long resolvedSeq = 0;
    if (info.type() == SessionType.SARSA) {
      QTable.Row row = table.rowOrCreate(t.state(), t.stateText());
      QTable.Cell cell = row.cells.computeIfAbsent(t.action(), a -> new QTable.Cell(c.initialValue(), 0, 0));
      table.noteAction(t.action());
      cell.visits++;
      cell.rewardSum += t.reward();
      touched.put(row.key, row);
      if (pending != null) {
        String next = pending.nextState().equals(t.state()) ? t.action()
            : table.greedy(pending.nextState(), c.actions(), c.initialValue());
        resolved = resolve(pending, next, touched);
        resolvedSeq = pending.seq();
        pending = null;
      }
      if (t.nextState() == null || t.nextAction() != null) {
        current = resolve(t, t.nextAction(), touched);
      } else {
        pending = t;
      }
    } else {
      double target = Updates.target(info, table, t.nextState(), null, t.reward(), c.discountFactor());
      double res = Updates.apply(info, table, t.state(), t.stateText(), t.action(), t.reward(), target,
          c.learningRate(), true);
      residuals.add(res);
      current = t.withResolution(null, res);
      QTable.Row row = table.row(t.state());
      touched.put(row.key, row);
    }
    for (QTable.Row r : touched.values()) {
      r.seq = t.seq();
    }
    info = info.withProgress(t.seq(), pending == null ? 0 : pending.seq());
    double value = table.value(t.state(), t.action(), c.initialValue());
    FeedbackResult result = new FeedbackResult(info.sessionId(), t.seq(), current.residual(), value,
        pending != null && pending.seq() == t.seq(), resolvedSeq);
    return new Step(current, resolved, new ArrayList<>(touched.values()), result);
  }

  /** Completes SARSA's update of {@code p} with next action {@code next} (null: terminal). */
  private Transition resolve(Transition p, String next, Map<String, QTable.Row> touched) {
    LearningConfig c = info.config();
    double target = Updates.target(info, table, p.nextState(), next, p.reward(), c.discountFactor());
    double res = Updates.apply(info, table, p.state(), p.stateText(), p.action(), p.reward(), target,
        c.learningRate(), false);
    residuals.add(res);
    QTable.Row row = table.row(p.state());
    touched.put(row.key, row);
    return p.withResolution(next, res);
  }

  /** At the end of a session: SARSA's waiting update completed with the greedy next action (null: none waits). */
  Step resolvePending() {
    if (pending == null) {
      return null;
    }
    Map<String, QTable.Row> touched = new LinkedHashMap<>();
    LearningConfig c = info.config();
    Transition p = pending;
    Transition r = resolve(p, table.greedy(p.nextState(), c.actions(), c.initialValue()), touched);
    pending = null;
    info = info.withProgress(info.feedbackCount(), 0);
    return new Step(r, null, new ArrayList<>(touched.values()), new FeedbackResult(info.sessionId(), p.seq(),
        r.residual(), table.value(p.state(), p.action(), c.initialValue()), false, p.seq()));
  }
}
