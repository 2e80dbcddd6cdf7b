package io.quiver.agent.learning;

import io.quiver.QuiverException;
import io.quiver.filter.Filter;
import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Explains recommendations: the states nearest to the query (the exact state first when the session has it; by
 * embedding cosine otherwise, exact search over the stored rows, within one session or all), with each action's
 * value and visits and the transitions that taught them.
 */
final class Explainer {
  static final int MAX_K = 100;
  static final int MAX_EVIDENCE = 1000;

  private Explainer() {}

  static Explanation explain(LearningStore store, DenseTextModel embedder, String sessionId, String query, int k,
      int evidence) {
    String key = StateKeys.key(query, "query");
    if (k < 1 || k > MAX_K) {
      throw new QuiverException.InvalidInput("k must be in [1, " + MAX_K + "], got " + k);
    }
    if (evidence < 0 || evidence > MAX_EVIDENCE) {
      throw new QuiverException.InvalidInput("evidence must be in [0, " + MAX_EVIDENCE + "], got " + evidence);
    }
    float[] v = embedder.embed(List.of(query)).getFirst();
    List<LearningStore.ScoredRow> rows = new ArrayList<>(store.nearestRows(v, sessionId, k, -1));
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).row().key.equals(key)) {
        rows.set(i, new LearningStore.ScoredRow(rows.get(i).sessionId(), rows.get(i).row(), 1));
      }
    }
    rows.sort(Comparator.comparingDouble(LearningStore.ScoredRow::similarity).reversed());
    List<Explanation.StateEvidence> out = new ArrayList<>();
    for (LearningStore.ScoredRow r : rows) {
      List<ActionEstimate> actions = new ArrayList<>();
      r.row().cells.forEach((a, c) -> actions.add(new ActionEstimate(a, c.value, c.visits,
          c.visits == 0 ? Double.NaN : c.rewardSum / c.visits, Double.NaN)));
      actions.sort(Comparator.comparingDouble(ActionEstimate::value).reversed()
          .thenComparing(ActionEstimate::action));
      List<Transition> ev = List.of();
      if (evidence > 0) {
        ev = store.transitions(Filter.must(LearningStore.match("session_id", r.sessionId()),
            LearningStore.match("state", r.row().key))).reversed();
        ev = ev.subList(0, Math.min(evidence, ev.size()));
      }
      out.add(new Explanation.StateEvidence(r.sessionId(), r.row().text, r.similarity(), r.row().best(), actions,
          ev));
    }
    return new Explanation(query, out);
  }
}
