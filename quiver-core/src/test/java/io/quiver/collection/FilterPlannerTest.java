package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.index.OrdinalFilter;
import io.quiver.payload.FieldSchema;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The filter planner on a segment built in memory, without a collection: exact estimates from the payload index,
 * sampled estimates for unindexed fields, the strategy per the planner thresholds, tombstones honoured by every
 * filter it builds.
 */
class FilterPlannerTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Exact up to 20 matches (or 1%), ACORN up to half of the points, route-through above. */
  private static final PlannerConfig PLANNER = new PlannerConfig(20, 0.01, 0.5, 1.0);

  private record Fixture(MutableSegment segment, int[] indexed, int[] unindexed, Map<PointId, Location> ids) {}

  /** {@code n} points with {@code r} (indexed) and {@code u} (not) uniform in [0, 1000); some deleted. */
  private Fixture fixture(Random rnd, int n) {
    return fixture(rnd, n, 0);
  }

  /** As {@link #fixture(Random, int)}, then at least {@code deletedShare} of the points deleted. */
  private Fixture fixture(Random rnd, int n, double deletedShare) {
    CollectionConfig config = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2))
        .payloadIndex("r", FieldSchema.INTEGER).build();
    MutableSegment s = new MutableSegment(7, config);
    int[] r = new int[n];
    int[] u = new int[n];
    Map<PointId, Location> ids = new HashMap<>();
    // values from a generator of their own: java.util.Random's outputs a fixed stride apart are correlated, and the
    // sample takes evenly spaced points
    SplittableRandom values = new SplittableRandom(rnd.nextLong());
    for (int i = 0; i < n; i++) {
      r[i] = values.nextInt(1000);
      u[i] = values.nextInt(1000);
      int ord = s.append(Point.of(i, TestVectors.randomVector(rnd, 4),
          JSON.createObjectNode().put("r", r[i]).put("u", u[i])));
      ids.put(PointId.of(i), new Location(s, ord));
    }
    for (int i = 0; i < n / 20 || s.deletedCount() < deletedShare * n; i++) {
      int ord = rnd.nextInt(n);
      if (s.markDeleted(ord)) {
        ids.remove(PointId.of(ord));
      }
    }
    return new Fixture(s, r, u, ids);
  }

  private static Filter below(String key, int bound) {
    return Filter.must(new Condition.Range(key, null, null, (double) bound, null));
  }

  private static long liveBelow(Fixture f, int[] values, int bound) {
    long n = 0;
    for (int ord = 0; ord < values.length; ord++) {
      if (!f.segment().isDeleted(ord) && values[ord] < bound) {
        n++;
      }
    }
    return n;
  }

  @Test
  void indexedFiltersAreCountedExactlyAndPickTheStrategyByTheirShare() {
    Random rnd = random();
    int n = 2_000 + rnd.nextInt(2_000);
    Fixture f = fixture(rnd, n);
    FilterPlanner planner = new FilterPlanner(f.ids()::get);
    MutableSegment s = f.segment();
    for (int bound : new int[] {1 + rnd.nextInt(3), 150 + rnd.nextInt(200), 700 + rnd.nextInt(250)}) {
      Filter filter = below("r", bound);
      FilterPlanner.Plan plan = planner.plan(s, filter, SearchStrategy.AUTO, false, PLANNER);
      assertThat(plan.indexed()).as("bound %d", bound).isNotNull();
      assertThat(plan.matchesAll()).isFalse();
      // the index counts tombstoned points too: its count is at least the live matches
      long live = liveBelow(f, f.indexed(), bound);
      assertThat(plan.estimate()).isBetween(live, live + n / 20);
      SearchStrategy want = plan.estimate() <= Math.max(20, (long) (0.01 * s.liveCount())) ? SearchStrategy.EXACT
          : (double) plan.estimate() / s.liveCount() <= 0.5 ? SearchStrategy.ACORN : SearchStrategy.ROUTE_THROUGH;
      assertThat(plan.strategy()).as("bound %d, estimate %d", bound, plan.estimate()).isEqualTo(want);
      // every filter the plan builds accepts exactly the live matches
      assertAcceptsExactly(plan.accept(), f, f.indexed(), bound);
      FilterPlanner.Plan acorn = planner.plan(s, filter, SearchStrategy.ACORN, false, PLANNER);
      assertThat(acorn.strategy()).isEqualTo(SearchStrategy.ACORN);
      assertAcceptsExactly(FilterPlanner.walkFilter(s, acorn), f, f.indexed(), bound);
      // a scan walks the index matches itself: it only checks tombstones
      OrdinalFilter scan = FilterPlanner.scanFilter(s, plan);
      for (int ord = 0; ord < n; ord++) {
        assertThat(scan == null || scan.accept(ord)).isEqualTo(!s.isDeleted(ord));
      }
      assertThat(planner.plan(s, filter, SearchStrategy.AUTO, true, PLANNER).strategy())
          .isEqualTo(SearchStrategy.EXACT);
    }
  }

  @Test
  void unindexedFiltersAreEstimatedFromASample() {
    Random rnd = random();
    int n = 4_000 + rnd.nextInt(4_000);
    Fixture f = fixture(rnd, n);
    FilterPlanner planner = new FilterPlanner(f.ids()::get);
    for (int bound : new int[] {100 + rnd.nextInt(100), 400 + rnd.nextInt(200), 800 + rnd.nextInt(100)}) {
      FilterPlanner.Plan plan = planner.plan(f.segment(), below("u", bound), SearchStrategy.AUTO, false, PLANNER);
      assertThat(plan.indexed()).isNull();
      long live = liveBelow(f, f.unindexed(), bound);
      // about 256 samples: a binomial standard deviation of at most 3% of the points, and the estimate counts
      // tombstones (up to 5%) as misses
      assertThat((double) plan.estimate()).as("bound %d", bound).isCloseTo(live, offset(0.15 * n));
      assertAcceptsExactly(plan.accept(), f, f.unindexed(), bound);
      assertAcceptsExactly(FilterPlanner.walkFilter(f.segment(),
          planner.plan(f.segment(), below("u", bound), SearchStrategy.ACORN, false, PLANNER)), f, f.unindexed(), bound);
    }
  }

  @Test
  void sampledEstimatesCountLiveMatchesWhenHalfThePointsAreDeleted() {
    Random rnd = random();
    int n = 4_000 + rnd.nextInt(4_000);
    Fixture f = fixture(rnd, n, 0.5);
    int bound = 400 + rnd.nextInt(200);
    FilterPlanner.Plan plan = new FilterPlanner(f.ids()::get).plan(f.segment(), below("u", bound),
        SearchStrategy.AUTO, false, PLANNER);
    long live = liveBelow(f, f.unindexed(), bound);
    // a sampled tombstone is a miss, so the sampled share already is live matches over all ordinals: scaling it by
    // the live count instead undercounts by the deleted share (here half). 256 samples of a ~25% share: sd ~2.7%
    assertThat((double) plan.estimate()).isCloseTo(live, offset(0.08 * n));
  }

  @Test
  void aFilterEveryPointPassesIsSearchedUnfilteredUnlessExact() {
    Random rnd = random();
    Fixture f = fixture(rnd, 500 + rnd.nextInt(500));
    FilterPlanner planner = new FilterPlanner(f.ids()::get);
    Filter all = Filter.must(new Condition.Range("r", null, 0.0, null, null));
    assertThat(planner.plan(f.segment(), all, SearchStrategy.AUTO, false, PLANNER).matchesAll()).isTrue();
    assertThat(planner.plan(f.segment(), all, SearchStrategy.AUTO, true, PLANNER).matchesAll()).isFalse();
    assertThat(planner.plan(f.segment(), all, SearchStrategy.ROUTE_THROUGH, false, PLANNER).matchesAll()).isFalse();
  }

  @Test
  void hasIdIsAnsweredFromTheIdLookup() {
    Random rnd = random();
    int n = 300 + rnd.nextInt(300);
    Fixture f = fixture(rnd, n);
    FilterPlanner planner = new FilterPlanner(f.ids()::get);
    PointId present = f.ids().keySet().stream().sorted(PointId.ORDER).findFirst().orElseThrow();
    Filter filter = Filter.must(new Condition.HasId(Set.of(present, PointId.of(n + 5))));
    assertThat(FilterPlanner.namesIds(filter)).isTrue();
    var matches = planner.indexedMatches(f.segment(), filter);
    assertThat(matches).isNotNull();
    assertThat(matches.toArray()).containsExactly(f.ids().get(present).ordinal());
  }

  private static void assertAcceptsExactly(OrdinalFilter accept, Fixture f, int[] values, int bound) {
    for (int ord = 0; ord < values.length; ord++) {
      assertThat(accept.accept(ord)).as("ordinal %d", ord)
          .isEqualTo(!f.segment().isDeleted(ord) && values[ord] < bound);
    }
  }
}
