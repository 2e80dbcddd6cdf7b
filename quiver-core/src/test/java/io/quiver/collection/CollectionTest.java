package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RandomizedTest.SeedReporter.class)
class CollectionTest extends RandomizedTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] COLORS = {"red", "green", "blue", "black", "white"};

  @TempDir Path dir;

  static ObjectNode payload(Random rnd) {
    ObjectNode p = JSON.createObjectNode();
    p.put("color", COLORS[rnd.nextInt(COLORS.length)]);
    p.put("n", rnd.nextInt(100));
    var tags = p.putArray("tags");
    for (int i = rnd.nextInt(3); i > 0; i--) {
      tags.add("t" + rnd.nextInt(5));
    }
    if (rnd.nextBoolean()) {
      p.putObject("meta").put("created", "2026-0" + (1 + rnd.nextInt(9)) + "-01T00:00:00Z");
    }
    return p;
  }

  static PointId randomId(Random rnd, int space) {
    int n = rnd.nextInt(space);
    return n % 7 == 0 ? new PointId.Uuid(new UUID(n, n * 31L)) : PointId.of(n);
  }

  CollectionConfig config(int dim, Metric metric) {
    return CollectionConfig.builder().vector(VectorParams.of(dim, metric)).sealThreshold(40 + random().nextInt(200))
        .indexingLag(random().nextBoolean() ? 0 : random().nextInt(500)).build();
  }

  /** The expected state, applied alongside the collection. */
  static final class Model {
    final Map<PointId, Point> points = new TreeMap<>(PointId.ORDER);
    final Metric metric;

    Model(Metric metric) {
      this.metric = metric;
    }

    void upsert(Point p) {
      Map<String, float[]> v = new HashMap<>();
      p.vectors().forEach((k, x) -> v.put(k, stored(x)));
      points.put(p.id(), new Point(p.id(), v, p.payload() == null ? null : p.payload().deepCopy()));
    }

    float[] stored(float[] x) {
      float[] c = x.clone();
      if (metric.normalizes()) {
        VectorUtil.normalize(c);
      }
      return c;
    }

    List<PointId> matching(Filter f) {
      return points.values().stream().filter(p -> f == null || f.test(p.id(), p.payload())).map(Point::id).toList();
    }
  }

  static void assertSameState(Collection c, Model model) {
    assertThat(c.count()).isEqualTo(model.points.size());
    List<PointId> scrolled = new ArrayList<>();
    ScrollRequest req = ScrollRequest.first(1 + model.points.size() / 3);
    while (true) {
      ScrollPage page = c.scroll(req);
      page.points().forEach(r -> scrolled.add(r.id()));
      if (page.nextOffset() == null) {
        break;
      }
      req = req.from(page.nextOffset());
    }
    assertThat(scrolled).as("scroll pages through every live id in order").containsExactlyElementsOf(model.points.keySet());
    List<PointRecord> got = c.retrieve(List.copyOf(model.points.keySet()), PayloadSelector.ALL, Set.of());
    assertThat(got).hasSize(model.points.size());
    for (PointRecord r : got) {
      Point want = model.points.get(r.id());
      assertThat(r.payload()).as("payload of %s", r.id()).isEqualTo(want.payload());
      assertThat(r.vectors().keySet()).isEqualTo(want.vectors().keySet());
      want.vectors().forEach((k, v) -> assertThat(r.vectors().get(k)).as("vector of %s", r.id())
          .containsExactly(v, within(1e-6f)));
    }
  }

  @Test
  void randomOperationsMatchAModelAndSurviveReopen() throws Exception {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    int dim = 2 + rnd.nextInt(12);
    Model model = new Model(metric);
    CollectionConfig cfg = config(dim, metric);
    int idSpace = 300 + rnd.nextInt(300);
    int ops = atLeast(150);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      for (int op = 0; op < ops; op++) {
        applyRandomOp(c, model, rnd, dim, idSpace);
        if (rnd.nextInt(40) == 0) {
          assertSameState(c, model);
        }
      }
      assertSameState(c, model);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("c");
      assertSameState(c, model);
      for (int op = 0; op < ops / 3; op++) {
        applyRandomOp(c, model, rnd, dim, idSpace);
      }
      assertSameState(c, model);
    }
    try (Quiver db = Quiver.open(dir)) {
      assertSameState(db.collection("c"), model);
    }
  }

  static void applyRandomOp(Collection c, Model model, Random rnd, int dim, int idSpace) {
    Filter colorFilter = Filter.must(new Condition.Match("color", JSON.getNodeFactory()
        .textNode(COLORS[rnd.nextInt(COLORS.length)])));
    switch (rnd.nextInt(12)) {
      case 0, 1, 2, 3, 4 -> {
        List<Point> batch = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(20); i > 0; i--) {
          batch.add(Point.of(randomId(rnd, idSpace), TestVectors.randomVector(rnd, dim),
              rnd.nextInt(10) == 0 ? null : payload(rnd)));
        }
        c.upsert(batch);
        batch.forEach(model::upsert);
      }
      case 5 -> {
        List<PointId> ids = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(10); i > 0; i--) {
          ids.add(randomId(rnd, idSpace));
        }
        int existed = c.delete(ids);
        int expected = (int) ids.stream().distinct().filter(model.points::containsKey).count();
        assertThat(existed).isEqualTo(expected);
        ids.forEach(model.points::remove);
      }
      case 6 -> {
        Filter f = Filter.must(new Condition.Range("n", null, null, (double) rnd.nextInt(8), null));
        assertThat(c.delete(f)).isEqualTo(model.matching(f).size());
        model.matching(f).forEach(model.points::remove);
      }
      case 7 -> {
        ObjectNode values = JSON.createObjectNode().put("extra", rnd.nextInt(1000)).put("color", "red");
        assertThat(c.setPayload(colorFilter, values)).isEqualTo(model.matching(colorFilter).size());
        for (PointId id : model.matching(colorFilter)) {
          Point p = model.points.get(id);
          ObjectNode np = p.payload() == null ? JSON.createObjectNode() : p.payload().deepCopy();
          np.setAll(values);
          model.points.put(id, new Point(id, p.vectors(), np));
        }
      }
      case 8 -> {
        List<PointId> ids = List.of(randomId(rnd, idSpace), randomId(rnd, idSpace));
        ObjectNode fresh = payload(rnd);
        PointId missing = ids.stream().filter(id -> !model.points.containsKey(id)).findFirst().orElse(null);
        if (missing != null) {
          // a missing id fails the whole update, naming it
          assertThatThrownBy(() -> c.overwritePayload(ids, fresh)).isInstanceOf(QuiverException.NotFound.class)
              .hasMessage("No point with id " + missing + " found");
          return;
        }
        c.overwritePayload(ids, fresh);
        for (PointId id : ids) {
          model.points.put(id, new Point(id, model.points.get(id).vectors(), fresh.deepCopy()));
        }
      }
      case 9 -> {
        List<PointId> ids = new ArrayList<>(model.points.keySet());
        if (ids.isEmpty()) {
          return;
        }
        PointId id = ids.get(rnd.nextInt(ids.size()));
        c.deletePayloadKeys(List.of(id), List.of("color", "meta.created"));
        Point p = model.points.get(id);
        if (p.payload() != null) {
          ObjectNode np = p.payload().deepCopy();
          np.remove("color");
          if (np.get("meta") instanceof ObjectNode m) {
            m.remove("created");
          }
          model.points.put(id, new Point(id, p.vectors(), np));
        }
      }
      case 10 -> {
        List<PointId> ids = List.of(randomId(rnd, idSpace));
        Point p = model.points.get(ids.get(0));
        if (p == null) {
          assertThatThrownBy(() -> c.clearPayload(ids)).isInstanceOf(QuiverException.NotFound.class);
        } else {
          c.clearPayload(ids);
          model.points.put(p.id(), new Point(p.id(), p.vectors(), null));
        }
      }
      default -> {
        PointId id = randomId(rnd, idSpace);
        float[] v = TestVectors.randomVector(rnd, dim);
        c.updateVectors(List.of(Point.of(id, v, null)));
        Point p = model.points.get(id);
        if (p != null) {
          model.points.put(id, new Point(id, Map.of(CollectionConfig.DEFAULT_VECTOR, model.stored(v)), p.payload()));
        }
      }
    }
  }

  @Test
  void exactSearchEqualsBruteForceAndGraphSearchHasRecall() throws Exception {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    int dim = 8 + rnd.nextInt(24);
    int n = atLeast(1500);
    Model model = new Model(metric);
    float[][] data = TestVectors.clustered(rnd, n, dim, 12);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("s", config(dim, metric));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Point p = Point.of(i, data[i], payload(rnd));
        batch.add(p);
        model.upsert(p);
        if (batch.size() == 100) {
          c.upsert(batch);
          batch.clear();
        }
      }
      c.upsert(batch);
      c.awaitIndexed();
      double recallSum = 0;
      int queries = 30;
      for (int qi = 0; qi < queries; qi++) {
        float[] q = TestVectors.randomVector(rnd, dim);
        Filter filter = rnd.nextBoolean() ? null : Filter.must(new Condition.Match("color",
            JSON.getNodeFactory().textNode(COLORS[rnd.nextInt(COLORS.length)])));
        int limit = 1 + rnd.nextInt(15);
        int offset = rnd.nextInt(3);
        List<PointId> truth = bruteForce(model, q, filter, offset + limit);
        List<ScoredPoint> exact = c.search(SearchRequest.builder(q).limit(limit).offset(offset).filter(filter)
            .exact(true).withPayload(true).build());
        assertThat(exact.stream().map(ScoredPoint::id).toList()).as("exact search = brute force")
            .isEqualTo(truth.subList(Math.min(offset, truth.size()), truth.size()));
        for (ScoredPoint sp : exact) {
          assertThat(sp.payload()).isEqualTo(model.points.get(sp.id()).payload());
          if (filter != null) {
            assertThat(filter.test(sp.id(), sp.payload())).isTrue();
          }
        }
        List<ScoredPoint> approx = c.search(SearchRequest.builder(q).limit(limit).filter(filter).ef(100).build());
        List<PointId> top = bruteForce(model, q, filter, limit);
        assertThat(approx).hasSize(top.size());
        long found = approx.stream().map(ScoredPoint::id).filter(top::contains).count();
        recallSum += top.isEmpty() ? 1 : (double) found / top.size();
        for (int i = 1; i < approx.size(); i++) {
          boolean similarity = metric == Metric.COSINE || metric == Metric.DOT;
          if (similarity) {
            assertThat(approx.get(i).score()).isLessThanOrEqualTo(approx.get(i - 1).score());
          } else {
            assertThat(approx.get(i).score()).isGreaterThanOrEqualTo(approx.get(i - 1).score());
          }
        }
      }
      assertThat(recallSum / queries).as("graph search recall").isGreaterThanOrEqualTo(0.9);
      // score threshold: every hit passes it, and nothing that passes is missing from an exact search
      float[] q = TestVectors.randomVector(rnd, dim);
      List<ScoredPoint> all = c.search(SearchRequest.builder(q).limit(50).exact(true).build());
      float threshold = all.get(all.size() / 2).score();
      List<ScoredPoint> cut = c.search(SearchRequest.builder(q).limit(50).exact(true).scoreThreshold(threshold)
          .build());
      assertThat(cut).isEqualTo(all.subList(0, cut.size()));
      assertThat(cut.size()).isGreaterThanOrEqualTo(all.size() / 2);
    }
  }

  List<PointId> bruteForce(Model model, float[] q, Filter filter, int k) {
    float[] query = model.stored(q);
    return model.points.values().stream().filter(p -> filter == null || filter.test(p.id(), p.payload()))
        .sorted(Comparator.comparingDouble((Point p) -> TestVectors.distance(model.metric, query,
            p.vectors().get(CollectionConfig.DEFAULT_VECTOR))).thenComparing(Point::id, PointId.ORDER))
        .limit(k).map(Point::id).toList();
  }

  @Test
  void badInputIsRejectedAndChangesNothing() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("b", CollectionConfig.of(VectorParams.of(3, Metric.COSINE)));
      c.upsert(Point.of(1, new float[] {1, 2, 3}, JSON.createObjectNode().put("a", 1)));
      assertThatThrownBy(() -> c.upsert(List.of(Point.of(2, new float[] {1, 2, 3}, null),
          Point.of(3, new float[] {1, 2}, null))))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("dimension 2")
          .hasMessageContaining("3");
      assertThatThrownBy(() -> c.upsert(Point.of(4, new float[] {1, Float.NaN, 3}, null)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("component 1 is NaN");
      assertThatThrownBy(() -> c.upsert(Point.of(4, new float[] {1, Float.POSITIVE_INFINITY, 3}, null)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("Infinity");
      assertThatThrownBy(() -> c.upsert(Point.of(4, new float[] {0, 0, 0}, null)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("zero vector");
      assertThatThrownBy(() -> c.upsert(new Point(PointId.of(5), Map.of("image", new float[] {1, 2, 3}), null)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("no vector field 'image'");
      ObjectNode big = JSON.createObjectNode().put("s", "x".repeat((1 << 20) + 1));
      assertThatThrownBy(() -> c.upsert(Point.of(6, new float[] {1, 2, 3}, big)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("exceeds the limit");
      ObjectNode deep = JSON.createObjectNode();
      ObjectNode cur = deep;
      for (int i = 0; i < 100; i++) {
        cur = cur.putObject("x");
      }
      assertThatThrownBy(() -> c.upsert(Point.of(7, new float[] {1, 2, 3}, deep)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("deeper than");
      assertThatThrownBy(() -> c.search(SearchRequest.builder(new float[] {1, 2}).build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("dimension 2");
      assertThatThrownBy(() -> c.search(SearchRequest.builder(new float[] {1, 2, 3}).using("nope").build()))
          .isInstanceOf(QuiverException.NotFound.class).hasMessageContaining("nope");
      assertThatThrownBy(() -> db.collection("missing")).isInstanceOf(QuiverException.NotFound.class);
      assertThatThrownBy(() -> db.createCollection("b", CollectionConfig.of(VectorParams.of(3, Metric.L2))))
          .isInstanceOf(QuiverException.AlreadyExists.class);
      assertThatThrownBy(() -> db.createCollection("../evil", CollectionConfig.of(VectorParams.of(3, Metric.L2))))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> PointId.parse("18446744073709551616")).hasMessageContaining("out of the unsigned");
      assertThat(c.count()).isEqualTo(1);
      PointRecord r = c.get(PointId.of(1));
      assertThat(r.payload()).isEqualTo(JSON.createObjectNode().put("a", 1));
      assertThat(c.get(PointId.of(2))).as("the valid point of a rejected batch is not written").isNull();
    }
    try (Quiver db = Quiver.open(dir)) {
      assertThat(db.collection("b").count()).isEqualTo(1);
    }
  }

  @Test
  void namedVectorsAreSearchedSeparately() throws Exception {
    Random rnd = random();
    CollectionConfig cfg = CollectionConfig.builder().vector("text", VectorParams.of(8, Metric.COSINE))
        .vector("image", VectorParams.of(4, Metric.L2)).sealThreshold(50).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("nv", cfg);
      List<Point> pts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Map<String, float[]> v = new HashMap<>();
        v.put("text", TestVectors.randomVector(rnd, 8));
        if (i % 3 != 0) {
          v.put("image", TestVectors.randomVector(rnd, 4));
        }
        pts.add(new Point(PointId.of(i), v, null));
      }
      c.upsert(pts);
      float[] qi = TestVectors.randomVector(rnd, 4);
      List<ScoredPoint> hits = c.search(SearchRequest.builder(qi).using("image").limit(300).exact(true)
          .withVectors("image").build());
      assertThat(hits).hasSize(133).allSatisfy(h -> assertThat(h.id().toString()).isNotIn("0", "3", "6"));
      assertThat(hits.get(0).vectors()).containsOnlyKeys("image");
      assertThat(c.get(PointId.of(3)).vectors()).containsOnlyKeys("text");
      assertThatThrownBy(() -> c.search(SearchRequest.builder(qi).build()))
          .isInstanceOf(QuiverException.NotFound.class);
    }
  }

  @Test
  void catalogAliasesRenameAndDeleteSurviveReopen() throws Exception {
    CollectionConfig cfg = CollectionConfig.of(VectorParams.of(2, Metric.L2));
    try (Quiver db = Quiver.open(dir)) {
      db.createCollection("a", cfg).upsert(Point.of(1, new float[] {1, 1}, null));
      db.createCollection("b", cfg);
      db.createAlias("latest", "a");
      assertThat(db.collection("latest").count()).isEqualTo(1);
      db.renameCollection("a", "a2");
      assertThat(db.aliases()).containsEntry("latest", "a2");
      assertThat(db.deleteCollection("b")).isTrue();
      assertThat(db.deleteCollection("b")).isFalse();
      assertThatThrownBy(() -> Quiver.open(dir)).hasMessageContaining("already open");
    }
    try (Quiver db = Quiver.open(dir)) {
      assertThat(db.collectionNames()).containsExactly("a2");
      assertThat(db.collection("latest").count()).isEqualTo(1);
      assertThat(db.collection("latest").get(PointId.of(1)).vectors().get("")).containsExactly(1f, 1f);
    }
  }

  @Test
  void filtersFromJsonAndCountsAndPayloadSelection() throws Exception {
    Random rnd = random();
    Model model = new Model(Metric.L2);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("f", config(4, Metric.L2));
      for (int i = 0; i < 500; i++) {
        Point p = Point.of(i, TestVectors.randomVector(rnd, 4), payload(rnd));
        c.upsert(p);
        model.upsert(p);
      }
      Filter f = FilterParser.parse(JSON.readTree("""
          {"must": [{"key": "color", "match": {"any": ["red", "blue"]}}],
           "must_not": [{"key": "n", "range": {"gte": 50}}],
           "should": [{"key": "tags[]", "match": {"value": "t1"}}, {"is_empty": {"key": "tags"}}]}"""));
      long expected = model.matching(f).size();
      assertThat(c.count(f, true)).isEqualTo(expected);
      long estimate = c.count(f, false);
      assertThat(estimate).isBetween(expected / 3, Math.max(10, expected * 3));
      ScrollPage page = c.scroll(ScrollRequest.first(1000).withFilter(f));
      assertThat(page.points()).extracting(PointRecord::id).containsExactlyElementsOf(model.matching(f));
      PointRecord r = c.retrieve(List.of(PointId.of(7)), PayloadSelector.include(List.of("color", "meta.created")),
          null).get(0);
      assertThat(r.payload().fieldNames()).toIterable().containsAnyOf("color").doesNotContain("n", "tags");
      assertThat(r.vectors()).isNull();
      PointRecord ex = c.retrieve(List.of(PointId.of(7)), PayloadSelector.exclude(List.of("color")), Set.of())
          .get(0);
      assertThat(ex.payload().has("color")).isFalse();
      assertThat(ex.payload().has("n")).isTrue();
      List<PointRecord> byN = c.scroll(new ScrollRequest(null, null, 10, PayloadSelector.ALL, null,
          new ScrollRequest.OrderBy("n", true, null))).points();
      assertThat(byN).hasSize(10);
      for (int i = 1; i < byN.size(); i++) {
        assertThat(byN.get(i).payload().get("n").asInt()).isLessThanOrEqualTo(byN.get(i - 1).payload().get("n").asInt());
      }
    }
  }
}
