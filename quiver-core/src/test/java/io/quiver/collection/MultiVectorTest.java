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
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.testing.RandomizedTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-vector fields against exact MaxSim, across writes, seal, merge, vacuum, reopen, snapshots and damage. */
class MultiVectorTest extends RandomizedTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int DIM = 8;
  @TempDir Path dir;

  /** Each live point as last written (multi-vectors as prepared by the collection). */
  static final class Model {
    final Map<PointId, Point> points = new LinkedHashMap<>();

    List<ScoredPoint> search(float[] q, Metric metric, Integer group, int limit) {
      List<ScoredPoint> out = new ArrayList<>();
      for (Point p : points.values()) {
        float[] d = p.vectors().get("m");
        if (d != null && (group == null || p.payload().get("g").asInt() == group)) {
          out.add(new ScoredPoint(p.id(), MultiVectors.maxSim(q, d, DIM, metric), null, null));
        }
      }
      out.sort(Comparator.comparingDouble((ScoredPoint s) -> -s.score()));
      return out.subList(0, Math.min(limit, out.size()));
    }
  }

  /** {@code n} vectors around a few of {@code centers}: clustered, as token embeddings are. */
  static float[] clustered(Random rnd, float[][] centers, int n, float noise) {
    int dim = centers[0].length;
    float[] out = new float[n * dim];
    int topics = 1 + rnd.nextInt(3);
    int[] pick = rnd.ints(topics, 0, centers.length).toArray();
    for (int v = 0; v < n; v++) {
      float[] c = centers[pick[rnd.nextInt(topics)]];
      for (int i = 0; i < dim; i++) {
        out[v * dim + i] = c[i] + noise * (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  static float[][] centers(Random rnd, int count, int dim) {
    float[][] c = new float[count][dim];
    for (float[] row : c) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) rnd.nextGaussian();
      }
    }
    return c;
  }

  static Point randomPoint(Random rnd, long id, float[][] centers) {
    Map<String, float[]> vectors = new LinkedHashMap<>();
    vectors.put("d", new float[] {rnd.nextFloat(), rnd.nextFloat()});
    if (rnd.nextInt(10) > 0) {
      vectors.put("m", clustered(rnd, centers, 1 + rnd.nextInt(6), 0.3f));
    }
    ObjectNode payload = JSON.createObjectNode().put("g", rnd.nextInt(4));
    return new Point(PointId.of(id), vectors, payload);
  }

  /** The point as stored: cosine multi-vectors normalized per vector. */
  static Point prepared(Point p, VectorParams params) {
    float[] m = p.vectors().get("m");
    if (m == null) {
      return p;
    }
    Map<String, float[]> v = new LinkedHashMap<>(p.vectors());
    v.put("m", MultiVectors.prepared(m, params));
    return new Point(p.id(), v, p.payload());
  }

  CollectionConfig config(Metric metric, boolean indexed, boolean onDisk) {
    MultiVectorConfig mv = indexed ? MultiVectorConfig.MAX_SIM : MultiVectorConfig.MAX_SIM.rerankOnly();
    return CollectionConfig.builder().vector("d", VectorParams.of(2, Metric.L2))
        .vector("m", new VectorParams(DIM, metric, HnswConfig.DEFAULT, onDisk, false).withMultivector(mv))
        .sealThreshold(150).mergeThreshold(400).vacuumRatio(0.3).build();
  }

  /**
   * Exact requests match the model's MaxSim rank by rank; graph searches (a pool small enough that sealed segments
   * use the FDE graph) return exact scores of live points and most of the exact top k.
   */
  static void assertSearches(Collection c, Model model, Metric metric, float[][] centers, Random rnd, String stage) {
    VectorParams params = c.config().multiVector("m");
    int found = 0;
    int wanted = 0;
    for (int i = 0; i < 20; i++) {
      float[] q = MultiVectors.prepared(clustered(rnd, centers, 1 + rnd.nextInt(4), 0.3f), params);
      Integer group = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : null;
      int limit = 1 + rnd.nextInt(10);
      List<ScoredPoint> want = model.search(q, metric, group, limit);
      for (boolean exact : new boolean[] {true, false}) {
        MultiVectorSearchRequest.Builder b = MultiVectorSearchRequest.builder(q, "m").limit(limit).exact(exact)
            .candidates(exact ? null : 30);
        if (group != null) {
          b.filter(Filter.must(new Condition.Match("g", JSON.getNodeFactory().numberNode(group))));
        }
        List<ScoredPoint> got = c.search(b.build());
        for (ScoredPoint h : got) {
          Point p = model.points.get(h.id());
          assertThat(p).as("%s: hit %s is live", stage, h.id()).isNotNull();
          assertThat(h.score()).as("%s: score of %s", stage, h.id())
              .isCloseTo(MultiVectors.maxSim(q, p.vectors().get("m"), DIM, metric), Offset.offset(1e-3f));
        }
        if (exact) {
          assertThat(got).as("%s: exact results", stage).hasSameSizeAs(want);
          for (int r = 0; r < got.size(); r++) {
            assertThat(got.get(r).score()).as("%s: exact rank %d", stage, r)
                .isCloseTo(want.get(r).score(), Offset.offset(1e-3f));
          }
        } else {
          Set<PointId> ids = new HashSet<>();
          got.forEach(h -> ids.add(h.id()));
          wanted += want.size();
          found += (int) want.stream().filter(w -> ids.contains(w.id())).count();
        }
      }
    }
    assertThat(found).as("%s: graph searches find most of the exact top k (%d of %d)", stage, found, wanted)
        .isGreaterThanOrEqualTo((int) (0.8 * wanted));
  }

  static void assertStored(Collection c, Model model) {
    List<PointId> ids = new ArrayList<>(model.points.keySet());
    List<PointRecord> records = c.retrieve(ids, PayloadSelector.ALL, Set.of());
    assertThat(records).hasSize(ids.size());
    for (PointRecord r : records) {
      Point p = model.points.get(r.id());
      assertThat(r.vectors().keySet()).as("fields of %s", r.id()).isEqualTo(p.vectors().keySet());
      assertThat(r.vectors().get("m")).as("multi-vector of %s", r.id()).isEqualTo(p.vectors().get("m"));
      assertThat(r.payload()).isEqualTo(p.payload());
    }
  }

  @Test
  void searchMatchesExactMaxSimAcrossSealMergeVacuumAndReopen() throws Exception {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    boolean indexed = rnd.nextInt(4) > 0;
    float[][] centers = centers(rnd, 12, DIM);
    Model model = new Model();
    CollectionConfig config = config(metric, indexed, rnd.nextBoolean());
    VectorParams params = config.multiVector("m");
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("mv", config);
      int n = atLeast(600);
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Point p = randomPoint(rnd, rnd.nextInt(n), centers); // some ids are rewritten
        batch.add(p);
        model.points.put(p.id(), prepared(p, params));
        if (batch.size() == 40 || i == n - 1) {
          c.upsert(batch);
          batch.clear();
        }
      }
      assertSearches(c, model, metric, centers, rnd, "written");
      c.flush();
      assertSearches(c, model, metric, centers, rnd, "sealed");
      assertStored(c, model);
      List<PointId> some = model.points.keySet().stream().filter(id -> rnd.nextInt(4) == 0).toList();
      c.setPayload(some, Map.of("g", 3));
      for (PointId id : some) {
        Point p = model.points.get(id);
        model.points.put(id, new Point(id, p.vectors(), JSON.createObjectNode().put("g", 3)));
      }
      List<Point> updates = new ArrayList<>();
      for (PointId id : model.points.keySet().stream().filter(id -> rnd.nextInt(5) == 0).toList()) {
        float[] m = clustered(rnd, centers, 1 + rnd.nextInt(5), 0.3f);
        updates.add(new Point(id, Map.of("m", m), null));
        Point p = model.points.get(id);
        Map<String, float[]> v = new LinkedHashMap<>(p.vectors());
        v.put("m", MultiVectors.prepared(m, params));
        model.points.put(id, new Point(id, v, p.payload()));
      }
      c.updateVectors(updates);
      assertStored(c, model);
      List<PointId> doomed = model.points.keySet().stream().filter(id -> rnd.nextInt(3) > 0).toList();
      c.delete(doomed);
      doomed.forEach(model.points::remove);
      assertSearches(c, model, metric, centers, rnd, "after deletes");
      c.flush();
      for (int i = 0; i < 500 && c.optimizerStats().merges() + c.optimizerStats().vacuums() == 0; i++) {
        Thread.sleep(20);
      }
      assertThat(c.optimizerStats().merges() + c.optimizerStats().vacuums()).as("merged or vacuumed").isPositive();
      assertSearches(c, model, metric, centers, rnd, "merged and vacuumed");
      assertStored(c, model);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("mv");
      assertThat(c.config().multiVector("m").multivector().indexed()).isEqualTo(indexed);
      assertThat(c.config().vectors().keySet()).containsExactly("d");
      assertSearches(c, model, metric, centers, rnd, "reopened");
      assertStored(c, model);
      List<Point> more = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Point p = randomPoint(rnd, 100_000 + i, centers);
        more.add(p);
        model.points.put(p.id(), prepared(p, params));
      }
      c.upsert(more);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("mv");
      assertSearches(c, model, metric, centers, rnd, "replayed");
      assertStored(c, model);
    }
  }

  /** Recall@10 of the default (FDE graph, rerank) search against exact MaxSim on clustered data. */
  @Test
  void fdeGraphSearchRecallsExactMaxSim() throws Exception {
    Random rnd = random();
    int dim = 32;
    float[][] centers = centers(rnd, 64, dim);
    int n = 4_000;
    VectorParams params = VectorParams.of(dim, Metric.COSINE).withMultivector(MultiVectorConfig.MAX_SIM);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("recall", CollectionConfig.builder().vector("m", params)
          .sealThreshold(n).build());
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(new Point(PointId.of(i), Map.of("m", clustered(rnd, centers, 8 + rnd.nextInt(25), 0.6f)), null));
        if (batch.size() == 500) {
          c.upsert(batch);
          batch.clear();
        }
      }
      c.flush();
      int found = 0;
      int queries = 40;
      for (int i = 0; i < queries; i++) {
        float[] q = clustered(rnd, centers, 4 + rnd.nextInt(13), 0.6f);
        Set<PointId> want = new HashSet<>();
        c.search(MultiVectorSearchRequest.builder(q, "m").limit(10).exact(true).build()).forEach(h -> want.add(h.id()));
        for (ScoredPoint h : c.search(MultiVectorSearchRequest.builder(q, "m").limit(10).build())) {
          found += want.contains(h.id()) ? 1 : 0;
        }
      }
      double recall = found / (10.0 * queries);
      System.out.printf("MultiVectorTest: recall@10 of the FDE graph search %.3f over %d queries%n", recall, queries);
      assertThat(recall).isGreaterThanOrEqualTo(0.95);
    }
  }

  @Test
  void snapshotsCarrySealedAndLoggedMultiVectors() throws Exception {
    Random rnd = random();
    float[][] centers = centers(rnd, 8, DIM);
    Model model = new Model();
    Path archive = dir.resolve("snap.zip");
    CollectionConfig config = config(Metric.DOT, true, false);
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("src", config);
      for (int round = 0; round < 2; round++) {
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          Point p = randomPoint(rnd, round * 1000L + i, centers);
          batch.add(p);
          model.points.put(p.id(), prepared(p, config.multiVector("m")));
        }
        c.upsert(batch);
        if (round == 0) {
          c.flush();
        }
      }
      c.snapshot(archive);
      Collection restored = db.restoreSnapshot("copy", archive, false);
      assertStored(restored, model);
      assertSearches(restored, model, Metric.DOT, centers, rnd, "restored");
    }
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      assertSearches(db.collection("copy"), model, Metric.DOT, centers, rnd, "restored and reopened");
    }
  }

  @Test
  void badMultiVectorsAreRejectedNamingTheFieldAndChangeNothing() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("bad", config(Metric.COSINE, true, false));
      PointId id = PointId.of(1);
      float[] d = {1, 2};
      record Case(float[] m, String message) {}
      float[] nan = new float[DIM];
      nan[3] = Float.NaN;
      float[] zero = new float[2 * DIM];
      zero[0] = 1;
      List<Case> cases = List.of(
          new Case(new float[0], "at least one vector"),
          new Case(new float[DIM + 1], "field's size " + DIM),
          new Case(nan, "vector 0 component 3 is NaN"),
          new Case(zero, "vector 1 is zero"));
      for (Case k : cases) {
        assertThatThrownBy(() -> c.upsert(List.of(new Point(id, Map.of("d", d, "m", k.m()), null))))
            .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("vector 'm'")
            .hasMessageContaining(k.message());
      }
      assertThat(c.count()).isZero();
      assertThatThrownBy(() -> c.search(MultiVectorSearchRequest.builder(new float[DIM + 3], "m").build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("query");
      assertThatThrownBy(() -> c.search(MultiVectorSearchRequest.builder(new float[DIM], "d").build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("no multi-vector field 'd'");
      assertThatThrownBy(() -> CollectionConfig.builder().vector("m", VectorParams.of(4, Metric.DOT)
          .withMultivector(MultiVectorConfig.MAX_SIM)).vector("m2", VectorParams.of(4, Metric.DOT))
          .vector(VectorParams.of(4, Metric.DOT)).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unnamed");
    }
  }

  @Test
  void damagedMultiVectorFileIsDetected() throws Exception {
    Random rnd = random();
    float[][] centers = centers(rnd, 8, DIM);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("dmg", config(Metric.DOT, rnd.nextBoolean(), rnd.nextBoolean()));
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        points.add(randomPoint(rnd, i, centers));
      }
      c.upsert(points);
      c.flush();
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(SealedMultiVectors.EXTENSION)).toList();
    }
    assertThat(files).isNotEmpty();
    Path victim = files.get(rnd.nextInt(files.size()));
    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
      long at = 12 + rnd.nextLong(f.length() - 16);
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5A);
    }
    assertThatThrownBy(() -> Quiver.open(dir).close()).as("flipped a byte in %s", victim)
        .isInstanceOf(IOException.class).hasMessageContaining(victim.getFileName().toString());
  }
}
