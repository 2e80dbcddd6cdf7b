package io.quiver.collection;

import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;
import io.quiver.index.disk.DiskFilteredSearch;
import io.quiver.index.disk.DiskSearchParams;
import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * Search of a disk-resident vector field of one segment ({@link DiskField}): unfiltered, a beam search of the disk
 * index with the request's ef as its list size; filtered, the planner's estimate of the matches and the disk
 * planner's costs ({@link DiskFilteredSearch}) pick between
 * {@link io.quiver.index.disk.DiskIndex#searchAmong} over the matching ordinals (their RAM codes scored, only the
 * best list read from disk) and a filtered beam search with a list widened by the inverse selectivity. Either way
 * never fewer than {@code min(k, live matches)} results: a beam search that comes back short is followed by
 * searchAmong over all the matches. Exact searches do not come here (they scan with the stored vectors).
 */
final class DiskSearch {
  private DiskSearch() {}

  /**
   * The plan for a filter with about {@code estimate} matches among {@code live} points: the disk planner's cost
   * model ({@link DiskFilteredSearch}), code scan or widened walk.
   */
  static DiskFilteredSearch.Plan plan(long estimate, long live, int k, int list) {
    return DiskFilteredSearch.DEFAULT.plan((int) Math.min(Integer.MAX_VALUE, Math.max(0, estimate)),
        (int) Math.min(Integer.MAX_VALUE, live), k, DiskSearchParams.listSize(list));
  }

  /** An unfiltered search of {@code s}'s disk field {@code f} into {@code hits}. */
  static SegmentPlan unfiltered(Segment s, DiskField f, float[] query, int k, int ef, Hits hits) {
    long live = s.liveCount();
    // the segment's tombstones are mirrored into the index (Segment#tombstoned): no filter needed, and offer drops
    // a point deleted between the two
    SearchResult r = f.index().search(query, k, params(Math.max(k, ef), k), null);
    long cost = r.distanceComputations();
    boolean fallback = false;
    if (r.size() < k) {
      int[] all = matches(s, f, null, null);
      if (all.length > r.size()) { // a walk that missed live points (few left reachable, or a tiny segment)
        r = among(f, query, k, all, ef);
        cost += all.length;
        fallback = true;
      }
    }
    offer(s, r, hits);
    return new SegmentPlan(s.id, live, fallback ? SearchStrategy.EXACT : SearchStrategy.ROUTE_THROUGH,
        SearchStrategy.ROUTE_THROUGH, live, true, fallback, cost, false);
  }

  /** A search of {@code s}'s disk field {@code f} among the points {@code plan}'s filter accepts, into {@code hits}. */
  static SegmentPlan filtered(Segment s, DiskField f, FilterPlanner.Plan plan, float[] query, int k, int ef,
      Hits hits) {
    long live = s.liveCount();
    long estimate = plan.estimate();
    boolean exactEstimate = plan.indexed() != null;
    int list = Math.max(k, ef);
    DiskFilteredSearch.Plan diskPlan = plan(estimate, live, k, list);
    if (diskPlan.strategy() == DiskFilteredSearch.Strategy.SCAN_CODES) {
      int[] m = matches(s, f, plan.indexed(), plan.indexed() != null ? null : plan.accept());
      SearchResult r = among(f, query, k, m, ef);
      offer(s, r, hits);
      return new SegmentPlan(s.id, live, SearchStrategy.EXACT, SearchStrategy.EXACT, estimate, exactEstimate, false,
          m.length, false);
    }
    OrdinalFilter accept = plan.indexed() != null ? FilterPlanner.bitsetFilter(s, plan.indexed())
        : FilterPlanner.memoize(s, plan.accept());
    // the list holds accepted and rejected nodes alike: widened so that about L of it are matches
    int widened = diskPlan.listSize();
    SearchResult r = f.index().search(query, k, params(widened, k), accept);
    long cost = r.distanceComputations();
    boolean fallback = false;
    if (r.size() < k) {
      int[] m = matches(s, f, null, accept);
      if (m.length > r.size()) {
        r = among(f, query, k, m, ef);
        cost += m.length;
        fallback = true;
      }
    }
    offer(s, r, hits);
    return new SegmentPlan(s.id, live, fallback ? SearchStrategy.EXACT : SearchStrategy.ROUTE_THROUGH,
        SearchStrategy.ROUTE_THROUGH, estimate, exactEstimate, fallback, cost, false);
  }

  /**
   * {@link Segment#graphSearch} of a disk field: a beam search with {@code accept} (null: live points); usable when
   * it found k, else the caller scans exactly.
   */
  static Segment.GraphOutcome graphSearch(Segment s, DiskField f, float[] query, int k, int ef, OrdinalFilter accept,
      Hits out) {
    int list = Math.max(k, ef > 0 ? ef : DiskSearchParams.DEFAULT.listSize());
    SearchResult r = f.index().search(query, k, params(list, k), accept);
    if (r.size() < k) {
      return new Segment.GraphOutcome(false, r.distanceComputations());
    }
    offer(s, r, out);
    return new Segment.GraphOutcome(true, r.distanceComputations());
  }

  /**
   * Search params with list size {@code list}: the final k are rescored with their float vectors (one read each when
   * not cached), so that scores are exact, as a quantized collection's are with its default rescore.
   */
  private static DiskSearchParams params(int list, int k) {
    return DiskSearchParams.listSize(list).withRerank(k);
  }

  private static SearchResult among(DiskField f, float[] query, int k, int[] ordinals, int ef) {
    if (ordinals.length == 0) {
      return SearchResult.EMPTY;
    }
    return f.index().searchAmong(query, k, ordinals, ordinals.length, params(Math.max(k, ef), k));
  }

  private static void offer(Segment s, SearchResult r, Hits hits) {
    for (int i = 0; i < r.size(); i++) {
      int ord = r.ordinals()[i];
      if (!s.isDeleted(ord)) { // a delete after the search's filter was made
        hits.offer(r.distances()[i], s, ord);
      }
    }
  }

  /**
   * The live ordinals of {@code s} with a vector in {@code f} among {@code candidates} (null: all ordinals) that
   * {@code accept} passes (null: all), ascending.
   */
  static int[] matches(Segment s, DiskField f, RoaringBitmap candidates, OrdinalFilter accept) {
    int ords = s.ordinals();
    int[] out = new int[candidates == null ? Math.max(16, s.liveCount())
        : (int) Math.min(ords, candidates.getLongCardinality())];
    int n = 0;
    var it = candidates == null ? null : candidates.getIntIterator();
    for (int ord = 0; ; ord++) {
      if (it != null) {
        if (!it.hasNext()) {
          break;
        }
        ord = it.next();
      }
      if (ord >= ords) {
        break;
      }
      if (!s.isDeleted(ord) && f.hasVector(ord) && (accept == null || accept.accept(ord))) {
        if (n == out.length) {
          out = Arrays.copyOf(out, Math.max(16, 2 * n));
        }
        out[n++] = ord;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}
