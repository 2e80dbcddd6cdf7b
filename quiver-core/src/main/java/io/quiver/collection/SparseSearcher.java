package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.index.OrdinalFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Exact sparse search: term-at-a-time over each segment's postings of the query's indices into a score per touched
 * ordinal, then the touched live points that pass the filter compete for the top k. With the IDF modifier each
 * query weight is first multiplied by Qdrant's {@code ln(1 + (N - n + 0.5) / (n + 0.5))}, N the live points that
 * have the field and n those that have the index, over the whole collection.
 */
final class SparseSearcher {
  private final SegmentHolder holder;
  private final PointValidator validator;
  private final FilterPlanner planner;
  private final PointReader reader;

  SparseSearcher(SegmentHolder holder, PointValidator validator, FilterPlanner planner, PointReader reader) {
    this.holder = holder;
    this.validator = validator;
    this.planner = planner;
    this.reader = reader;
  }

  List<ScoredPoint> search(SparseSearchRequest request) {
    CollectionConfig config = holder.config;
    String field = request.using();
    SparseVectorParams params = config.sparseVector(field);
    SparseVector query = validator.sparse(request.vector(), field, "query");
    if ((long) request.offset() + request.limit() > SegmentSearcher.MAX_RESULT_WINDOW) {
      throw new QuiverException.InvalidInput("offset + limit = " + ((long) request.offset() + request.limit())
          + " exceeds the limit of " + SegmentSearcher.MAX_RESULT_WINDOW + " results");
    }
    int k = request.offset() + request.limit();
    // hits hold distances: the negated score, so a threshold keeps score >= it
    Hits hits = new Hits(k, request.scoreThreshold() == null ? Float.POSITIVE_INFINITY : -request.scoreThreshold());
    List<ScoredPoint> out = new ArrayList<>();
    holder.read(() -> {
      List<Segment> segments = holder.segments;
      float[] weights = params.modifier() == SparseVectorParams.Modifier.IDF
          ? idfWeights(segments, field, query) : query.values();
      for (Segment s : segments) {
        SparseIndex index = s.sparse(field);
        if (index != null && s.liveCount() > 0) {
          searchSegment(s, index, query, weights, request, config, hits);
        }
      }
      Set<PointId> seen = new HashSet<>();
      int rank = 0;
      for (Hits.Hit h : hits.sorted()) {
        PointId id = h.segment().idOf(h.ordinal());
        if (!seen.add(id) || rank++ < request.offset()) {
          continue; // a point moved by a concurrent write can be seen twice: its better version came first
        }
        PointRecord r = reader.record(id, new Location(h.segment(), h.ordinal()), request.payload(),
            request.withVectors());
        out.add(new ScoredPoint(r.id(), -h.distance(), r.payload(), r.vectors(), r.sparseVectors()));
      }
    });
    return out;
  }

  private void searchSegment(Segment s, SparseIndex index, SparseVector query, float[] weights,
      SparseSearchRequest request, CollectionConfig config, Hits hits) {
    int limit = s.ordinals(); // ordinals appended after this are not yet published with their ids
    SparseScores scores = new SparseScores(limit);
    for (int i = 0; i < query.size(); i++) {
      index.accumulate(query.indices()[i], weights[i], limit, scores);
    }
    if (scores.size() == 0) {
      return; // nothing to filter: the planner's index lookups would be wasted
    }
    OrdinalFilter accept = null;
    if (request.filter() != null) {
      FilterPlanner.Plan plan = planner.plan(s, request.filter(), SearchStrategy.EXACT, true, config.planner());
      accept = plan.matchesAll() ? null : plan.accept();
    }
    for (int i = 0; i < scores.size(); i++) {
      int ord = scores.ordinal(i);
      if (!s.isDeleted(ord) && (accept == null || accept.accept(ord))) {
        hits.offer(-scores.score(ord), s, ord);
      }
    }
  }

  /** The query's values times each index's IDF over the live points of every segment. */
  private static float[] idfWeights(List<Segment> segments, String field, SparseVector query) {
    long points = 0;
    long[] having = new long[query.size()];
    for (Segment s : segments) {
      SparseIndex index = s.sparse(field);
      if (index == null) {
        continue;
      }
      points += liveVectors(s, index);
      for (int i = 0; i < query.size(); i++) {
        having[i] += index.livePostings(query.indices()[i], s);
      }
    }
    float[] w = new float[query.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = query.values()[i] * idf(points, having[i]);
    }
    return w;
  }

  /** Qdrant's IDF of an index found in {@code n} of {@code total} points. */
  static float idf(long total, long n) {
    return (float) Math.log(1 + (total - n + 0.5) / (n + 0.5));
  }

  /** Live points of {@code s} with a vector in {@code index}: the tombstones are walked, not the points. */
  private static long liveVectors(Segment s, SparseIndex index) {
    long n = index.vectors();
    if (s.deletedCount() == 0) {
      return n;
    }
    long[] words = s.deletedWords();
    for (int w = 0; w < words.length; w++) {
      for (long bits = words[w]; bits != 0; bits &= bits - 1) {
        if (index.has((w << 6) + Long.numberOfTrailingZeros(bits))) {
          n--;
        }
      }
    }
    return n;
  }
}
