package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.index.OrdinalFilter;
import io.quiver.payload.SegmentView;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import org.roaringbitmap.BitSetUtil;
import org.roaringbitmap.RoaringBitmap;

/**
 * Decides how a filtered search treats one segment (see {@link PlannerConfig}): the filter's matches are counted
 * exactly from payload indexes where they decide it, else estimated from a sample; the estimate picks the strategy.
 * Also builds the ordinal filters the graph walks and scans test. Needs only segments and an id lookup (for has_id
 * conditions), not a collection.
 */
final class FilterPlanner {
  /** Points sampled to estimate how many points of a segment a filter on unindexed fields accepts. */
  static final int ESTIMATE_SAMPLE = 256;

  /** Where a live id is (for has_id conditions evaluated through the payload index). */
  private final Function<PointId, Location> ids;

  FilterPlanner(Function<PointId, Location> ids) {
    this.ids = ids;
  }

  /**
   * The plan for one segment and a non-null filter.
   *
   * @param indexed the ordinals matching the filter, from payload indexes (null: the filter needs per-point tests)
   * @param estimate the (estimated, or with {@code indexed} exact) number of points the filter accepts
   * @param strategy the strategy chosen
   * @param accept the live points the filter accepts
   * @param matchesAll the payload index says every point matches: search as unfiltered
   */
  record Plan(RoaringBitmap indexed, long estimate, SearchStrategy strategy, OrdinalFilter accept,
      boolean matchesAll) {}

  /**
   * Plans the search of {@code s} for {@code filter}: {@code exact} forces a scan, a {@code requested} strategy other
   * than AUTO is kept, otherwise {@code planner} chooses from the estimate.
   */
  Plan plan(Segment s, Filter filter, SearchStrategy requested, boolean exact, PlannerConfig planner) {
    RoaringBitmap m = indexedMatches(s, filter);
    if (m != null && m.getCardinality() >= s.ordinals() && !exact && requested == SearchStrategy.AUTO) {
      return new Plan(m, s.liveCount(), SearchStrategy.ROUTE_THROUGH, null, true);
    }
    long live = s.liveCount();
    long estimate;
    OrdinalFilter accept;
    if (m != null) {
      estimate = m.getCardinality();
      accept = ord -> m.contains(ord) && !s.isDeleted(ord);
    } else {
      estimate = estimateMatches(s, filter, live);
      accept = ord -> s.matches(ord, filter);
    }
    SearchStrategy planned = exact ? SearchStrategy.EXACT
        : requested == SearchStrategy.AUTO ? planner.choose(estimate, live) : requested;
    return new Plan(m, estimate, planned, accept, false);
  }

  /**
   * The filter a graph walk of {@code s} tests. ACORN tests the filter on two hops of every node it expands, so it
   * gets a cheap one: index matches become a plain bitset minus tombstones; a per-point filter remembers its
   * verdicts. Route-through tests each visited node once: Roaring's own lookup is cheaper than building the bitset.
   */
  static OrdinalFilter walkFilter(Segment s, Plan plan) {
    if (plan.strategy() != SearchStrategy.ACORN) {
      return plan.accept();
    }
    return plan.indexed() != null ? bitsetFilter(s, plan.indexed()) : memoize(s, plan.accept());
  }

  /** The filter an exact scan over {@code plan.indexed()} (or every ordinal) tests: the scan walks the matches. */
  static OrdinalFilter scanFilter(Segment s, Plan plan) {
    if (plan.indexed() == null) {
      return plan.accept();
    }
    return s.deletedCount() == 0 ? null : ord -> !s.isDeleted(ord); // only tombstones are left to check
  }

  /** The live ordinals of {@code s} in {@code matches}, as a filter answering with one word read. */
  static OrdinalFilter bitsetFilter(Segment s, RoaringBitmap matches) {
    int ords = s.ordinals();
    // container by container (a dense container is one array copy): setting bit after bit cost as much as the walk
    long[] words = Arrays.copyOf(BitSetUtil.toLongArray(matches), (ords + 63) >>> 6);
    if (s.deletedCount() > 0) {
      long[] deleted = s.deletedWords();
      for (int i = 0; i < Math.min(words.length, deleted.length); i++) {
        words[i] &= ~deleted[i];
      }
    }
    return new OrdinalFilter.Bits(words);
  }

  /** {@code accept}, asked at most once per ordinal of {@code s} (payload filters are slow to test). */
  static OrdinalFilter memoize(Segment s, OrdinalFilter accept) {
    byte[] verdict = new byte[s.ordinals()]; // 0 unknown, 1 accepted, 2 rejected
    return o -> {
      if (o >= verdict.length) {
        return accept.accept(o);
      }
      byte v = verdict[o];
      if (v == 0) {
        v = accept.accept(o) ? (byte) 1 : (byte) 2;
        verdict[o] = v;
      }
      return v == 1;
    };
  }

  /** Estimated live points of {@code s} that {@code filter} accepts, from an evenly spread sample. */
  static long estimateMatches(Segment s, Filter filter, long live) {
    int ords = s.ordinals();
    if (ords == 0) {
      return 0;
    }
    int step = Math.max(1, ords / ESTIMATE_SAMPLE);
    int sampled = 0;
    int matched = 0;
    for (int ord = step / 2; ord < ords; ord += step) {
      sampled++;
      if (s.matches(ord, filter)) {
        matched++;
      }
    }
    // a sampled tombstone is a miss, so matched / sampled estimates live matches over all ordinals
    return sampled == 0 ? 0 : Math.min(live, (long) Math.ceil((double) matched / sampled * ords));
  }

  /** The ordinals of {@code s} matching {@code filter} when the payload index decides part of it, else null. */
  RoaringBitmap indexedMatches(Segment s, Filter filter) {
    if (filter == null || !usesIndex(filter, s.payloadIndex().fields().keySet())) {
      return null;
    }
    boolean cacheable = s instanceof SealedSegment && !namesIds(filter);
    if (cacheable) {
      RoaringBitmap hit = ((SealedSegment) s).cachedMatches(filter);
      if (hit != null) {
        return hit;
      }
    }
    SegmentView view = new SegmentView(RoaringBitmap.bitmapOfRange(0, s.ordinals()), s::payload, s::idOf, id -> {
      Location l = ids.apply(id);
      return l != null && l.segment() == s ? l.ordinal() : -1;
    });
    RoaringBitmap m = s.payloadIndex().evaluate(filter, view);
    if (cacheable) {
      ((SealedSegment) s).cacheMatches(filter, m);
    }
    return m;
  }

  /** Whether {@code c} has a has_id condition anywhere (its answer depends on the id map, not only payloads). */
  static boolean namesIds(Condition c) {
    return switch (c) {
      case Filter f -> f.must().stream().anyMatch(FilterPlanner::namesIds)
          || f.should().stream().anyMatch(FilterPlanner::namesIds)
          || f.mustNot().stream().anyMatch(FilterPlanner::namesIds)
          || (f.minShould() != null && f.minShould().conditions().stream().anyMatch(FilterPlanner::namesIds));
      case Condition.HasId h -> true;
      case Condition.Nested n -> true; // conservative: do not look inside
      default -> false;
    };
  }

  /** Whether some condition of {@code c} is on an indexed field, or is a has_id (answered from the id map). */
  static boolean usesIndex(Condition c, Set<String> indexed) {
    return switch (c) {
      case Filter f -> f.must().stream().anyMatch(x -> usesIndex(x, indexed))
          || f.should().stream().anyMatch(x -> usesIndex(x, indexed))
          || f.mustNot().stream().anyMatch(x -> usesIndex(x, indexed))
          || (f.minShould() != null && f.minShould().conditions().stream().anyMatch(x -> usesIndex(x, indexed)));
      case Condition.HasId h -> true;
      case Condition.Match x -> indexed.contains(x.key());
      case Condition.MatchAny x -> indexed.contains(x.key());
      case Condition.MatchExcept x -> indexed.contains(x.key());
      case Condition.Range x -> indexed.contains(x.key());
      case Condition.DatetimeRange x -> indexed.contains(x.key());
      case Condition.ValuesCount x -> indexed.contains(x.key());
      case Condition.IsEmpty x -> indexed.contains(x.key());
      case Condition.IsNull x -> indexed.contains(x.key());
      case Condition.Nested x -> false;
      case Condition.GeoRadius x -> false;
      case Condition.GeoBoundingBox x -> false;
      case Condition.TextMatch x -> indexed.contains(x.key());
    };
  }
}
