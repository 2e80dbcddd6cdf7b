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
import io.quiver.testing.RandomizedTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse vector fields against a brute-force model, across writes, seal, merge, vacuum, reopen and damage. */
class SparseVectorTest extends RandomizedTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** What the collection should hold: each live point as last written. */
  static final class Model {
    final Map<PointId, Point> points = new LinkedHashMap<>();

    /** The expected hits of {@code q} in field {@code field}, best first (only points sharing an index). */
    List<ScoredPoint> search(String field, SparseVector q, boolean idf, Integer group, int limit) {
      SparseVector sq = q.sorted();
      float[] w = sq.values().clone();
      if (idf) {
        long total = points.values().stream().filter(p -> p.sparseVectors().containsKey(field)).count();
        for (int i = 0; i < w.length; i++) {
          int term = sq.indices()[i];
          long n = points.values().stream().filter(p -> p.sparseVectors().containsKey(field)
              && contains(p.sparseVectors().get(field), term)).count();
          w[i] *= SparseSearcher.idf(total, n);
        }
      }
      SparseVector weighted = new SparseVector(sq.indices(), w);
      List<ScoredPoint> out = new ArrayList<>();
      for (Point p : points.values()) {
        SparseVector v = p.sparseVectors().get(field);
        if (v == null || (group != null && p.payload().get("g").asInt() != group)) {
          continue;
        }
        SparseVector sv = v.sorted();
        boolean overlap = false;
        for (int t : sq.indices()) {
          overlap |= contains(sv, t);
        }
        if (overlap) {
          out.add(new ScoredPoint(p.id(), sv.dot(weighted), null, null));
        }
      }
      out.sort(Comparator.comparingDouble((ScoredPoint s) -> -s.score()));
      return out.subList(0, Math.min(limit, out.size()));
    }

    static boolean contains(SparseVector v, int term) {
      for (int t : v.indices()) {
        if (t == term) {
          return true;
        }
      }
      return false;
    }
  }

  static SparseVector randomSparse(Random rnd, int vocab, int maxNnz) {
    int n = rnd.nextInt(maxNnz + 1);
    int[] idx = rnd.ints(0, vocab).distinct().limit(n).toArray();
    float[] val = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      if (rnd.nextInt(8) == 0) {
        idx[i] = -1 - idx[i]; // indices at the top of the u32 range
      }
      val[i] = rnd.nextInt(10) == 0 ? -rnd.nextFloat() : rnd.nextFloat() + 0.01f;
    }
    return new SparseVector(idx, val);
  }

  static Point randomPoint(Random rnd, long id, int vocab) {
    Map<String, SparseVector> sparse = new HashMap<>();
    if (rnd.nextInt(10) > 0) {
      sparse.put("s", randomSparse(rnd, vocab, 12));
    }
    if (rnd.nextBoolean()) {
      sparse.put("t", randomSparse(rnd, vocab, 4));
    }
    ObjectNode payload = JSON.createObjectNode().put("g", rnd.nextInt(4));
    return new Point(PointId.of(id), Map.of("d", new float[] {rnd.nextFloat(), rnd.nextFloat()}), payload, sparse);
  }

  static void assertSearches(Collection c, Model model, Random rnd, boolean idf, int vocab, String stage) {
    for (int i = 0; i < 25; i++) {
      SparseVector q = randomSparse(rnd, vocab, 6);
      Integer group = rnd.nextBoolean() ? rnd.nextInt(4) : null;
      int limit = 1 + rnd.nextInt(15);
      SparseSearchRequest.Builder b = SparseSearchRequest.builder(q, "s").limit(limit);
      if (group != null) {
        b.filter(Filter.must(new Condition.Match("g", JSON.getNodeFactory().numberNode(group))));
      }
      List<ScoredPoint> got = c.search(b.build());
      List<ScoredPoint> want = model.search("s", q, idf, group, limit);
      assertThat(got).as("%s: query %s group %s: got %s want %s", stage, q, group, got, want).hasSameSizeAs(want);
      for (int r = 0; r < got.size(); r++) {
        // equal up to float summation order; a tie may swap ids, never scores
        assertThat(got.get(r).score()).as("%s: rank %d of %s: got %s want %s", stage, r, q, got, want)
            .isCloseTo(want.get(r).score(), Offset.offset(1e-4f));
        Point p = model.points.get(got.get(r).id());
        assertThat(p).as("%s: hit %s is live", stage, got.get(r).id()).isNotNull();
      }
    }
  }

  static void assertStored(Collection c, Model model) {
    List<PointId> ids = new ArrayList<>(model.points.keySet());
    for (PointRecord r : c.retrieve(ids, PayloadSelector.ALL, Set.of())) {
      Point p = model.points.get(r.id());
      Map<String, SparseVector> want = new HashMap<>();
      p.sparseVectors().forEach((k, v) -> want.put(k, v.sorted()));
      assertThat(r.sparseVectors()).as("sparse vectors of %s", r.id()).isEqualTo(want);
      assertThat(r.payload()).isEqualTo(p.payload());
    }
  }

  CollectionConfig config(boolean idf, boolean onDisk) {
    return CollectionConfig.builder().vector("d", VectorParams.of(2, Metric.L2))
        .sparseVector("s", new SparseVectorParams(idf ? SparseVectorParams.Modifier.IDF
            : SparseVectorParams.Modifier.NONE, 1000, onDisk, "float32"))
        .sparseVector("t", SparseVectorParams.DEFAULT)
        .sealThreshold(150).mergeThreshold(400).vacuumRatio(0.3).build();
  }

  @Test
  void searchMatchesBruteForceAcrossSealMergeVacuumAndReopen() throws Exception {
    Random rnd = random();
    boolean idf = rnd.nextBoolean();
    int vocab = 20 + rnd.nextInt(200);
    Model model = new Model();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("sp", config(idf, rnd.nextBoolean()));
      int n = atLeast(600);
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Point p = randomPoint(rnd, rnd.nextInt(n), vocab); // some ids are rewritten
        batch.add(p);
        model.points.put(p.id(), p);
        if (batch.size() == 40 || i == n - 1) {
          c.upsert(batch);
          batch.clear();
          if (rnd.nextInt(4) == 0) {
            assertSearches(c, model, rnd, idf, vocab, "while writing");
          }
        }
      }
      assertSearches(c, model, rnd, idf, vocab, "mutable");
      c.flush();
      assertSearches(c, model, rnd, idf, vocab, "sealed");
      assertStored(c, model);
      // payload-only and vector-only updates keep the other parts of the point
      List<PointId> some = model.points.keySet().stream().filter(id -> rnd.nextInt(4) == 0).toList();
      c.setPayload(some, Map.of("g", 3));
      for (PointId id : some) {
        Point p = model.points.get(id);
        model.points.put(id, new Point(id, p.vectors(), JSON.createObjectNode().put("g", 3), p.sparseVectors()));
      }
      List<Point> updates = new ArrayList<>();
      for (PointId id : model.points.keySet().stream().filter(id -> rnd.nextInt(5) == 0).toList()) {
        SparseVector v = randomSparse(rnd, vocab, 8);
        updates.add(new Point(id, Map.of(), null, Map.of("s", v)));
        Point p = model.points.get(id);
        Map<String, SparseVector> sparse = new HashMap<>(p.sparseVectors());
        sparse.put("s", v);
        model.points.put(id, new Point(id, p.vectors(), p.payload(), sparse));
      }
      c.updateVectors(updates);
      assertSearches(c, model, rnd, idf, vocab, "after updates");
      assertStored(c, model);
      List<PointId> doomed = model.points.keySet().stream().filter(id -> rnd.nextInt(3) > 0).toList();
      c.delete(doomed);
      doomed.forEach(model.points::remove);
      assertSearches(c, model, rnd, idf, vocab, "after deletes");
      c.flush();
      for (int i = 0; i < 500 && c.optimizerStats().merges() + c.optimizerStats().vacuums() == 0; i++) {
        Thread.sleep(20);
      }
      assertThat(c.optimizerStats().merges() + c.optimizerStats().vacuums()).as("merged or vacuumed").isPositive();
      assertSearches(c, model, rnd, idf, vocab, "merged and vacuumed");
      assertStored(c, model);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("sp");
      assertThat(c.config().sparseVectors().keySet()).containsExactly("s", "t");
      assertThat(c.config().sparseVector("s").fullScanThreshold()).isEqualTo(1000);
      assertSearches(c, model, rnd, idf, vocab, "reopened");
      assertStored(c, model);
      // writes after reopen only in the log: replayed on the next open
      List<Point> more = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Point p = randomPoint(rnd, 100_000 + i, vocab);
        more.add(p);
        model.points.put(p.id(), p);
      }
      c.upsert(more);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("sp");
      assertSearches(c, model, rnd, idf, vocab, "replayed");
      assertStored(c, model);
    }
  }

  @Test
  void snapshotsCarrySealedAndLoggedSparseVectors() throws Exception {
    Random rnd = random();
    boolean idf = rnd.nextBoolean();
    Model model = new Model();
    Path archive = dir.resolve("snap.zip");
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      Collection c = db.createCollection("src", config(idf, false));
      for (int round = 0; round < 2; round++) { // sealed points, then points only in the log
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          Point p = randomPoint(rnd, round * 1000L + i, 60);
          batch.add(p);
          model.points.put(p.id(), p);
        }
        c.upsert(batch);
        if (round == 0) {
          c.flush();
        }
      }
      c.snapshot(archive);
      Collection restored = db.restoreSnapshot("copy", archive, false);
      assertStored(restored, model);
      assertSearches(restored, model, rnd, idf, 60, "restored");
    }
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      assertSearches(db.collection("copy"), model, rnd, idf, 60, "restored and reopened");
    }
  }

  @Test
  void badSparseVectorsAreRejectedNamingTheFieldAndChangeNothing() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("bad", config(false, false));
      PointId id = PointId.of(1);
      Map<String, float[]> d = Map.of("d", new float[] {1, 2});
      record Case(Map<String, SparseVector> sparse, Map<String, float[]> dense, String message) {}
      List<Case> cases = List.of(
          new Case(Map.of("s", SparseVector.of(new int[] {1, 1}, new float[] {1, 2})), d, "unique"),
          new Case(Map.of("s", SparseVector.of(new int[] {1, 2}, new float[] {1})), d, "same length"),
          new Case(Map.of("s", SparseVector.of(new int[] {1}, new float[] {Float.NaN})), d, "finite"),
          new Case(Map.of("x", SparseVector.of(new int[] {1}, new float[] {1})), d, "no sparse vector field 'x'"),
          new Case(Map.of("d", SparseVector.of(new int[] {1}, new float[] {1})), Map.of(), "dense vector field"),
          new Case(Map.of(), Map.of("d", new float[] {1, 2}, "s", new float[] {1}), "sparse vector field"));
      for (Case k : cases) {
        assertThatThrownBy(() -> c.upsert(List.of(new Point(id, k.dense(), null, k.sparse()))))
            .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining(k.message());
      }
      assertThat(c.count()).isZero();
      assertThatThrownBy(() -> c.search(SparseSearchRequest.builder(
          SparseVector.of(new int[] {3, 3}, new float[] {1, 1}), "s").build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("query sparse vector 's'");
    }
  }

  @Test
  void logRecordsKeepTypeOneWithoutSparseVectorsAndRoundTripTypeThree() throws Exception {
    Random rnd = random();
    Point dense = new Point(PointId.of(5), Map.of("d", new float[] {1, 2}), JSON.createObjectNode().put("g", 1));
    byte[] plain = WalOp.encode(new WalOp.Upsert(List.of(dense), null), JSON);
    assertThat(plain[0]).as("a batch without sparse vectors is a type 1 record, as before type 3").isEqualTo((byte) 1);
    WalOp.Upsert back = (WalOp.Upsert) WalOp.decode(plain, JSON);
    assertThat(back.points().get(0).sparseVectors()).isEmpty();
    assertThat(back.points().get(0).vectors().get("d")).containsExactly(1, 2);
    List<Point> points = new ArrayList<>(List.of(dense));
    for (int i = 0; i < 5; i++) {
      points.add(randomPoint(rnd, 10 + i, 1000));
    }
    byte[] withSparse = WalOp.encode(new WalOp.Upsert(points, null), JSON);
    assertThat(withSparse[0]).isEqualTo((byte) 3);
    List<Point> decoded = ((WalOp.Upsert) WalOp.decode(withSparse, JSON)).points();
    for (int i = 0; i < points.size(); i++) {
      assertThat(decoded.get(i).sparseVectors()).isEqualTo(points.get(i).sparseVectors());
      assertThat(decoded.get(i).payload()).isEqualTo(points.get(i).payload());
    }
    byte[] cut = Arrays.copyOf(withSparse, withSparse.length - 3);
    assertThatThrownBy(() -> WalOp.decode(cut, JSON)).as("a truncated record fails, never yields short vectors")
        .isInstanceOfAny(IOException.class, RuntimeException.class);
  }

  @Test
  void damagedSparseFileIsDetected() throws Exception {
    Random rnd = random();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("dmg", config(false, rnd.nextBoolean()));
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        points.add(randomPoint(rnd, i, 50));
      }
      c.upsert(points);
      c.flush();
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(".sparse")).toList();
    }
    assertThat(files).isNotEmpty();
    Path victim = files.get(rnd.nextInt(files.size()));
    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
      long at = 12 + rnd.nextLong(f.length() - 16);
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ (1 << rnd.nextInt(8)));
    }
    assertThatThrownBy(() -> Quiver.open(dir).close()).as("flipped a bit in %s", victim)
        .isInstanceOf(IOException.class).hasMessageContaining(victim.getFileName().toString());
  }
}
