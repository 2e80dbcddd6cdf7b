package io.quiver.agent.learning;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A session's table in memory: per state key, per action, the value estimate, the visit count and the sum of the
 * rewards observed. Actions are kept sorted, so ties break towards the lexicographically first action everywhere.
 * Not thread-safe: the owning {@link LearningSession} serialises access.
 */
final class QTable {
  /** One action's statistics in one state. */
  static final class Cell {
    double value;
    long visits;
    double rewardSum;

    Cell(double value, long visits, double rewardSum) {
      this.value = value;
      this.visits = visits;
      this.rewardSum = rewardSum;
    }
  }

  /** One state's row: its key, the text it was first seen as, its cells, and the feedback seq that last wrote it. */
  static final class Row {
    final String key;
    final String text;
    final TreeMap<String, Cell> cells = new TreeMap<>();
    long seq;
    /** The embedding of {@code text} (similarity for transfer and explain), set when first stored. */
    float[] vector;

    Row(String key, String text) {
      this.key = key;
      this.text = text;
    }

    long visits() {
      long n = 0;
      for (Cell c : cells.values()) {
        n += c.visits;
      }
      return n;
    }

    /** The action with the highest value (first in order among ties), or null for an empty row. */
    String best() {
      String best = null;
      double v = Double.NEGATIVE_INFINITY;
      for (var e : cells.entrySet()) {
        if (e.getValue().value > v) {
          v = e.getValue().value;
          best = e.getKey();
        }
      }
      return best;
    }
  }

  private final Map<String, Row> rows = new HashMap<>();
  private final Set<String> actions = new TreeSet<>();

  Row row(String key) {
    return rows.get(key);
  }

  Row rowOrCreate(String key, String text) {
    return rows.computeIfAbsent(key, k -> new Row(k, text));
  }

  void put(Row row) {
    rows.put(row.key, row);
    actions.addAll(row.cells.keySet());
  }

  Collection<Row> rows() {
    return rows.values();
  }

  /** Every action seen in any state of the session. */
  Set<String> allActions() {
    return actions;
  }

  void noteAction(String action) {
    actions.add(action);
  }

  /** Q(s, a), or {@code prior} when never set. */
  double value(String state, String action, double prior) {
    Row r = rows.get(state);
    Cell c = r == null ? null : r.cells.get(action);
    return c == null ? prior : c.value;
  }

  /**
   * The candidate actions at {@code state}: the configured ones, those tried there, and when the state has none of
   * either, every action the session has seen (so an unseen state is explored over the known actions).
   */
  TreeSet<String> candidates(String state, List<String> configured) {
    TreeSet<String> out = new TreeSet<>(configured);
    Row r = rows.get(state);
    if (r != null) {
      out.addAll(r.cells.keySet());
    }
    if (out.isEmpty()) {
      out.addAll(actions);
    }
    return out;
  }

  /** max over the candidate actions at {@code state} of Q (untried: {@code prior}); {@code prior} if none known. */
  double maxValue(String state, List<String> configured, double prior) {
    double best = Double.NEGATIVE_INFINITY;
    for (String a : candidates(state, configured)) {
      best = Math.max(best, value(state, a, prior));
    }
    return best == Double.NEGATIVE_INFINITY ? prior : best;
  }

  /** The greedy action at {@code state} (highest value, first among ties), or null when no action is known. */
  String greedy(String state, List<String> configured, double prior) {
    String best = null;
    double v = Double.NEGATIVE_INFINITY;
    for (String a : candidates(state, configured)) {
      double q = value(state, a, prior);
      if (q > v) {
        v = q;
        best = a;
      }
    }
    return best;
  }

  /** A deep copy (replay computes a batch's targets from a frozen copy). */
  QTable copy() {
    QTable t = new QTable();
    for (Row r : rows.values()) {
      Row c = new Row(r.key, r.text);
      c.seq = r.seq;
      c.vector = r.vector;
      r.cells.forEach((a, cell) -> c.cells.put(a, new Cell(cell.value, cell.visits, cell.rewardSum)));
      t.put(c);
    }
    t.actions.addAll(actions);
    return t;
  }
}
