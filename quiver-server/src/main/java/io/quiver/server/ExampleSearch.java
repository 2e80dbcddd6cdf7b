package io.quiver.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Runs an {@link ExampleQuery}: {@code average_vector} as one nearest search; every scored query exactly, by a scan
 * of every point that passes the filter (its vector of the field read page by page) keeping the best
 * {@code limit + offset}. The scan costs one similarity per example per filtered point: exact, with no HNSW
 * approximation, and linear in the filtered points. Example point ids are left out of the results.
 */
final class ExampleSearch {
  /** Points read per scroll page during a scan: bounds the vectors held at once. */
  static final int SCAN_PAGE = 1024;

  private record Candidate(ScoredPoint point, long seq) {}

  /** Best first; equal scores keep scan (id) order. */
  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingDouble((Candidate x) -> -x.point().score()).thenComparingLong(Candidate::seq);

  private ExampleSearch() {}

  /** Runs {@code q} on field {@code using} with the search fields of {@code body} (at {@code path}). */
  static HybridQuery.Page run(Collection c, ExampleQuery.Parsed q, ObjectNode body, String path, String using,
      Endpoints ep) {
    SearchRequest.Builder b = SearchRequest.builder(q.average() == null ? new float[0] : q.average()).using(using);
    SearchParams.apply(b, body, path, ep);
    Filter filter = withoutExamples(Json.filter(body.get("filter")), q.exampleIds());
    b.filter(filter);
    SearchRequest sr = b.build();
    if (q.average() != null) {
      return new HybridQuery.Page(c.search(sr), sr.payload());
    }
    List<ScoredPoint> best = scan(c, q.scorer(), using, filter, sr.limit() + sr.offset(), sr.scoreThreshold());
    List<ScoredPoint> page = best.subList(Math.min(sr.offset(), best.size()), best.size());
    return HybridQuery.withRecords(c, page, sr.payload(), sr.withVectors());
  }

  /**
   * The {@code limit} best points passing {@code filter} (example ids left out), as a prefetch level ranks them:
   * nearest-search scores for average_vector (searched with {@code ef} and {@code exact}), else scan scores.
   */
  static List<ScoredPoint> ranked(Collection c, ExampleQuery.Parsed q, String using, Filter filter, int limit,
      Float threshold, int ef, boolean exact) {
    Filter f = withoutExamples(filter, q.exampleIds());
    if (q.average() == null) {
      return scan(c, q.scorer(), using, f, limit, threshold);
    }
    return c.search(SearchRequest.builder(q.average()).using(using).limit(limit).filter(f).scoreThreshold(threshold)
        .ef(ef).exact(exact).build());
  }

  /** {@code filter} and none of {@code ids}; {@code filter} itself when there are no ids. */
  static Filter withoutExamples(Filter filter, Set<PointId> ids) {
    if (ids.isEmpty()) {
      return filter;
    }
    return new Filter(filter == null ? List.of() : List.of(filter), List.of(), List.of(new Condition.HasId(ids)),
        null);
  }

  /** The {@code window} best points passing {@code filter} by {@code scorer}, best first. */
  static List<ScoredPoint> scan(Collection c, ExampleQuery.Scorer scorer, String using, Filter filter, int window,
      Float threshold) {
    PriorityQueue<Candidate> worst = new PriorityQueue<>(BEST_FIRST.reversed());
    ScrollRequest req = new ScrollRequest(filter, null, SCAN_PAGE, PayloadSelector.NONE, Set.of(using), null);
    long seq = 0;
    while (true) {
      ScrollPage page = c.scroll(req);
      for (PointRecord r : page.points()) {
        float[] v = r.vectors() == null ? null : r.vectors().get(using);
        if (v == null) { // a point without this field is no candidate
          continue;
        }
        float s = scorer.score(v);
        if (threshold != null && !(s >= threshold)) {
          continue;
        }
        Candidate cand = new Candidate(new ScoredPoint(r.id(), s, null, null), seq++);
        if (worst.size() < window) {
          worst.add(cand);
        } else if (BEST_FIRST.compare(cand, worst.peek()) < 0) {
          worst.poll();
          worst.add(cand);
        }
      }
      if (page.nextOffset() == null) {
        break;
      }
      req = req.from(page.nextOffset());
    }
    List<Candidate> out = new ArrayList<>(worst);
    out.sort(BEST_FIRST);
    return out.stream().map(Candidate::point).toList();
  }
}
