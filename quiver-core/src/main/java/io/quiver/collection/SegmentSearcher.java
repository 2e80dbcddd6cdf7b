package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.distance.Metric;
import io.quiver.filter.Filter;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.quantization.QuantizedScorer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * Nearest-neighbour search over every segment of a collection: each segment is searched as the {@link FilterPlanner}
 * decides (a graph walk, ACORN over the accepted points, or an exact {@link Scan}), a disk-resident field as
 * {@link DiskSearch} decides, into one {@link Hits}.
 */
final class SegmentSearcher {
  /** Largest offset + limit of a search, as Elasticsearch's max_result_window: deeper pages are scrolls. */
  static final int MAX_RESULT_WINDOW = 100_000;

  private final SegmentHolder holder;
  private final PointValidator validator;
  private final FilterPlanner planner;
  private final PointReader reader;
  private final SearchStats stats = new SearchStats();

  SegmentSearcher(SegmentHolder holder, PointValidator validator, FilterPlanner planner, PointReader reader) {
    this.holder = holder;
    this.validator = validator;
    this.planner = planner;
    this.reader = reader;
  }

  SearchStats stats() {
    return stats;
  }

  /** {@link Collection#searchNear}. */
  List<ScoredPoint> searchNear(PointId id, SearchRequest request) {
    float[] vector = reader.retrieve(List.of(id), PayloadSelector.NONE, Set.of(request.using())).stream().findFirst()
        .map(r -> r.vectors().get(request.using()))
        .orElseThrow(() -> new QuiverException.NotFound("No point with id " + id + " found"));
    if (vector == null) {
      throw new QuiverException.NotFound("point " + id + " has no vector '" + request.using() + "'");
    }
    // one more than asked, from the top: the point itself is usually its own nearest neighbour
    int window = Math.min(MAX_RESULT_WINDOW, request.offset() + request.limit() + 1);
    List<ScoredPoint> hits = search(request.toBuilder().vector(vector).offset(0).limit(window).build(), null);
    return hits.stream().filter(h -> !h.id().equals(id)).skip(request.offset()).limit(request.limit()).toList();
  }

  /** The nearest points to the request's vector, best first; {@code plans} (or null) gets each segment's plan. */
  List<ScoredPoint> search(SearchRequest request, List<SegmentPlan> plans) {
    VectorParams params = holder.config.vector(request.using());
    if (params == null) {
      throw new QuiverException.NotFound("collection " + holder.name + " has no vector field '" + request.using()
          + "'; it has " + validator.fieldNames());
    }
    float[] query = validator.query(request.vector(), params, request.using());
    if ((long) request.offset() + request.limit() > MAX_RESULT_WINDOW) {
      throw new QuiverException.InvalidInput("offset + limit = " + ((long) request.offset() + request.limit())
          + " exceeds the limit of " + MAX_RESULT_WINDOW + " results");
    }
    int k = request.offset() + request.limit();
    int ef = Math.max(k, Math.min(MAX_RESULT_WINDOW, request.ef() > 0 ? request.ef() : params.hnsw().efSearch()));
    float maxDistance = request.scoreThreshold() == null ? Float.POSITIVE_INFINITY
        : maxDistance(params.metric(), request.scoreThreshold());
    Hits hits = new Hits(k, maxDistance);
    List<ScoredPoint> out = new ArrayList<>();
    holder.read(() -> {
      for (Segment s : holder.segments) {
        if (s.liveCount() == 0) {
          continue;
        }
        SegmentPlan plan = searchSegment(s, request, query, k, ef, hits);
        stats.record(plan);
        if (plans != null) {
          plans.add(plan);
        }
      }
      // a point rewritten by a concurrent write can be seen at its old and its new ordinal, in two segments or in
      // the mutable one (the new version is appended before the old one is tombstoned): keep the better one.
      // Checking only hits from different segments let CollectionConcurrencyTest see an id twice.
      List<Hits.Hit> sorted = hits.sorted();
      Set<PointId> seen = new HashSet<>(2 * sorted.size());
      int rank = 0;
      for (Hits.Hit h : sorted) {
        PointId id = h.segment().idOf(h.ordinal());
        if (!seen.add(id) || rank++ < request.offset()) {
          continue;
        }
        PointRecord r = reader.record(id, new Location(h.segment(), h.ordinal()), request.payload(),
            request.withVectors());
        out.add(new ScoredPoint(r.id(), params.metric().toScore(h.distance()), r.payload(), r.vectors()));
      }
    });
    return out;
  }

  /** Largest internal distance whose score passes {@code threshold} (Qdrant: >= for similarities, <= for distances). */
  static float maxDistance(Metric metric, float threshold) {
    return switch (metric) {
      case L2 -> threshold < 0 ? -1f : threshold * threshold;
      case DOT -> -threshold;
      case COSINE -> 1f - threshold;
      case L1 -> threshold;
    };
  }

  /**
   * Searches one segment as the planner decides: few matches are scanned exactly, a middle range walks the graph
   * over accepted points only (ACORN-1), a permissive filter walks the whole graph. A graph walk over its visit
   * budget, or finding fewer than k, is replaced by an exact scan of the matches.
   */
  private SegmentPlan searchSegment(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits) {
    Filter filter = req.filter();
    boolean exact = req.exact() || req.strategy() == SearchStrategy.EXACT;
    DiskField disk = exact ? null : s.diskField(req.using()); // exact scans read the disk index's stored vectors
    if (filter == null) {
      return disk != null ? DiskSearch.unfiltered(s, disk, query, k, ef, hits)
          : searchUnfiltered(s, req, query, k, ef, hits, exact);
    }
    CollectionConfig config = holder.config;
    FilterPlanner.Plan plan = planner.plan(s, filter, req.strategy(), exact, config.planner());
    if (plan.matchesAll()) { // nothing to filter
      return disk != null ? DiskSearch.unfiltered(s, disk, query, k, ef, hits)
          : searchUnfiltered(s, req, query, k, ef, hits, req.exact());
    }
    if (disk != null) {
      return DiskSearch.filtered(s, disk, plan, query, k, ef, hits);
    }
    long live = s.liveCount();
    long estimate = plan.estimate();
    SearchStrategy planned = plan.strategy();
    boolean indexed = plan.indexed() != null;
    long cost = 0;
    PayloadLinks.Group[] links = null;
    if (planned != SearchStrategy.EXACT) {
      OrdinalFilter walk = FilterPlanner.walkFilter(s, plan);
      long budget = req.strategy() == SearchStrategy.AUTO
          ? Math.max(4L * ef, (long) (config.planner().visitBudget() * estimate)) : 0;
      SearchParams sp = new SearchParams(ef, planned == SearchStrategy.ACORN ? SearchParams.Traversal.ACORN
          : SearchParams.Traversal.ROUTE_THROUGH, budget);
      links = planned == SearchStrategy.ACORN ? s.payloadLinks(req.using(), filter, config.tenantFields()) : null;
      Segment.GraphOutcome g = s.graphSearch(req.using(), query, k, sp, walk, hits, quantized(req), links);
      if (g.usable()) {
        return new SegmentPlan(s.id, live, planned, planned, estimate, indexed, false, g.distanceComputations(),
            links != null);
      }
      cost = g.distanceComputations();
    }
    cost += scan(s, req, query, k, ef, hits, estimate, plan.indexed(), FilterPlanner.scanFilter(s, plan));
    return new SegmentPlan(s.id, live, SearchStrategy.EXACT, planned, estimate, indexed,
        planned != SearchStrategy.EXACT, cost, links != null);
  }

  private SegmentPlan searchUnfiltered(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits,
      boolean exact) {
    long live = s.liveCount();
    OrdinalFilter accept = s.deletedCount() == 0 ? null : ord -> !s.isDeleted(ord);
    long cost = 0;
    if (!exact) {
      Segment.GraphOutcome g = s.graphSearch(req.using(), query, k, SearchParams.ef(ef), accept, hits, quantized(req));
      if (g.usable()) {
        return new SegmentPlan(s.id, live, SearchStrategy.ROUTE_THROUGH, SearchStrategy.ROUTE_THROUGH, live, true,
            false, g.distanceComputations(), false);
      }
      cost = g.distanceComputations();
    }
    cost += scan(s, req, query, k, ef, hits, live, null, accept);
    return new SegmentPlan(s.id, live, SearchStrategy.EXACT, exact ? SearchStrategy.EXACT
        : SearchStrategy.ROUTE_THROUGH, live, true, !exact, cost, false);
  }

  /**
   * Scans the points of {@code s} in {@code candidates} (null: all) that {@code accept} passes (null: all), about
   * {@code accepted} of them: a full-precision scan of a large cosine field goes through {@link BoundedScan},
   * which finds the same hits computing few full distances; other scans are {@link #scanner}'s.
   */
  private long scan(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits, long accepted,
      RoaringBitmap candidates, OrdinalFilter accept) {
    VectorParams params = holder.config.vector(req.using());
    boolean fullPrecision = req.exact() || quantized(req) == null;
    if (fullPrecision && params.metric() == Metric.COSINE
        && BoundedScan.applies(s, req.using(), accepted)) {
      return new BoundedScan(s, req.using(), query, hits, k, hits.maxDistance()).run(candidates,
          accept);
    }
    return scanner(s, req, query, k, ef, hits).run(candidates, accept);
  }

  /** Whether and how graph walks use quantized codes for {@code req} (null: full precision). */
  private Segment.Quantized quantized(SearchRequest req) {
    QuantizationConfig qc = holder.config.quantization();
    SearchRequest.QuantizationParams p = req.quantization();
    if (qc == null || (p != null && p.ignore())) {
      return null;
    }
    return new Segment.Quantized(p != null && p.rescore() != null ? p.rescore() : qc.rescore(),
        p != null && p.oversampling() != null ? p.oversampling() : qc.oversampling(),
        // 1-bit and PQ estimates order the beam too coarsely to cut it: measured on Fashion-MNIST at ef 64, binary
        // recall@10 0.75 reranking the best 30 vs 0.89 reranking all 64; int8 loses nothing reranking the best 20
        qc.kind() == QuantizationConfig.Kind.BINARY || qc.kind() == QuantizationConfig.Kind.PRODUCT);
  }

  /**
   * A scan of {@code s} for {@code req}: over the segment's quantized codes first when it has them and the request
   * may use them ({@code exact: true} never does), keeping as many candidates as a graph walk would rerank (int8 and
   * float16: limit x oversampling; binary and PQ: at least ef).
   */
  private Scan scanner(Segment s, SearchRequest req, float[] query, int k, int ef, Hits hits) {
    Segment.Quantized q = req.exact() ? null : quantized(req);
    QuantizedScorer approx = q == null ? null : s.codeScorer(req.using(), query);
    if (approx == null) {
      return new Scan(s, req.using(), query, hits);
    }
    int keep = (int) Math.min(MAX_RESULT_WINDOW, Math.max(q.wholeBeam() ? ef : 0, Math.ceil(k * q.oversampling())));
    return new Scan(s, req.using(), query, hits, approx, Math.max(k, keep), q.rescore());
  }
}
