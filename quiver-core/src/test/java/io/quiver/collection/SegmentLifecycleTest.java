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
import io.quiver.payload.FieldSchema;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Sealing, merging, vacuum, snapshots, payload indexes and damaged files, through the public API. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class SegmentLifecycleTest extends RandomizedTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  CollectionTest.Model fill(Collection c, int n, int dim, Metric metric, Random rnd) {
    CollectionTest.Model model = new CollectionTest.Model(metric);
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Point p = Point.of(i, TestVectors.randomVector(rnd, dim), CollectionTest.payload(rnd));
      batch.add(p);
      model.upsert(p);
      if (batch.size() == 64) {
        c.upsert(batch);
        batch.clear();
      }
    }
    c.upsert(batch);
    return model;
  }

  static List<Path> segmentDirs(Path db, String collection) throws Exception {
    try (Stream<Path> s = Files.list(db.resolve("collections").resolve(collection).resolve("segments"))) {
      return s.sorted().toList();
    }
  }

  @Test
  void sealedSegmentsMergeAndVacuumAndReopenWithoutReplay() throws Exception {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(6, metric)).sealThreshold(300)
        .mergeThreshold(400).vacuumRatio(0.3).build();
    CollectionTest.Model model;
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("life", cfg);
      model = fill(c, 1000 + rnd.nextInt(500), 6, metric, rnd);
      c.flush();
      assertThat(c.info().segments()).as("sealed segments plus the empty mutable one").isGreaterThanOrEqualTo(2);
      // small sealed segments (< mergeThreshold live points) merge in the background
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (segmentDirs(dir, "life").size() > (model.points.size() + 299) / 300 + 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      CollectionTest.assertSameState(c, model);
      // delete most of the points: segments past the vacuum ratio are rewritten without them
      List<PointId> doomed = model.points.keySet().stream().filter(id -> rnd.nextInt(3) > 0).toList();
      c.delete(doomed);
      doomed.forEach(model.points::remove);
      deadline = System.nanoTime() + 30_000_000_000L;
      long ordinalsOnDisk = Long.MAX_VALUE;
      while (System.nanoTime() < deadline) {
        Manifest m = Manifest.read(dir.resolve("collections/life"), JSON);
        ordinalsOnDisk = m.segments().stream().mapToLong(Manifest.Entry::ordinals).sum();
        if (ordinalsOnDisk <= model.points.size() / (1 - cfg.vacuumRatio()) + 1) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(ordinalsOnDisk).as("vacuum dropped deleted points from the files")
          .isLessThanOrEqualTo((long) (model.points.size() / (1 - cfg.vacuumRatio())) + 1);
      CollectionTest.assertSameState(c, model);
    }
    try (Stream<Path> wal = Files.list(dir.resolve("collections/life/wal"))) {
      List<Path> files = wal.toList();
      assertThat(files).as("a clean close checkpoints every write and drops the old log files").hasSize(1);
      assertThat(Files.size(files.get(0))).isLessThan(64);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("life");
      CollectionTest.assertSameState(c, model);
      assertThat(c.info().indexedPoints()).as("graphs come back from disk, not rebuilt")
          .isEqualTo(model.points.size());
      float[] q = TestVectors.randomVector(rnd, 6);
      assertThat(c.search(SearchRequest.builder(q).limit(5).build())).hasSize(5);
    }
  }

  @Test
  void payloadIndexesGiveTheSameResultsAsPerPointFilters() throws Exception {
    Random rnd = random();
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(8, Metric.L2)).sealThreshold(250).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("pi", cfg);
      CollectionTest.Model model = fill(c, 900, 8, Metric.L2, rnd);
      c.flush();
      fill(c, 0, 8, Metric.L2, rnd);
      List<Filter> filters = List.of(
          Filter.must(new Condition.Match("color", JSON.getNodeFactory().textNode("red"))),
          Filter.must(new Condition.Range("n", 10.0, null, null, 12.0)),
          Filter.mustNot(new Condition.Match("color", JSON.getNodeFactory().textNode("blue"))),
          Filter.must(new Condition.Match("color", JSON.getNodeFactory().textNode("green")),
              new Condition.Match("tags[]", JSON.getNodeFactory().textNode("t1"))));
      List<List<List<ScoredPoint>>> before = new ArrayList<>();
      float[][] queries = new float[10][];
      for (int i = 0; i < queries.length; i++) {
        queries[i] = TestVectors.randomVector(rnd, 8);
      }
      for (Filter f : filters) {
        List<List<ScoredPoint>> r = new ArrayList<>();
        for (float[] q : queries) {
          r.add(c.search(SearchRequest.builder(q).limit(7).filter(f).exact(true).build()));
        }
        before.add(r);
        assertThat(c.count(f, true)).isEqualTo(model.matching(f).size());
      }
      c.createPayloadIndex("color", FieldSchema.KEYWORD);
      c.createPayloadIndex("n", FieldSchema.INTEGER);
      assertThat(c.config().payloadSchema()).containsKeys("color", "n");
      for (int fi = 0; fi < filters.size(); fi++) {
        Filter f = filters.get(fi);
        assertThat(c.count(f, true)).as("count of filter %d with indexes", fi).isEqualTo(model.matching(f).size());
        long exactCount = model.matching(f).size();
        assertThat(c.count(f, false)).as("estimated count of filter %d", fi)
            .isBetween((long) (exactCount * 0.5) - 20, (long) (exactCount * 1.5) + 20);
        for (int qi = 0; qi < queries.length; qi++) {
          assertThat(c.search(SearchRequest.builder(queries[qi]).limit(7).filter(f).exact(true).build()))
              .as("exact filtered search %d/%d with indexes", fi, qi).isEqualTo(before.get(fi).get(qi));
          List<ScoredPoint> approx = c.search(SearchRequest.builder(queries[qi]).limit(7).filter(f).build());
          assertThat(approx).hasSize(before.get(fi).get(qi).size());
          approx.forEach(h -> assertThat(f.test(h.id(), model.points.get(h.id()).payload())).isTrue());
        }
      }
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("pi");
      assertThat(c.config().payloadSchema()).containsEntry("color", FieldSchema.KEYWORD);
      assertThat(c.deletePayloadIndex("color")).isTrue();
      assertThat(c.deletePayloadIndex("color")).isFalse();
    }
    try (Quiver db = Quiver.open(dir)) {
      assertThat(db.collection("pi").config().payloadSchema()).containsOnlyKeys("n");
    }
  }

  @Test
  void snapshotRestoresAConsistentCopy() throws Exception {
    Random rnd = random();
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.COSINE)).sealThreshold(200)
        .payloadIndex("color", FieldSchema.KEYWORD).build();
    Path archive = dir.resolve("snap.zip");
    CollectionTest.Model model;
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("src", cfg);
      model = fill(c, 500, 4, Metric.COSINE, rnd);
      c.delete(List.of(PointId.of(1), PointId.of(2)));
      model.points.remove(PointId.of(1));
      model.points.remove(PointId.of(2));
      c.snapshot(archive);
      c.upsert(Point.of(100_000, new float[] {1, 0, 0, 0}, null)); // after the snapshot: not in it
      Collection restored = db.restoreSnapshot("copy", archive, false);
      CollectionTest.assertSameState(restored, model);
      assertThat(restored.config().payloadSchema()).containsKey("color");
      assertThatThrownBy(() -> db.restoreSnapshot("copy", archive, false))
          .isInstanceOf(QuiverException.AlreadyExists.class);
      Files.write(dir.resolve("junk.zip"), new byte[] {1, 2, 3, 4});
      assertThatThrownBy(() -> db.restoreSnapshot("copy", dir.resolve("junk.zip"), true))
          .isInstanceOf(QuiverException.InvalidInput.class);
      CollectionTest.assertSameState(db.collection("copy"), model);
    }
    try (Quiver db = Quiver.open(dir.resolve("db2"))) {
      CollectionTest.assertSameState(db.restoreSnapshot("elsewhere", archive, false), model);
    }
  }

  @Test
  void damagedSegmentFilesAreDetectedNotServed() throws Exception {
    Random rnd = random();
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2)).sealThreshold(100).build();
    try (Quiver db = Quiver.open(dir)) {
      fill(db.createCollection("d", cfg), 300, 4, Metric.L2, rnd);
    }
    List<Path> files = new ArrayList<>();
    for (Path seg : segmentDirs(dir, "d")) {
      try (Stream<Path> s = Files.list(seg)) {
        s.filter(f -> !f.getFileName().toString().equals(SealedSegment.PAYLOAD_INDEX)).forEach(files::add);
      }
    }
    Path victim = files.get(rnd.nextInt(files.size()));
    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
      long at = 12 + rnd.nextLong(Math.max(1, f.length() - 16));
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ (1 << rnd.nextInt(8)));
    }
    assertThatThrownBy(() -> Quiver.open(dir).close()).as("flipped a bit in %s", victim)
        .isInstanceOf(java.io.IOException.class).hasMessageContaining(victim.getFileName().toString());
  }

  @Test
  void damagedManifestOrDeletesFileIsDetected() throws Exception {
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2)).sealThreshold(100).build();
    try (Quiver db = Quiver.open(dir)) {
      fill(db.createCollection("m", cfg), 250, 4, Metric.L2, random());
    }
    Path collection = dir.resolve("collections/m");
    Manifest m = Manifest.read(collection, JSON);
    Path deletes = collection.resolve(m.deletesFile());
    byte[] bytes = Files.readAllBytes(deletes);
    bytes[bytes.length / 2] ^= 1;
    Files.write(deletes, bytes);
    assertThatThrownBy(() -> Quiver.open(dir).close()).hasMessageContaining(m.deletesFile())
        .hasMessageContaining("checksum");
    Files.writeString(collection.resolve(Manifest.FILE), "{\"format\": 1, \"segments\": [");
    assertThatThrownBy(() -> Quiver.open(dir).close()).hasMessageContaining("manifest");
  }

  @Test
  void closeWithMuchUnindexedDataLeavesItToTheLog() throws Exception {
    int n = Collection.CLOSE_INDEXING_BUDGET + 5_000;
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2))
        .sealThreshold(1_000_000).indexingLag(1_000_000).build();
    CollectionTest.Model model;
    try (Quiver db = Quiver.open(dir)) {
      model = fill(db.createCollection("big", cfg), n, 4, Metric.L2, random());
    } // returns without building the graphs of 25,000 points first
    assertThat(Manifest.read(dir.resolve("collections/big"), JSON).segments()).as("nothing sealed").isEmpty();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("big");
      assertThat(c.count()).isEqualTo(n);
      CollectionTest.assertSameState(c, model);
    }
  }
  @Test
  void optimizerStatsCountSealsMergesAndVacuums() throws Exception {
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2)).sealThreshold(100)
        .mergeThreshold(1000).vacuumRatio(0.3).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("stats", cfg);
      assertThat(c.optimizerStats()).isEqualTo(new OptimizerStats(0, 0, 0, 0, 0));
      Random rnd = random();
      for (int round = 0; round < 3; round++) { // three small sealed segments of 30 points each
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          batch.add(Point.of(round * 30 + i, TestVectors.randomVector(rnd, 4), null));
        }
        c.upsert(batch);
        c.flush();
      }
      assertThat(c.optimizerStats().seals()).isEqualTo(3);
      // small sealed segments merge in the background (up to sealThreshold points together)
      long deadline = System.nanoTime() + 30_000_000_000L;
      // until all three are one: a merge that picked up two segments before the third was sealed would otherwise
      // still be merging when the deletes below land, copy only the live points, and leave nothing to vacuum
      while ((c.optimizerStats().merges() == 0 || c.info().segments() > 2) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(c.optimizerStats().merges()).isGreaterThanOrEqualTo(1);
      assertThat(c.info().segments()).as("one sealed segment and the mutable one").isEqualTo(2);
      assertThat(c.optimizerStats().vacuums()).isZero();
      // tombstones past the vacuum ratio get a sealed segment rewritten without them
      List<PointId> doomed = new ArrayList<>();
      for (int i = 0; i < 90; i += 2) {
        doomed.add(PointId.of(i));
      }
      c.delete(doomed);
      deadline = System.nanoTime() + 30_000_000_000L;
      while (c.optimizerStats().vacuums() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(c.optimizerStats().vacuums()).isGreaterThanOrEqualTo(1);
      assertThat(c.optimizerStats().seals()).isEqualTo(3);
      assertThat(c.count()).isEqualTo(45);
    }
  }
}
