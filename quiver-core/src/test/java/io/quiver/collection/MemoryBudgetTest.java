package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A memory budget refuses the write that would grow the collections' heap past it, with a message naming the
 * budget, and loses nothing: every point written before is there, also after reopening. Writes that fit still
 * work, a full budget refuses new collections, and caches are dropped before anything is refused.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class MemoryBudgetTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void refusesTheBatchThatWouldPassTheBudgetAndKeepsEveryEarlierPoint() throws Exception {
    Random rnd = new Random(random().nextLong());
    int dim = 16 + rnd.nextInt(48);
    int batch = 50 + rnd.nextInt(150);
    long limit = (5L << 18) + rnd.nextInt(1 << 20); // above the 1 MiB a new collection is admitted with
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, Metric.COSINE)).build();
    List<float[]> written = new ArrayList<>();
    try (Quiver db = Quiver.builder(dir).memoryBudget(limit).open()) {
      Collection c = db.createCollection("docs", cfg);
      QuiverException.OverBudget refused = null;
      for (int b = 0; b < 1_000 && refused == null; b++) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          points.add(Point.of(written.size() + i, TestVectors.randomVector(rnd, dim), null));
        }
        try {
          c.upsert(points);
          points.forEach(p -> written.add(p.vectors().values().iterator().next()));
        } catch (QuiverException.OverBudget e) {
          refused = e;
        }
      }
      assertThat(refused).as("a budget of %d bytes must stop %d-dim points", limit, dim).isNotNull();
      assertThat(refused.getMessage()).contains("upsert of " + batch + " points into collection docs")
          .contains("memory budget").contains("storage.memory_budget");
      assertThat(written).isNotEmpty();
      assertThat(c.count()).isEqualTo(written.size());
      // admission uses a per-point estimate; stores grow by whole pages, so the heap may pass the limit by one page
      assertThat(db.memoryBudget().usedBytes()).isLessThanOrEqualTo(limit + (2L << 20));

      // a write that fits what is left is admitted (measured once the indexer has linked every stored point: its
      // graph nodes are heap the budget counts, allocated after the upsert returns)
      c.awaitIndexed();
      long room = limit - db.memoryBudget().usedBytes();
      int fits = (int) Math.min(batch - 1, room / MemoryBudget.pointBytes(cfg));
      if (fits > 0) {
        List<Point> small = new ArrayList<>();
        for (int i = 0; i < fits; i++) {
          small.add(Point.of(written.size() + i, TestVectors.randomVector(rnd, dim), null));
        }
        c.upsert(small);
        small.forEach(p -> written.add(p.vectors().values().iterator().next()));
      }
      // deletes are never refused: they are how room is made
      assertThat(c.delete(List.of(PointId.of(0)))).isEqualTo(1);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("docs");
      assertThat(c.count()).isEqualTo(written.size() - 1);
      for (int id = 1; id < written.size(); id += Math.max(1, written.size() / 20)) {
        assertThat(c.get(PointId.of(id))).as("point %d", id).isNotNull();
      }
    }
  }

  @Test
  void aFullBudgetRefusesNewCollectionsAndQuantization() throws Exception {
    try (Quiver db = Quiver.builder(dir).memoryBudget(64 << 10).open()) {
      assertThatThrownBy(() -> db.createCollection("c", CollectionConfig.of(VectorParams.of(8, Metric.L2))))
          .isInstanceOf(QuiverException.OverBudget.class).hasMessageContaining("creating collection c");
      assertThat(db.collectionNames()).isEmpty();
    }
    int dim = 32;
    Random rnd = new Random(random().nextLong());
    try (Quiver db = Quiver.open(dir)) { // unlimited: fill a collection and seal it
      Collection c = db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(dim, Metric.L2))
          .sealThreshold(1_000).build());
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        points.add(Point.of(i, TestVectors.randomVector(rnd, dim), null));
      }
      c.upsert(points);
      c.flush();
    }
    long used;
    try (Quiver db = Quiver.open(dir)) {
      used = db.memoryBudget().usedBytes();
      assertThat(used).isPositive();
    }
    // reopened under a budget just above what it holds: no room for int8 codes of 2,000 x 32 dims (72 KB)
    try (Quiver db = Quiver.builder(dir).memoryBudget(used + 1_000).open()) {
      Collection c = db.collection("c");
      assertThatThrownBy(() -> c.updateQuantization(QuantizationConfig.int8(0.99f)))
          .isInstanceOf(QuiverException.OverBudget.class).hasMessageContaining("quantizing collection c");
      assertThat(c.config().quantization()).isNull();
      assertThat(c.count()).isEqualTo(2_000);
    }
  }

  @Test
  void dropsCachesBeforeRefusing() throws Exception {
    int dim = 8;
    Random rnd = new Random(random().nextLong());
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(dim, Metric.L2))
          .sealThreshold(3_000).build());
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        points.add(Point.of(i, TestVectors.randomVector(rnd, dim), JSON.createObjectNode().put("k", "v" + i % 7)));
      }
      c.upsert(points);
      c.flush();
      Filter f = Filter.must(new Condition.Match("k", JSON.getNodeFactory().textNode("v3")));
      for (int q = 0; q < 5; q++) {
        c.search(SearchRequest.builder(TestVectors.randomVector(rnd, dim)).filter(f).limit(10).build());
        c.scroll(ScrollRequest.first(100).withFilter(f));
      }
      long caches = c.info().storage().caches().heap();
      assertThat(caches).as("filtered reads fill the caches").isPositive();
      long withoutCaches = c.heapBytesForBudget() - caches;
      MemoryBudget budget = MemoryBudget.of(withoutCaches + caches / 2);
      budget.register(c);
      assertThat(budget.fits(caches / 4)).isTrue();
      assertThat(c.info().storage().caches().heap()).isZero();
      assertThat(budget.fits(caches)).isFalse();
      assertThatThrownBy(() -> budget.reserve(caches, "a test job")).isInstanceOf(QuiverException.OverBudget.class)
          .hasMessageStartingWith("a test job needs about");
      assertThat(c.count(f, true)).isEqualTo(3_000 / 7 + (3 < 3_000 % 7 ? 1 : 0));
    }
  }
}
