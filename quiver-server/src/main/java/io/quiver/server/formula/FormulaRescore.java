package io.quiver.server.formula;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollRequest;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A formula query over its prefetches' results, as Qdrant's rescoring: the candidates are the union of the
 * prefetched points; each gets the formula's value (its score in prefetch {@code i} is {@code $score[i]}), and they
 * are ranked by it, highest first (ties in first-prefetched order).
 */
public final class FormulaRescore {
  private FormulaRescore() {}

  /**
   * The best {@code limit} candidates of {@code prefetched} (each list a prefetch's ranked results) whose formula
   * value is at least {@code threshold} (when not null). Points deleted since they were prefetched are left out.
   */
  public static List<ScoredPoint> rank(Collection c, Formula formula, List<List<ScoredPoint>> prefetched, int limit,
      Float threshold) {
    Map<PointId, Float[]> scores = new LinkedHashMap<>();
    for (int i = 0; i < prefetched.size(); i++) {
      for (ScoredPoint p : prefetched.get(i)) {
        Float[] s = scores.computeIfAbsent(p.id(), id -> new Float[prefetched.size()]);
        if (s[i] == null) { // a prefetch lists a point once; keep its first score if not
          s[i] = p.score();
        }
      }
    }
    if (scores.isEmpty()) {
      return List.of();
    }
    Set<PointId> ids = scores.keySet();
    Map<PointId, JsonNode> payloads = null;
    if (formula.readsPayload()) {
      payloads = new HashMap<>();
      for (PointRecord r : c.retrieve(List.copyOf(ids), PayloadSelector.ALL, null)) {
        payloads.put(r.id(), r.payload());
      }
    }
    List<Set<PointId>> matching = new ArrayList<>(formula.conditions().size());
    for (Filter condition : formula.conditions()) {
      Set<PointId> m = new HashSet<>();
      Filter f = Filter.must(new Condition.HasId(ids), condition);
      for (PointRecord r : c.scroll(new ScrollRequest(f, null, ids.size(), PayloadSelector.NONE, null, null))
          .points()) {
        m.add(r.id());
      }
      matching.add(m);
    }
    FormulaEvaluator evaluator = new FormulaEvaluator(formula);
    List<ScoredPoint> out = new ArrayList<>(scores.size());
    for (var e : scores.entrySet()) {
      PointId id = e.getKey();
      JsonNode payload = null;
      if (payloads != null) {
        payload = payloads.get(id);
        if (payload == null && !payloads.containsKey(id)) {
          continue; // deleted since prefetched
        }
      }
      boolean[] matches = new boolean[matching.size()];
      for (int i = 0; i < matches.length; i++) {
        matches[i] = matching.get(i).contains(id);
      }
      float score = evaluator.score(new FormulaEvaluator.Point(e.getValue(), payload, matches), id.toString());
      if (threshold == null || score >= threshold) {
        out.add(new ScoredPoint(id, score, null, null));
      }
    }
    out.sort((a, b) -> Float.compare(b.score(), a.score())); // stable
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }
}
