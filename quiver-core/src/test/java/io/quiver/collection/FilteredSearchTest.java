package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.payload.FieldSchema;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filtered search under every strategy (forced, and the planner's choice) against brute-force filtered search:
 * equal on small data, recall above a bar on larger data, with uncorrelated and negatively correlated filters, on
 * indexed and unindexed payload fields, across sealed and mutable segments.
 */
class FilteredSearchTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SearchStrategy[] ALL = SearchStrategy.values();

  @TempDir Path dir;

  /** A data set with payloads: {@code r} uniform in [0, 1000), {@code side} 0/1 by the sign of the first coordinate. */
  private record Data(float[][] vectors, int[] r, int[] side, String[] color) {}

  private static final String[] COLORS = {"red", "green", "blue", "black", "white"};

  private Data data(Random rnd, int n, int dim) {
    float[][] v = TestVectors.clustered(rnd, n, dim, 8 + rnd.nextInt(8));
    int[] r = new int[n];
    int[] side = new int[n];
    String[] color = new String[n];
    for (int i = 0; i < n; i++) {
      r[i] = rnd.nextInt(1000);
      side[i] = v[i][0] >= 0 ? 1 : 0;
      color[i] = COLORS[rnd.nextInt(COLORS.length)];
    }
    return new Data(v, r, side, color);
  }

  /**
   * Loads {@code d} into a collection: most points sealed (one or more segments), the rest in the mutable segment.
   * {@code indexed}: payload indexes on r, side and color; else filters are checked on payloads.
   */
  private Collection load(Quiver db, String name, Data d, boolean indexed, int sealThreshold) throws Exception {
    CollectionConfig.Builder b = CollectionConfig.builder().vector(VectorParams.of(d.vectors()[0].length, Metric.L2))
        .sealThreshold(sealThreshold).mergeThreshold(0);
    if (indexed) {
      b.payloadIndex("r", FieldSchema.INTEGER).payloadIndex("side", FieldSchema.INTEGER)
          .payloadIndex("color", FieldSchema.KEYWORD);
    }
    Collection c = db.createCollection(name, b.build());
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < d.vectors().length; i++) {
      ObjectNode p = JSON.createObjectNode().put("r", d.r()[i]).put("side", d.side()[i]).put("color", d.color()[i]);
      batch.add(Point.of(i, d.vectors()[i], p));
      if (batch.size() == 500) {
        c.upsert(batch);
        batch.clear();
      }
    }
    c.upsert(batch);
    c.awaitIndexed();
    return c;
  }

  /** Brute-force filtered top-k ids (ties by lower id), the reference every strategy must match. */
  private static List<Long> truth(Data d, float[] q, int k, java.util.function.IntPredicate accept) {
    return IntStream.range(0, d.vectors().length).filter(accept).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> TestVectors.distance(Metric.L2, q, d.vectors()[i]))
            .thenComparingInt(i -> i))
        .limit(k).map(Integer::longValue).toList();
  }

  private static List<Long> ids(List<ScoredPoint> hits) {
    return hits.stream().map(h -> ((PointId.Num) h.id()).value()).toList();
  }

  /** A random filter with its predicate: a range on r (any selectivity), a color, a side, or a combination. */
  private record RandomFilter(String json, java.util.function.IntPredicate accept) {}

  private RandomFilter randomFilter(Random rnd, Data d, float[] q) {
    int kind = rnd.nextInt(5);
    int t = switch (rnd.nextInt(4)) {
      case 0 -> 1 + rnd.nextInt(10); // 0.1% - 1%
      case 1 -> 10 + rnd.nextInt(100); // 1% - 11%
      case 2 -> 100 + rnd.nextInt(500);
      default -> 600 + rnd.nextInt(401); // up to 100%
    };
    // negatively correlated: the side of the space away from the query
    int far = q[0] >= 0 ? 0 : 1;
    String color = COLORS[rnd.nextInt(COLORS.length)];
    return switch (kind) {
      case 0 -> new RandomFilter("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":" + t + "}}]}", i -> d.r()[i] < t);
      case 1 -> new RandomFilter("{\"must\":[{\"key\":\"side\",\"match\":{\"value\":" + far + "}},"
          + "{\"key\":\"r\",\"range\":{\"lt\":" + t + "}}]}", i -> d.side()[i] == far && d.r()[i] < t);
      case 2 -> new RandomFilter("{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"" + color + "\"}}]}",
          i -> d.color()[i].equals(color));
      case 3 -> new RandomFilter("{\"should\":[{\"key\":\"color\",\"match\":{\"value\":\"" + color + "\"}},"
          + "{\"key\":\"r\",\"range\":{\"gte\":" + (1000 - t / 4) + "}}],"
          + "\"must_not\":[{\"key\":\"side\",\"match\":{\"value\":" + (1 - far) + "}}]}",
          i -> (d.color()[i].equals(color) || d.r()[i] >= 1000 - t / 4) && d.side()[i] == far);
      default -> new RandomFilter("{\"must\":[{\"key\":\"side\",\"match\":{\"value\":" + far + "}}]}",
          i -> d.side()[i] == far);
    };
  }

  @Test
  void everyStrategyEqualsBruteForceOnSmallData() throws Exception {
    Random rnd = random();
    try (Quiver db = Quiver.open(dir)) {
      for (boolean indexed : new boolean[] {true, false}) {
        int n = 300 + rnd.nextInt(300);
        Data d = data(rnd, n, 8 + rnd.nextInt(16));
        Collection c = load(db, "small" + indexed, d, indexed, n / 2 + rnd.nextInt(n / 2));
        for (int iter = 0; iter < atLeast(40); iter++) {
          float[] q = TestVectors.randomVector(rnd, d.vectors()[0].length);
          RandomFilter f = randomFilter(rnd, d, q);
          Filter filter = FilterParser.parse(f.json());
          int k = 1 + rnd.nextInt(15);
          List<Long> want = truth(d, q, k, f.accept());
          for (SearchStrategy s : ALL) {
            // ef >= n: a graph walk that can reach every accepted point must find the exact answer
            SearchRequest req = SearchRequest.builder(q).limit(k).filter(filter).ef(n).strategy(s).build();
            assertThat(ids(c.search(req))).as("%s indexed=%s filter=%s k=%d", s, indexed, f.json(), k)
                .containsExactlyElementsOf(want);
          }
        }
      }
    }
  }

  @Test
  void recallAboveBarOnLargerDataForEveryStrategy() throws Exception {
    Random rnd = random();
    int n = 12_000;
    Data d = data(rnd, n, 24);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "large", d, true, n); // one sealed segment of n points
      c.flush();
      double[] recallSum = new double[ALL.length];
      int queries = atLeast(60);
      for (int iter = 0; iter < queries; iter++) {
        float[] q = d.vectors()[rnd.nextInt(n)].clone();
        q[1] += 0.05f;
        RandomFilter f = randomFilter(rnd, d, q);
        Filter filter = FilterParser.parse(f.json());
        List<Long> want = truth(d, q, 10, f.accept());
        for (int s = 0; s < ALL.length; s++) {
          List<Long> got = ids(c.search(SearchRequest.builder(q).limit(10).filter(filter).ef(64)
              .strategy(ALL[s]).build()));
          assertThat(got).as("%s never returns short: %s", ALL[s], f.json()).hasSize(want.size());
          recallSum[s] += want.isEmpty() ? 1 : (double) got.stream().filter(want::contains).count() / want.size();
        }
      }
      for (int s = 0; s < ALL.length; s++) {
        double recall = recallSum[s] / queries;
        System.out.printf(Locale.ROOT, "filtered recall@10 %s: %.4f%n", ALL[s], recall);
        assertThat(recall).as("mean recall@10 of %s", ALL[s]).isGreaterThanOrEqualTo(
            ALL[s] == SearchStrategy.EXACT ? 1.0 : 0.9);
      }
    }
  }

  @Test
  void fewerMatchesThanKReturnsExactlyThoseUnderEveryStrategy() throws Exception {
    Random rnd = random();
    int n = 3_000;
    Data d = data(rnd, n, 12);
    try (Quiver db = Quiver.open(dir)) {
      for (boolean indexed : new boolean[] {true, false}) {
        Collection c = load(db, "few" + indexed, d, indexed, 1_000);
        // r == 7 matches about three points
        List<Long> matching = IntStream.range(0, n).filter(i -> d.r()[i] == 7).mapToObj(i -> (long) i).toList();
        Filter filter = FilterParser.parse("{\"must\":[{\"key\":\"r\",\"match\":{\"value\":7}}]}");
        for (SearchStrategy s : ALL) {
          List<Long> got = ids(c.search(SearchRequest.builder(TestVectors.randomVector(rnd, 12)).limit(10)
              .filter(filter).strategy(s).build()));
          assertThat(got).as("%s indexed=%s", s, indexed).containsExactlyInAnyOrderElementsOf(matching);
        }
      }
    }
  }

  @Test
  void offsetLimitAndScoreThresholdAgreeAcrossStrategies() throws Exception {
    Random rnd = random();
    int n = 2_000;
    Data d = data(rnd, n, 10);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "paging", d, true, 700);
      for (int iter = 0; iter < atLeast(15); iter++) {
        float[] q = TestVectors.randomVector(rnd, 10);
        RandomFilter f = randomFilter(rnd, d, q);
        Filter filter = FilterParser.parse(f.json());
        List<Long> want = truth(d, q, 25, f.accept());
        int offset = rnd.nextInt(10);
        int limit = 1 + rnd.nextInt(15);
        float threshold = want.isEmpty() ? 1 : (float) -TestVectors.distance(Metric.L2, q,
            d.vectors()[(int) (long) want.get(want.size() / 2)].clone());
        for (SearchStrategy s : ALL) {
          List<Long> page = ids(c.search(SearchRequest.builder(q).offset(offset).limit(limit).filter(filter).ef(n)
              .strategy(s).build()));
          assertThat(page).as("%s page", s)
              .containsExactlyElementsOf(want.subList(Math.min(offset, want.size()),
                  Math.min(offset + limit, want.size())));
          List<ScoredPoint> above = c.search(SearchRequest.builder(q).limit(25).filter(filter).ef(n).strategy(s)
              .scoreThreshold(threshold).build());
          assertThat(above).as("%s threshold", s).allSatisfy(h -> assertThat(h.score()).isGreaterThanOrEqualTo(
              threshold - 1e-4f));
          assertThat(ids(above)).as("%s threshold keeps a prefix", s)
              .containsExactlyElementsOf(want.subList(0, above.size()));
        }
      }
    }
  }

  @Test
  void plannerChoosesByCardinalityAndExplains() throws Exception {
    Random rnd = random();
    int n = 20_000;
    Data d = data(rnd, n, 16);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "plan", d, true, n);
      c.flush();
      float[] q = TestVectors.randomVector(rnd, 16);
      SearchExplain selective = c.explain(SearchRequest.builder(q).filter(FilterParser.parse(
          "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":5}}]}")).build());
      assertThat(selective.segments()).hasSize(1);
      SegmentPlan p = selective.segments().getFirst();
      assertThat(p.strategy()).isEqualTo(SearchStrategy.EXACT);
      assertThat(p.estimateExact()).isTrue();
      assertThat(p.estimatedMatches()).isEqualTo(IntStream.range(0, n).filter(i -> d.r()[i] < 5).count());
      assertThat(p.distanceComputations()).isEqualTo(p.estimatedMatches());

      SegmentPlan middle = c.explain(SearchRequest.builder(q).filter(FilterParser.parse(
          "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":200}}]}")).build()).segments().getFirst();
      assertThat(middle.planned()).isEqualTo(SearchStrategy.ACORN);
      SegmentPlan permissive = c.explain(SearchRequest.builder(q).filter(FilterParser.parse(
          "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":900}}]}")).build()).segments().getFirst();
      assertThat(permissive.planned()).isEqualTo(SearchStrategy.ROUTE_THROUGH);
      assertThat(permissive.distanceComputations()).isLessThan(n / 2);

      // an unindexed field is estimated by sampling, within a loose factor of the truth
      Collection plain = load(db, "plain", d, false, n);
      plain.flush();
      SegmentPlan sampled = plain.explain(SearchRequest.builder(q).filter(FilterParser.parse(
          "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":300}}]}")).build()).segments().getFirst();
      assertThat(sampled.estimateExact()).isFalse();
      assertThat(sampled.estimatedMatches()).isBetween((long) (0.3 * n * 0.6), (long) (0.3 * n * 1.4));
      long before = c.searchStats().segmentSearches(SearchStrategy.EXACT);
      c.search(SearchRequest.builder(q).filter(FilterParser.parse(
          "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":5}}]}")).build());
      assertThat(c.searchStats().segmentSearches(SearchStrategy.EXACT)).isEqualTo(before + 1);
    }
  }

  @Test
  void overBudgetGraphSearchFallsBackToExactResults() throws Exception {
    Random rnd = random();
    int n = 8_000;
    Data d = data(rnd, n, 16);
    try (Quiver db = Quiver.open(dir)) {
      // a tiny visit budget (4 * ef) and no exact threshold: many filtered graph walks run out and are replaced by a
      // scan
      CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(16, Metric.L2)).sealThreshold(n)
          .payloadIndex("r", FieldSchema.INTEGER).planner(new PlannerConfig(0, 0, 1.0, 1e-9)).build();
      Collection c = db.createCollection("budget", cfg);
      List<Point> pts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        pts.add(Point.of(i, d.vectors()[i], JSON.createObjectNode().put("r", d.r()[i])));
      }
      c.upsert(pts);
      c.flush();
      int fallbacks = 0;
      for (int iter = 0; iter < atLeast(20); iter++) {
        float[] q = TestVectors.randomVector(rnd, 16);
        int t = 20 + rnd.nextInt(300);
        SearchExplain e = c.explain(SearchRequest.builder(q).limit(10).filter(FilterParser.parse(
            "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":" + t + "}}]}")).build());
        boolean fellBack = e.segments().stream().anyMatch(SegmentPlan::fallback);
        if (fellBack) {
          assertThat(ids(e.points())).as("after a fallback the answer is exact")
              .containsExactlyElementsOf(truth(d, q, 10, i -> d.r()[i] < t));
          fallbacks++;
        }
      }
      assertThat(fallbacks).as("walks over budget fell back").isPositive();
      assertThat(c.searchStats().fallbacks()).isEqualTo(fallbacks);
    }
  }

  @Test
  void repeatedFiltersStayCorrectAcrossUpdatesDeletesAndSchemaChanges() throws Exception {
    Random rnd = random();
    int n = 3_000;
    Data d = data(rnd, n, 12);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "cache", d, true, n);
      c.flush(); // one sealed segment: its filter matches are cached
      Filter red = FilterParser.parse("{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}");
      float[] q = TestVectors.randomVector(rnd, 12);
      for (int round = 0; round < 3; round++) { // the same filter again and again
        assertThat(ids(c.search(SearchRequest.builder(q).limit(10).filter(red).strategy(SearchStrategy.EXACT).build())))
            .containsExactlyElementsOf(truth(d, q, 10, i -> d.color()[i].equals("red")));
      }
      // recolour the best red point and delete the second: the cached matches must not bring them back
      List<Long> before = truth(d, q, 10, i -> d.color()[i].equals("red"));
      int recoloured = (int) (long) before.get(0);
      int deleted = (int) (long) before.get(1);
      c.setPayload(List.of(PointId.of(recoloured)), JSON.createObjectNode().put("color", "blue"));
      c.delete(List.of(PointId.of(deleted)));
      d.color()[recoloured] = "blue";
      java.util.function.IntPredicate live = i -> i != deleted && d.color()[i].equals("red");
      for (SearchStrategy s : ALL) {
        assertThat(ids(c.search(SearchRequest.builder(q).limit(10).filter(red).ef(n).strategy(s).build())))
            .as("%s after update and delete", s).containsExactlyElementsOf(truth(d, q, 10, live));
      }
      assertThat(c.count(red, true)).isEqualTo(IntStream.range(0, n).filter(live).count());
      // a schema change drops the cache; the answers stay the same
      c.deletePayloadIndex("color");
      assertThat(ids(c.search(SearchRequest.builder(q).limit(10).filter(red).build())))
          .containsExactlyElementsOf(truth(d, q, 10, live));
      c.createPayloadIndex("color", FieldSchema.KEYWORD);
      assertThat(ids(c.search(SearchRequest.builder(q).limit(10).filter(red).strategy(SearchStrategy.EXACT).build())))
          .containsExactlyElementsOf(truth(d, q, 10, live));
    }
  }

  @Test
  void plannerConfigSurvivesReopen() throws Exception {
    PlannerConfig pc = new PlannerConfig(100, 0.05, 0.3, 2.5);
    try (Quiver db = Quiver.open(dir)) {
      db.createCollection("cfg", CollectionConfig.builder().vector(VectorParams.of(4, Metric.DOT)).planner(pc)
          .build());
    }
    try (Quiver db = Quiver.open(dir)) {
      assertThat(db.collection("cfg").config().planner()).isEqualTo(pc);
    }
  }
}
