package io.quiver.agent.learning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A session's greedy policy: per state, the action with the highest value. Once a session has ended this is its
 * final policy; the Q-table rows it is read from are stored and no longer change.
 */
public record PolicySummary(String sessionId, SessionType type, boolean active, long feedbackCount,
    List<Entry> entries) {
  /** One state's greedy action and its value and visits. */
  public record Entry(String state, String action, double value, long visits) {}

  public PolicySummary {
    entries = List.copyOf(entries);
  }

  static PolicySummary of(SessionInfo s, QTable table) {
    List<Entry> entries = new ArrayList<>();
    for (QTable.Row r : table.rows()) {
      String best = r.best();
      if (best != null) {
        entries.add(new Entry(r.text, best, r.cells.get(best).value, r.visits()));
      }
    }
    entries.sort(Comparator.comparing(Entry::state));
    return new PolicySummary(s.sessionId(), s.type(), s.active(), s.feedbackCount(), entries);
  }

  /** The greedy action at the state with text {@code state} (as first given), or null. */
  public String actionAt(String state) {
    return entries.stream().filter(e -> e.state().equals(state)).map(Entry::action).findFirst().orElse(null);
  }
}
