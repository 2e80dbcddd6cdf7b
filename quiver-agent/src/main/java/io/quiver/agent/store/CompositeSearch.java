package io.quiver.agent.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Exact top-k under a filter for a score {@code w·similarity + bonus(payload)} with {@code 0 ≤ bonus ≤ maxBonus}.
 * Pulls the best {@code m} points by similarity (exact scan under the filter) and stops once the k-th best composite
 * score beats what any point outside the pool could reach ({@code w·sim_m + maxBonus}, sim_m the pool's lowest
 * similarity), or the pool already holds every match; otherwise it quadruples {@code m}. So the answer is the true
 * top-k, and is short only when fewer than k records match. Ties in score go to the lower id.
 */
public final class CompositeSearch {
  /** A ranked record: its cosine similarity to the query and its composite score. */
  public record Hit(PointRecord record, double similarity, double score) {}

  private static final Comparator<Hit> ORDER = Comparator.comparingDouble((Hit h) -> -h.score())
      .thenComparingLong(h -> RecordCollection.id(h.record()));

  private CompositeSearch() {}

  /**
   * The best {@code k} records matching {@code filter} whose similarity is at least {@code minSimilarity} (null:
   * any), by {@code simWeight·similarity + bonus(payload)}.
   */
  public static List<Hit> topK(Collection c, float[] query, Filter filter, Float minSimilarity, int k,
      double simWeight, double maxBonus, ToDoubleFunction<ObjectNode> bonus) {
    int m = Math.max(4 * k, 32);
    while (true) {
      int limit = Math.min(m, Collection.MAX_RESULT_WINDOW);
      List<ScoredPoint> pool = c.search(SearchRequest.builder(query).using(RecordCollection.VECTOR).limit(limit)
          .filter(filter).scoreThreshold(minSimilarity).withPayload(PayloadSelector.ALL).exact(true).build());
      List<Hit> hits = new ArrayList<>(pool.size());
      for (ScoredPoint p : pool) {
        double sim = p.score();
        hits.add(new Hit(new PointRecord(p.id(), p.payload(), null), sim, simWeight * sim + bonus.applyAsDouble(
            p.payload())));
      }
      hits.sort(ORDER);
      boolean complete = pool.size() < limit;
      if (!complete && hits.size() >= k) {
        double bound = simWeight * pool.get(pool.size() - 1).score() + maxBonus;
        complete = hits.get(k - 1).score() > bound;
      }
      if (complete) {
        return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
      }
      if (limit == Collection.MAX_RESULT_WINDOW) {
        return scanAll(c, query, filter, minSimilarity, k, simWeight, bonus);
      }
      m *= 4;
    }
  }

  /** Every match scored in turn: for pools past the engine's result window. */
  private static List<Hit> scanAll(Collection c, float[] query, Filter filter, Float minSimilarity, int k,
      double simWeight, ToDoubleFunction<ObjectNode> bonus) {
    float[] q = unit(query);
    List<Hit> hits = new ArrayList<>();
    ScrollRequest req = new ScrollRequest(filter, null, 1024, PayloadSelector.ALL, Set.of(RecordCollection.VECTOR),
        null);
    while (true) {
      ScrollPage page = c.scroll(req);
      for (PointRecord r : page.points()) {
        float[] v = r.vectors() == null ? null : r.vectors().get(RecordCollection.VECTOR);
        if (v == null) {
          continue;
        }
        double sim = dot(q, v);
        if (minSimilarity == null || sim >= minSimilarity) {
          hits.add(new Hit(new PointRecord(r.id(), r.payload(), null), sim,
              simWeight * sim + bonus.applyAsDouble(r.payload())));
        }
      }
      if (page.nextOffset() == null) {
        break;
      }
      req = req.from(page.nextOffset());
    }
    hits.sort(ORDER);
    return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
  }

  private static float[] unit(float[] v) {
    double n = Math.sqrt(dot(v, v));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / n);
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
