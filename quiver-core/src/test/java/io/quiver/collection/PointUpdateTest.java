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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Update modes, payloads given as maps, and payload updates naming missing ids. */
class PointUpdateTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Collection create(Quiver db) throws Exception {
    return db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(2, Metric.L2)).build());
  }

  /** The vector writer {@code w} gives point {@code id}. */
  private static float[] vector(int w, long id) {
    return new float[] {w, id};
  }

  @Test
  void insertOnlyAndUpdateOnlyWriteOnlyNewOrOnlyExistingIds() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = create(db);
      c.upsert(Point.of(1, vector(0, 1), JSON.createObjectNode().put("v", "old")));
      int written = c.upsert(List.of(Point.of(1, vector(1, 1), JSON.createObjectNode().put("v", "new")),
          Point.of(2, vector(1, 2), null)), UpdateMode.INSERT_ONLY);
      assertThat(written).isEqualTo(1);
      assertThat(c.get(PointId.of(1)).payload().get("v").asText()).isEqualTo("old");
      assertThat(c.get(PointId.of(2))).isNotNull();
      written = c.upsert(List.of(Point.of(1, vector(2, 1), JSON.createObjectNode().put("v", "updated")),
          Point.of(3, vector(2, 3), null)), UpdateMode.UPDATE_ONLY);
      assertThat(written).isEqualTo(1);
      assertThat(c.get(PointId.of(1)).payload().get("v").asText()).isEqualTo("updated");
      assertThat(c.get(PointId.of(3))).isNull();
      assertThat(c.upsert(List.of(Point.of(3, vector(3, 3), null)), UpdateMode.UPSERT)).isEqualTo(1);
      assertThat(c.count()).isEqualTo(3);
      // a bad point rejects the batch whatever the mode
      assertThatThrownBy(() -> c.upsert(List.of(Point.of(4, new float[] {Float.NaN, 0}, null)),
          UpdateMode.UPDATE_ONLY)).isInstanceOf(QuiverException.InvalidInput.class);
    }
  }

  /**
   * Writers insert-only overlapping batches of the same ids at once: every id is written exactly once (the written
   * counts add up to the ids present), and its vector and payload are those of one writer, never a later overwrite.
   */
  @Test
  void concurrentInsertOnlyWritersNeverOverwriteEachOther() throws Exception {
    Random rnd = random();
    int writers = 2 + rnd.nextInt(3);
    int rounds = atLeast(40);
    int range = 200 + rnd.nextInt(200);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = create(db);
      CyclicBarrier start = new CyclicBarrier(writers);
      List<Future<Integer>> results = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
        for (int w = 1; w <= writers; w++) {
          int writer = w;
          Random own = new Random(rnd.nextLong());
          results.add(pool.submit(() -> {
            List<Long> ids = new ArrayList<>();
            for (long id = 0; id < range; id++) {
              ids.add(id);
            }
            int written = 0;
            start.await();
            for (int round = 0; round < rounds; round++) {
              Collections.shuffle(ids, own);
              List<Point> batch = new ArrayList<>();
              for (long id : ids.subList(0, 1 + own.nextInt(16))) {
                batch.add(Point.of(id, vector(writer, id), JSON.createObjectNode().put("writer", writer)));
              }
              written += c.upsert(batch, UpdateMode.INSERT_ONLY);
            }
            return written;
          }));
        }
        int total = 0;
        for (Future<Integer> f : results) {
          total += f.get();
        }
        assertThat((long) total).as("points written by all writers").isEqualTo(c.count());
      }
      ScrollPage page = c.scroll(new ScrollRequest(null, null, range + 1, PayloadSelector.ALL, Set.of(), null));
      assertThat(page.points()).hasSize((int) c.count());
      for (PointRecord r : page.points()) {
        int writer = r.payload().get("writer").asInt();
        assertThat(r.vectors().get(CollectionConfig.DEFAULT_VECTOR)).as("point %s", r.id())
            .containsExactly(vector(writer, ((PointId.Num) r.id()).value()));
      }
    }
  }

  @Test
  void payloadsGivenAsMapsAreStoredAsJson() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = create(db);
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("name", "quiver");
      payload.put("stars", 5);
      payload.put("tags", List.of("a", "b"));
      payload.put("meta", Map.of("nested", true));
      c.upsert(Point.fromMap(1, vector(0, 1), payload), Point.fromMap(PointId.of(2), vector(0, 2), null));
      assertThat(c.get(PointId.of(1)).payload()).isEqualTo(JSON.readTree(
          "{\"name\":\"quiver\",\"stars\":5,\"tags\":[\"a\",\"b\"],\"meta\":{\"nested\":true}}"));
      assertThat(c.get(PointId.of(2)).payload()).isNull();
      assertThat(c.count(Filter.must(new Condition.Match("name", JSON.getNodeFactory().textNode("quiver"))), true))
          .isEqualTo(1);
      assertThat(c.setPayload(List.of(PointId.of(1), PointId.of(2)), Map.of("stars", 6))).isEqualTo(2);
      assertThat(c.get(PointId.of(1)).payload().get("stars").asInt()).isEqualTo(6);
      assertThat(c.get(PointId.of(1)).payload().get("name").asText()).isEqualTo("quiver");
      assertThat(c.setPayload(Filter.must(new Condition.Match("stars", JSON.getNodeFactory().numberNode(6))),
          Map.of("seen", true))).isEqualTo(2);
      assertThat(c.overwritePayload(List.of(PointId.of(1)), Map.of("only", "this"))).isEqualTo(1);
      assertThat(c.get(PointId.of(1)).payload()).isEqualTo(JSON.readTree("{\"only\":\"this\"}"));
      assertThat(c.overwritePayload(Filter.ALL, Map.of("all", 1))).isEqualTo(2);
      assertThat(c.get(PointId.of(2)).payload()).isEqualTo(JSON.readTree("{\"all\":1}"));
      assertThatThrownBy(() -> c.setPayload(List.of(PointId.of(1)), Map.of("bad", new Object())))
          .isInstanceOf(QuiverException.InvalidInput.class);
    }
  }

  @Test
  void payloadUpdatesByIdFailNamingTheFirstMissingIdAndChangeNothing() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = create(db);
      c.upsert(Point.of(1, vector(0, 1), JSON.createObjectNode().put("v", 1)));
      List<PointId> ids = List.of(PointId.of(1), PointId.of(42), PointId.of(43));
      var before = c.get(PointId.of(1)).payload();
      List<Runnable> updates = List.of(
          () -> c.setPayload(ids, JSON.createObjectNode().put("v", 2)),
          () -> c.overwritePayload(ids, JSON.createObjectNode().put("w", 2)),
          () -> c.deletePayloadKeys(ids, List.of("v")),
          () -> c.clearPayload(ids));
      for (Runnable update : updates) {
        assertThatThrownBy(update::run).isInstanceOf(QuiverException.NotFound.class)
            .hasMessage("No point with id 42 found");
        assertThat(c.get(PointId.of(1)).payload()).isEqualTo(before);
      }
      assertThat(c.get(PointId.of(42))).isNull();
      // by filter, nothing matching is not an error
      assertThat(c.clearPayload(Filter.must(new Condition.HasId(Set.of(PointId.of(42)))))).isZero();
    }
  }
}
