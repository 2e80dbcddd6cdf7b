package io.quiver.agent.learning;

import io.quiver.QuiverException;
import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Plans a {@link TransferRequest} on a copy of the target's table; the caller writes the changed rows. */
final class Transfers {
  private Transfers() {}

  record Plan(TransferReport report, List<QTable.Row> rows) {}

  static Plan plan(TransferRequest req, LiveSession source, LiveSession target, DenseTextModel embedder,
      LearningStore store) {
    boolean sourceBandit = source.info.type() == SessionType.BANDIT_UCB1;
    if (sourceBandit != (target.info.type() == SessionType.BANDIT_UCB1)) {
      throw new QuiverException.InvalidInput("cannot transfer between a bandit (values are mean rewards) and a "
          + "Q-learning or SARSA session (values are discounted returns)");
    }
    List<QTable.Row> sources = new ArrayList<>(source.table.rows());
    sources.sort(Comparator.comparingLong(QTable.Row::visits).reversed().thenComparing(r -> r.key));
    sources = sources.subList(0, Math.min(req.maxTransfers(), sources.size()));
    QTable work = target.table.copy();
    List<TransferReport.Item> items = new ArrayList<>();
    List<QTable.Row> changed = new ArrayList<>();
    for (QTable.Row src : sources) {
      QTable.Row dst = work.row(src.key);
      double sim = 1;
      if (dst == null && req.minSimilarity() < 1) {
        float[] v = src.vector != null ? src.vector : embedder.embed(List.of(src.text)).getFirst();
        List<LearningStore.ScoredRow> near = store.nearestRows(v, target.info.sessionId(), 1, req.minSimilarity());
        if (!near.isEmpty()) {
          dst = work.row(near.getFirst().row().key);
          sim = Math.min(1, near.getFirst().similarity());
        }
      }
      boolean created = dst == null;
      if (created) {
        dst = work.rowOrCreate(src.key, src.text);
        dst.vector = src.vector;
      }
      List<String> actions = new ArrayList<>();
      double w = req.blend() * sim;
      for (var e : src.cells.entrySet()) {
        QTable.Cell have = dst.cells.get(e.getKey());
        if (have == null || have.visits == 0) {
          dst.cells.put(e.getKey(), new QTable.Cell(e.getValue().value, have == null ? 0 : have.visits,
              have == null ? 0 : have.rewardSum));
        } else {
          have.value = (1 - w) * have.value + w * e.getValue().value;
        }
        actions.add(e.getKey());
      }
      items.add(new TransferReport.Item(src.text, dst.text, sim, created, actions));
      if (!changed.contains(dst)) {
        changed.add(dst);
      }
    }
    return new Plan(new TransferReport(source.info.sessionId(), target.info.sessionId(), items), changed);
  }
}
