package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.distance.Metric;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.hnsw.HnswIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * MaxSim search of a multi-vector field. A sealed segment of an indexed field draws a candidate pool from its FDE
 * graph (the query's {@link Fde} encoding, dot product, the filter and tombstones applied in the walk) and reranks
 * it by exact MaxSim; mutable segments, rerank-only fields, exact requests and filters that accept at most
 * {@link #EXACT_FACTOR} times the pool are scanned by exact MaxSim over every accepted point. Scores are always
 * exact MaxSim; only which points get scored is approximate.
 */
final class MultiVectorSearcher {
  /**
   * Candidates per sealed segment when the request names none. On 100,000 clustered synthetic documents
   * (docs/benchmarks.md, "Multi-vector search") pools of 800 and 1,600 recalled 0.953 and 0.960 of the exact MaxSim
   * top 10 at 81 and 44 times its QPS, 3,200 recalled 0.987 at 13 times; 1,000 keeps the default well above ten
   * times exact MaxSim while a query that needs more asks for it ({@code hnsw_ef}).
   */
  static final int DEFAULT_CANDIDATES = 1_000;
  /**
   * A filter accepting at most this many pools' worth of points is scanned exactly: scoring a point costs what
   * reranking a candidate does, so the scan costs at most this many reranks and needs no filtered graph walk.
   */
  static final int EXACT_FACTOR = 2;
  /**
   * The graph walk's beam is this many pools wide: many documents share nearly the same encoding (those sharing
   * topics), and a beam of one pool returned 0.92 of the FDE's own top 400 on 30,000 clustered documents, where the
   * brute-force FDE top 400 held 0.97 of the exact MaxSim top 10.
   */
  static final int GRAPH_EF_FACTOR = 4;

  private final SegmentHolder holder;
  private final PointValidator validator;
  private final FilterPlanner planner;
  private final PointReader reader;

  MultiVectorSearcher(SegmentHolder holder, PointValidator validator, FilterPlanner planner, PointReader reader) {
    this.holder = holder;
    this.validator = validator;
    this.planner = planner;
    this.reader = reader;
  }

  List<ScoredPoint> search(MultiVectorSearchRequest request) {
    CollectionConfig config = holder.config;
    String field = request.using();
    float[] query = validator.multi(request.vector(), field, "query");
    VectorParams params = config.multiVector(field);
    if ((long) request.offset() + request.limit() > SegmentSearcher.MAX_RESULT_WINDOW) {
      throw new QuiverException.InvalidInput("offset + limit = " + ((long) request.offset() + request.limit())
          + " exceeds the limit of " + SegmentSearcher.MAX_RESULT_WINDOW + " results");
    }
    int k = request.offset() + request.limit();
    int pool = Math.max(k, request.candidates() == null ? DEFAULT_CANDIDATES : request.candidates());
    // hits hold distances: the negated score, so a threshold keeps score >= it
    Hits hits = new Hits(k, request.scoreThreshold() == null ? Float.POSITIVE_INFINITY : -request.scoreThreshold());
    List<ScoredPoint> out = new ArrayList<>();
    holder.read(() -> {
      float[] fdeQuery = null;
      for (Segment s : holder.segments) {
        MultiVectorStore store = s.multi(field);
        if (store == null || s.liveCount() == 0) {
          continue;
        }
        OrdinalFilter accept = null;
        long accepted = s.liveCount();
        if (request.filter() != null) {
          FilterPlanner.Plan plan = planner.plan(s, request.filter(), SearchStrategy.EXACT, true, config.planner());
          accept = plan.matchesAll() ? null : plan.accept();
          accepted = plan.matchesAll() ? accepted : plan.estimate();
        }
        HnswIndex graph = store.fdeGraph();
        if (graph == null || request.exact() || accepted <= (long) EXACT_FACTOR * pool) {
          scan(s, store, query, params, accept, hits);
        } else {
          if (fdeQuery == null) {
            fdeQuery = Fde.forSize(params.size()).query(query);
          }
          rerank(s, store, graph, fdeQuery, query, params, accept, pool, hits);
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

  private static void scan(Segment s, MultiVectorStore store, float[] query, VectorParams params,
      OrdinalFilter accept, Hits hits) {
    int limit = s.ordinals(); // ordinals appended after this are not yet published with their ids
    for (int ord = 0; ord < limit; ord++) {
      if (!s.isDeleted(ord) && store.has(ord) && (accept == null || accept.accept(ord))) {
        hits.offer(-store.maxSim(ord, query, params.size(), params.metric()), s, ord);
      }
    }
  }

  private static void rerank(Segment s, MultiVectorStore store, HnswIndex graph, float[] fdeQuery, float[] query,
      VectorParams params, OrdinalFilter accept, int pool, Hits hits) {
    OrdinalFilter live = accept == null ? ord -> !s.isDeleted(ord) : ord -> !s.isDeleted(ord) && accept.accept(ord);
    SearchResult r = graph.search(fdeQuery, pool, SearchParams.ef(GRAPH_EF_FACTOR * pool), live);
    Metric metric = params.metric();
    for (int i = 0; i < r.size(); i++) {
      int ord = r.ordinals()[i];
      hits.offer(-store.maxSim(ord, query, params.size(), metric), s, ord);
    }
  }
}
