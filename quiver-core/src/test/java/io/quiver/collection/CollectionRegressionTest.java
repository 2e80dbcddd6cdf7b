package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failing tests for review findings (each asserts the correct behaviour). */
/** Regression tests for bugs a review of the collection layer found (each failed before its fix). */
class CollectionRegressionTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  // F-updateVectors: two entries for one id in a batch; the first one's field update is silently lost.
  @Test
  void updateVectorsWithDuplicateIdAppliesBothEntries() throws Exception {
    CollectionConfig cfg = CollectionConfig.builder().vector("a", VectorParams.of(2, Metric.L2))
        .vector("b", VectorParams.of(2, Metric.L2)).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      c.upsert(new Point(PointId.of(1), Map.of("a", new float[] {0, 0}, "b", new float[] {0, 0}), null));
      c.updateVectors(List.of(new Point(PointId.of(1), Map.of("a", new float[] {1, 1}), null),
          new Point(PointId.of(1), Map.of("b", new float[] {2, 2}), null)));
      PointRecord r = c.get(PointId.of(1));
      assertThat(r.vectors().get("b")).containsExactly(2, 2);
      assertThat(r.vectors().get("a")).as("first entry's update of 'a'").containsExactly(1, 1); // fails: 0,0
    }
  }

  // F-bigbatch: a batch whose log record exceeds WalOptions.maxRecordBytes (64 MiB) escapes as
  // IllegalArgumentException instead of QuiverException.InvalidInput.
  @Test
  void oversizedBatchIsInvalidInput() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", CollectionConfig.of(VectorParams.of(2, Metric.L2)));
      ObjectNode big = JSON.createObjectNode().put("s", "x".repeat(1_000_000));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 70; i++) {
        batch.add(Point.of(i, new float[] {i, 1}, big));
      }
      assertThatThrownBy(() -> c.upsert(batch)).isInstanceOf(QuiverException.InvalidInput.class);
      assertThat(c.count()).isZero();
    }
  }

  // F-offset: offset + limit overflows int.
  @Test
  void hugeOffsetPlusLimitIsInvalidInput() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", CollectionConfig.of(VectorParams.of(2, Metric.L2)));
      c.upsert(Point.of(1, new float[] {1, 1}, null));
      assertThatThrownBy(() -> c.search(SearchRequest.builder(new float[] {1, 1}).limit(Integer.MAX_VALUE).offset(1)
          .build())).isInstanceOf(QuiverException.InvalidInput.class);
    }
  }

  // F-restore-alias: restoreSnapshot(replace=true) deletes the aliases of the collection it replaces.
  @Test
  void restoreWithReplaceKeepsAliases() throws Exception {
    Path snap = dir.resolve("s.zip");
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("c", CollectionConfig.of(VectorParams.of(2, Metric.L2)));
      c.upsert(Point.of(1, new float[] {1, 1}, null));
      db.createAlias("prod", "c");
      db.snapshot("c", snap);
      db.restoreSnapshot("c", snap, true);
      assertThat(db.aliases()).containsEntry("prod", "c"); // fails: alias dropped
    }
  }

  // F-restore-alias-shadow: restore(replace=true) under a name that is an alias creates an unreachable collection.
  @Test
  void restoreUnderAnAliasNameIsRejected() throws Exception {
    Path snap = dir.resolve("s.zip");
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("c", CollectionConfig.of(VectorParams.of(2, Metric.L2)));
      c.upsert(Point.of(1, new float[] {1, 1}, null));
      db.createAlias("prod", "c");
      db.snapshot("c", snap);
      assertThatThrownBy(() -> db.restoreSnapshot("prod", snap, true))
          .isInstanceOf(QuiverException.AlreadyExists.class); // fails: creates collection "prod" hidden by the alias
    }
  }

  // F-scroll-race: scroll skips a live point whose location moved while the iterator held its old Location.
  @Test
  void scrollNeverMissesALivePointUnderConcurrentUpdates() throws Exception {
    int n = 300;
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2)).sealThreshold(200).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      Random rnd = new Random(1);
      for (int i = 0; i < n; i++) {
        c.upsert(Point.of(i, TestVectors.randomVector(rnd, 4), JSON.createObjectNode().put("color", "red")));
      }
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer = Thread.ofPlatform().start(() -> {
        Random r = new Random(2);
        while (!stop.get()) {
          c.upsert(Point.of(r.nextInt(n), TestVectors.randomVector(r, 4), JSON.createObjectNode().put("color", "red")));
        }
      });
      int worstScroll = n;
      long worstCount = n;
      long deadline = System.nanoTime() + 3_000_000_000L;
      Filter red = Filter.must(new Condition.Match("color", JSON.getNodeFactory().textNode("red")));
      try {
        while (System.nanoTime() < deadline) {
          int seen = c.scroll(ScrollRequest.first(10_000)).points().size();
          worstScroll = Math.min(worstScroll, seen);
          long counted = c.count(red, true);
          if (counted != n) {
            worstCount = counted;
          }
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(worstCount).as("exact count of a filter every point matches").isEqualTo(n);
      assertThat(worstScroll).as("points seen by a full scroll").isEqualTo(n);
    }
  }

  // F-dup-hits: while the indexer links a batch before publishing lane.indexed, a mutable-segment search offers the
  // same ordinal from the graph walk and from the tail scan; the duplicate takes a heap slot and after dedup the
  // search returns fewer than `limit` hits.
  @Test
  void searchReturnsLimitHitsWhileIndexing() throws Exception {
    int n = 40_000;
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(8, Metric.L2)).sealThreshold(1_000_000)
        .indexingLag(1_000_000).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      Random rnd = new Random(3);
      for (int i = 0; i < n; i += 1000) {
        List<Point> batch = new ArrayList<>();
        for (int j = i; j < i + 1000; j++) {
          batch.add(Point.of(j, TestVectors.randomVector(rnd, 8), null));
        }
        c.upsert(batch);
      }
      int shortest = 10;
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < deadline) {
        int got = c.search(SearchRequest.builder(TestVectors.randomVector(rnd, 8)).limit(10).build()).size();
        shortest = Math.min(shortest, got);
        if (c.info().status().equals("green")) {
          break;
        }
      }
      assertThat(shortest).as("hits returned for limit 10 out of %d points", n).isEqualTo(10);
    }
  }

  @Test
  void aRestoreInterruptedBetweenItsRenamesKeepsTheOldCollection() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      db.createCollection("x", CollectionConfig.of(VectorParams.of(2, Metric.L2)))
          .upsert(Point.of(7, new float[] {1, 2}, null));
    }
    // the state a crash leaves after "rename the old collection aside" and before "rename the restored one in"
    java.nio.file.Files.move(dir.resolve("collections/x"), dir.resolve("collections/.replaced-x"));
    try (Quiver db = Quiver.open(dir)) {
      assertThat(db.collection("x").get(PointId.of(7)).vectors().get("")).containsExactly(1, 2);
    }
  }
}
