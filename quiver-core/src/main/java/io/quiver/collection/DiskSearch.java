package io.quiver.collection;

import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;
import io.quiver.index.disk.DiskSearchParams;
import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * Search of a disk-resident vector field of one segment ({@link DiskField}): unfiltered, a beam search of the disk
 * index with the request's ef as its list size; filtered, the planner's estimate of the matches picks between
 * {@link io.quiver.index.disk.DiskIndex#searchAmong} over the matching ordinals (their RAM codes scored, only the
 * best list read from disk) and a filtered beam search with a list widened by the inverse selectivity. Either way
 * never fewer than {@code min(k, live matches)} results: a beam search that comes back short is followed by
 * searchAmong over all the matches. Exact searches do not come here (they scan with the stored vectors).
 */
final class DiskSearch {
  /**
   * Cost of fetching and scoring one node block over scoring one RAM code. A block from the page cache costs about
   * a page touch and an int8 distance (~1 us at 128 dims), a 1-bit code a popcount pass (~15 ns): about 64. A block
   * from the disk costs ~45 us (this machine's random 4 KiB read), which only moves the choice further towards
   * searchAmong; the page-cache figure keeps walks for the filters where they win even when cached.
   */
  static final double READ_TO_CODE_COST = 64;
  /** Matches searchAmong always takes: scoring this many codes costs about one or two block reads. */
  static final int AMONG_MIN_MATCHES = 4096;

  private DiskSearch() {}

  /**
   * Largest match count searched with searchAmong. It scores m codes and reads L blocks; a filtered beam search at
   * selectivity m/n reads about L·n/m blocks, so searchAmong is the cheaper while m·c_code + L·c_read <=
   * L·(n/m)·c_read, about m <= sqrt(L·n·R) with R = {@link #READ_TO_CODE_COST}. At L 64 that is ~20% of a segment
   * of 100K points, ~6% of one of 1M.
   */
  static long amongThreshold(int listSize, long live) {
    return Math.max(AMONG_MIN_MATCHES, (long) Math.sqrt((double) listSize * live * READ_TO_CODE_COST));
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
    if (estimate <= amongThreshold(list, live)) {
      int[] m = matches(s, f, plan.indexed(), plan.indexed() != null ? null : plan.accept());
      SearchResult r = among(f, query, k, m, ef);
      offer(s, r, hits);
      return new SegmentPlan(s.id, live, SearchStrategy.EXACT, SearchStrategy.EXACT, estimate, exactEstimate, false,
          m.length, false);
    }
    OrdinalFilter accept = plan.indexed() != null ? FilterPlanner.bitsetFilter(s, plan.indexed())
        : FilterPlanner.memoize(s, plan.accept());
    // the list holds accepted and rejected nodes alike: widen it so that about L of it are matches
    double selectivity = Math.max(1, estimate) / (double) Math.max(1, live);
    int widened = (int) Math.min(SegmentSearcher.MAX_RESULT_WINDOW, Math.max(list, Math.ceil(list / selectivity)));
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
