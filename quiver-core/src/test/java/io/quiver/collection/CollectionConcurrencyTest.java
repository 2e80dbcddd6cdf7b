package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers on disjoint id ranges upsert, update and delete while readers search, scroll and get. Each writer keeps a
 * sequential model of its own range; the final collection (and the reopened one) must equal the union of the models,
 * and no read may fail or return a duplicate or a point that does not match its filter.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class CollectionConcurrencyTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void concurrentWritersAndReadersEndInTheSequentialState() throws Exception {
    long seed = random().nextLong();
    Metric metric = Metric.values()[random().nextInt(Metric.values().length)];
    int dim = 8;
    int writers = 3;
    int readers = 2;
    int opsPerWriter = atLeast(300);
    int range = 400;
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, metric))
        .sealThreshold(150 + random().nextInt(300)).mergeThreshold(500).build();
    List<CollectionTest.Model> models = new ArrayList<>();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("cc", cfg);
      AtomicBoolean done = new AtomicBoolean();
      try (ExecutorService pool = Executors.newFixedThreadPool(writers + readers)) {
        List<Future<?>> writes = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          CollectionTest.Model model = new CollectionTest.Model(metric);
          models.add(model);
          int base = w * range;
          Random rnd = new Random(seed + w);
          writes.add(pool.submit(() -> {
            for (int op = 0; op < opsPerWriter; op++) {
              applyOp(c, model, rnd, dim, base, range);
            }
            return null;
          }));
        }
        List<Future<?>> reads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          Random rnd = new Random(seed ^ (0x5DEECE66DL * (r + 1)));
          reads.add(pool.submit(() -> {
            long n = 0;
            while (!done.get() || n < 20) {
              read(c, rnd, dim);
              n++;
            }
            return null;
          }));
        }
        for (Future<?> f : writes) {
          f.get();
        }
        done.set(true);
        for (Future<?> f : reads) {
          f.get();
        }
      }
      CollectionTest.Model union = union(models, metric);
      CollectionTest.assertSameState(c, union);
      c.awaitIndexed();
      CollectionTest.assertSameState(c, union);
    }
    try (Quiver db = Quiver.open(dir)) {
      CollectionTest.assertSameState(db.collection("cc"), union(models, metric));
    }
  }

  static CollectionTest.Model union(List<CollectionTest.Model> models, Metric metric) {
    CollectionTest.Model all = new CollectionTest.Model(metric);
    models.forEach(m -> all.points.putAll(m.points));
    return all;
  }

  static void applyOp(Collection c, CollectionTest.Model model, Random rnd, int dim, int base, int range) {
    PointId id = PointId.of(base + rnd.nextInt(range));
    switch (rnd.nextInt(8)) {
      case 0 -> {
        c.delete(List.of(id));
        model.points.remove(id);
      }
      case 1 -> {
        var values = CollectionTest.JSON.createObjectNode().put("touched", rnd.nextInt(100));
        Point p = model.points.get(id);
        if (p == null) {
          // each writer owns its id range, so the model knows the id is missing
          assertThatThrownBy(() -> c.setPayload(List.of(id), values)).isInstanceOf(QuiverException.NotFound.class);
        } else {
          c.setPayload(List.of(id), values);
          var np = p.payload() == null ? CollectionTest.JSON.createObjectNode() : p.payload().deepCopy();
          np.setAll(values);
          model.points.put(id, new Point(id, p.vectors(), np));
        }
      }
      default -> {
        List<Point> batch = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
          batch.add(Point.of(PointId.of(base + rnd.nextInt(range)), TestVectors.randomVector(rnd, dim),
              CollectionTest.payload(rnd)));
        }
        c.upsert(batch);
        batch.forEach(model::upsert);
      }
    }
  }

  static void read(Collection c, Random rnd, int dim) {
    Filter filter = rnd.nextBoolean() ? null : Filter.must(new Condition.Match("color",
        CollectionTest.JSON.getNodeFactory().textNode(CollectionTest.COLORS[rnd.nextInt(5)])));
    List<ScoredPoint> hits = c.search(SearchRequest.builder(TestVectors.randomVector(rnd, dim)).limit(10)
        .filter(filter).withPayload(true).exact(rnd.nextInt(4) == 0).build());
    Set<PointId> seen = new HashSet<>();
    for (ScoredPoint h : hits) {
      assertThat(seen.add(h.id())).as("duplicate hit %s", h.id()).isTrue();
      if (filter != null) {
        assertThat(filter.test(h.id(), h.payload())).as("hit %s matches the filter", h.id()).isTrue();
      }
    }
    ScrollPage page = c.scroll(ScrollRequest.first(50).withFilter(filter));
    for (int i = 1; i < page.points().size(); i++) {
      assertThat(PointId.ORDER.compare(page.points().get(i - 1).id(), page.points().get(i).id())).isNegative();
    }
    PointRecord r = c.get(PointId.of(rnd.nextInt(1200)));
    if (r != null) {
      assertThat(r.vectors()).containsKey("");
    }
  }
}
