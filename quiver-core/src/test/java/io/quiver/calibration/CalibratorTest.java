package io.quiver.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SparseSearchRequest;
import io.quiver.collection.SparseVector;
import io.quiver.collection.SparseVectorParams;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest extends RandomizedTest {
  private static final int DIM = 6;
  private static final int POINTS = 300;

  @TempDir Path dir;

  private static CollectionConfig config(Metric metric) {
    return CollectionConfig.builder().vector("d", VectorParams.of(DIM, metric)).vector("other", VectorParams.of(2,
        Metric.DOT)).sparseVector("s", SparseVectorParams.DEFAULT).build();
  }

  /** Points 0..POINTS-1 with a dense vector and a sparse one over 20 terms; every tenth point lacks "other". */
  private static Map<PointId, float[]> fill(Collection c, Random rnd) {
    Map<PointId, float[]> vectors = new HashMap<>();
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < POINTS; i++) {
      float[] v = vector(rnd, DIM);
      Map<String, float[]> dense = new HashMap<>();
      dense.put("d", v);
      if (i % 10 != 0) {
        dense.put("other", vector(rnd, 2));
      }
      int a = rnd.nextInt(20);
      int b = (a + 1 + rnd.nextInt(19)) % 20;
      SparseVector s = SparseVector.of(new int[] {a, b}, new float[] {rnd.nextFloat(), rnd.nextFloat()});
      PointId id = new PointId.Num(i);
      batch.add(new Point(id, dense, null, Map.of("s", s)));
      vectors.put(id, v);
    }
    c.upsert(batch);
    return vectors;
  }

  private static float[] vector(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static List<PointId> someIds(Random rnd, int n) {
    List<PointId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(new PointId.Num(rnd.nextInt(POINTS)));
    }
    return ids;
  }

  /** Qdrant's score of a dense pair: the similarity for Cosine and Dot, the (not squared) distance for Euclid. */
  private static float score(Metric metric, float[] q, float[] v) {
    return metric.toScore(metric.distance(q, v));
  }

  @Test
  void thresholdsAreTheConformalQuantileOfExactPairScoresAndSearchesKeepWhatPasses() throws Exception {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", config(metric));
      Map<PointId, float[]> vectors = fill(c, rnd);
      if (rnd.nextBoolean()) {
        c.flush();
      }
      List<CalibrationQuery> queries = new ArrayList<>();
      List<Float> expected = new ArrayList<>();
      for (int q = 0; q < 40; q++) {
        float[] v = vector(rnd, DIM);
        CalibrationQuery cq = CalibrationQuery.dense(v, someIds(rnd, 1 + rnd.nextInt(3)));
        queries.add(cq);
        cq.relevant().forEach(id -> expected.add(score(metric, v, vectors.get(id))));
      }
      float[] scores = new float[expected.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = expected.get(i);
      }
      boolean largerBetter = metric == Metric.COSINE || metric == Metric.DOT;
      CalibrationReport r = Calibrator.builder(c, "d").alphas(List.of(0.2, 0.05, 0.1)).build().calibrate(queries);
      Calibration cal = r.calibration();
      assertThat(r.holdout()).isNull();
      assertThat(cal.pairs()).isEqualTo(scores.length);
      assertThat(cal.queries()).isEqualTo(40);
      assertThat(cal.unreachable()).isZero();
      assertThat(cal.largerBetter()).isEqualTo(largerBetter);
      assertThat(cal.thresholds()).extracting(Calibration.Threshold::alpha).containsExactly(0.05, 0.1, 0.2);
      for (Calibration.Threshold t : cal.thresholds()) {
        assertThat(t.score()).as("%s alpha %s", metric, t.alpha())
            .isCloseTo(ConformalQuantile.threshold(scores, t.alpha(), largerBetter), within(1e-4f));
      }
      // an exact search with the threshold returns exactly the relevant points whose score passes it
      float t = cal.threshold(0.2).score();
      int kept = 0;
      int keptNear = 0; // with a tolerance: the engine's score of the threshold pair may differ in the last bits
      int returned = 0;
      for (CalibrationQuery cq : queries) {
        float[] v = ((CalibrationQuery.Dense) cq.query()).vector();
        Set<PointId> hits = c.search(SearchRequest.builder(v).using("d").limit(POINTS).scoreThreshold(t).exact(true)
            .build()).stream().map(ScoredPoint::id).collect(Collectors.toSet());
        for (PointId id : cq.relevant()) {
          float pair = score(metric, v, vectors.get(id));
          kept += ConformalQuantile.passes(pair, t, largerBetter) ? 1 : 0;
          keptNear += ConformalQuantile.passes(pair + (largerBetter ? 1e-4f : -1e-4f) * Math.max(1, Math.abs(t)), t,
              largerBetter) ? 1 : 0;
          returned += hits.contains(id) ? 1 : 0;
        }
      }
      assertThat(Math.abs(returned - kept)).as("pairs near the threshold may round either way").isLessThanOrEqualTo(1);
      assertThat((double) keptNear / scores.length).isGreaterThanOrEqualTo(1 - 0.2 - 1e-9);
    }
  }

  @Test
  void sparseAndPointIdQueriesAndUnreachablePairs() throws Exception {
    Random rnd = random();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", config(Metric.COSINE));
      fill(c, rnd);
      List<CalibrationQuery> sparse = new ArrayList<>();
      for (int q = 0; q < 30; q++) {
        int term = rnd.nextInt(20);
        List<PointId> relevant = someIds(rnd, 2);
        sparse.add(CalibrationQuery.sparse(SparseVector.of(new int[] {term}, new float[] {1f}), relevant));
      }
      // pairs with no shared term are unreachable; count them against the search itself
      int unreachable = 0;
      for (CalibrationQuery cq : sparse) {
        SparseVector v = ((CalibrationQuery.Sparse) cq.query()).vector();
        Set<PointId> found = c.search(SparseSearchRequest.builder(v, "s").limit(POINTS).build()).stream()
            .map(ScoredPoint::id).collect(Collectors.toSet());
        for (PointId id : cq.relevant()) {
          unreachable += found.contains(id) ? 0 : 1;
        }
      }
      int pairs = sparse.stream().mapToInt(cq -> cq.relevant().size()).sum();
      int finalUnreachable = unreachable;
      List<Double> alphas = new ArrayList<>();
      for (double a : new double[] {0.5, 0.9}) { // alphas for which so many unreachable pairs still leave a threshold
        if (ConformalQuantile.rank(pairs, a) > finalUnreachable) {
          alphas.add(a);
        }
      }
      if (!alphas.isEmpty()) {
        Calibration cal = Calibrator.builder(c, "s").alphas(alphas).build().calibrate(sparse).calibration();
        assertThat(cal.kind()).isEqualTo(Calibration.Kind.SPARSE);
        assertThat(cal.unreachable()).isEqualTo(unreachable);
        assertThat(cal.largerBetter()).isTrue();
      }
      if (unreachable > 0) {
        assertThatThrownBy(() -> Calibrator.builder(c, "s").alphas(List.of(1.0 / (pairs + 1) + 1e-6)).build()
            .calibrate(sparse)).isInstanceOf(QuiverException.InvalidInput.class)
            .hasMessageContaining("can never be returned");
      }

      // by point id: the query point itself is never returned, so relevant to itself it is unreachable
      List<CalibrationQuery> near = new ArrayList<>();
      for (int q = 0; q < 20; q++) {
        near.add(CalibrationQuery.near(new PointId.Num(q), List.of(new PointId.Num(q + 1))));
      }
      near.add(CalibrationQuery.near(new PointId.Num(5), List.of(new PointId.Num(5))));
      Calibration cal = Calibrator.builder(c, "d").alphas(List.of(0.2)).build().calibrate(near).calibration();
      assertThat(cal.unreachable()).isEqualTo(1);
      assertThat(cal.pairs()).isEqualTo(21);

      // a point without a vector of the field is unreachable; one that does not exist is an error
      List<CalibrationQuery> other = new ArrayList<>();
      for (int q = 0; q < 20; q++) {
        other.add(CalibrationQuery.dense(vector(rnd, 2), List.of(new PointId.Num(q * 10 + 1))));
      }
      other.add(CalibrationQuery.dense(vector(rnd, 2), List.of(new PointId.Num(0))));
      assertThat(Calibrator.builder(c, "other").alphas(List.of(0.1)).build().calibrate(other).calibration()
          .unreachable()).isEqualTo(1);
      other.add(CalibrationQuery.dense(vector(rnd, 2), List.of(new PointId.Num(1), new PointId.Num(POINTS + 5))));
      assertThatThrownBy(() -> Calibrator.builder(c, "other").build().calibrate(other))
          .isInstanceOf(QuiverException.InvalidInput.class)
          .hasMessageContaining("queries[21].relevant[1]: no point " + (POINTS + 5));
      assertThatThrownBy(() -> Calibrator.builder(c, "s").build().calibrate(other))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("queries[0].query: a dense vector");
      assertThatThrownBy(() -> Calibrator.builder(c, "nope").build().calibrate(other))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("no vector field 'nope'");
      assertThatThrownBy(() -> Calibrator.builder(c, "other").alphas(List.of(0.01)).build().calibrate(other))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("at least 99");
      assertThatThrownBy(() -> CalibrationQuery.dense(new float[2], List.of()))
          .isInstanceOf(QuiverException.InvalidInput.class);
    }
  }

  @Test
  void holdoutThresholdsComeFromTheOtherQueriesOnly() throws Exception {
    Random rnd = random();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", config(Metric.L2));
      fill(c, rnd);
      List<CalibrationQuery> queries = new ArrayList<>();
      for (int q = 0; q < 61; q++) {
        queries.add(CalibrationQuery.dense(vector(rnd, DIM), someIds(rnd, 1)));
      }
      long seed = rnd.nextLong();
      CalibrationReport r = Calibrator.builder(c, "d").alphas(List.of(0.1, 0.2)).holdout(0.5, seed).build()
          .calibrate(queries);
      CalibrationReport again = Calibrator.builder(c, "d").alphas(List.of(0.1, 0.2)).holdout(0.5, seed).build()
          .calibrate(queries);
      assertThat(again).as("the seed fixes the split").isEqualTo(r);
      assertThat(r.holdout().queries()).isEqualTo(31);
      assertThat(r.holdout().pairs()).isEqualTo(31);
      assertThat(r.holdout().seed()).isEqualTo(seed);
      assertThat(r.calibration().queries()).isEqualTo(30);
      assertThat(r.holdout().coverage()).hasSize(2).allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
      assertThat(r.calibration().largerBetter()).isFalse();
      assertThat(r.calibration().threshold(0.1).score()).isGreaterThanOrEqualTo(r.calibration().threshold(0.2)
          .score());
      assertThatThrownBy(() -> Calibrator.builder(c, "d").holdout(1, 0)).isInstanceOf(
          QuiverException.InvalidInput.class);
    }
  }
}
