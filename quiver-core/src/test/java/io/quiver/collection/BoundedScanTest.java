package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact cosine search over sealed segments large enough for {@link BoundedScan} equals brute force: the same scores
 * rank by rank, and the same ids wherever a score is not tied within float rounding; with filters of every
 * selectivity, score thresholds, deleted points, duplicated and nearly duplicated vectors (ties and near ties at the
 * k-th place), and queries that are stored vectors.
 */
class BoundedScanTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void exactSearchEqualsBruteForce() throws Exception {
    Random rnd = random();
    int dim = 8 + rnd.nextInt(120);
    int n = 6000 + rnd.nextInt(4000);
    float[][] v = TestVectors.clustered(rnd, n, dim, 4 + rnd.nextInt(12));
    for (int i = 0; i < n / 10; i++) { // duplicates and near duplicates
      int from = rnd.nextInt(n);
      int to = rnd.nextInt(n);
      v[to] = v[from].clone();
      if (rnd.nextBoolean()) {
        v[to][rnd.nextInt(dim)] += 1e-4f;
      }
    }
    int[] r = rnd.ints(n, 0, 1000).toArray();
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, Metric.COSINE))
        .sealThreshold(BoundedScan.MIN_POINTS + rnd.nextInt(2000)).mergeThreshold(0)
        .payloadIndex("r", FieldSchema.INTEGER).build();
    Set<Integer> deleted = new HashSet<>();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(Point.of(i, v[i], JSON.createObjectNode().put("r", r[i])));
        if (batch.size() == 1000) {
          c.upsert(batch);
          batch.clear();
        }
      }
      c.upsert(batch);
      c.awaitIndexed();
      List<PointId> doomed = new ArrayList<>();
      for (int i = 0; i < n / 50; i++) {
        int d = rnd.nextInt(n);
        if (deleted.add(d)) {
          doomed.add(PointId.of(d));
        }
      }
      c.delete(doomed);
      double[][] unit = new double[n][];
      for (int i = 0; i < n; i++) {
        unit[i] = unit(v[i]);
      }
      for (int iter = 0; iter < atLeast(60); iter++) {
        float[] q = rnd.nextInt(3) == 0 ? v[rnd.nextInt(n)].clone() : TestVectors.randomVector(rnd, dim);
        int t = switch (rnd.nextInt(4)) {
          case 0 -> 1000;
          case 1 -> 500 + rnd.nextInt(500);
          case 2 -> 100 + rnd.nextInt(400);
          default -> 1 + rnd.nextInt(100);
        };
        Filter filter = t == 1000 ? null
            : FilterParser.parse("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":" + t + "}}]}");
        IntPredicate accept = i -> !deleted.contains(i) && r[i] < t;
        int k = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 200);
        double[] qu = unit(q);
        Float threshold = rnd.nextInt(4) == 0 ? (float) (rnd.nextDouble() * 0.9) : null;
        List<double[]> want = IntStream.range(0, n).filter(accept).mapToObj(i -> new double[] {i, dot(qu, unit[i])})
            .filter(h -> threshold == null || h[1] >= threshold)
            .sorted(Comparator.comparingDouble((double[] h) -> -h[1]).thenComparingDouble(h -> h[0]))
            .limit(k).toList();
        List<ScoredPoint> got = c.search(SearchRequest.builder(q).limit(k).filter(filter).exact(true)
            .scoreThreshold(threshold).build());
        String what = "query " + iter + " k=" + k + " r<" + t + " threshold=" + threshold;
        assertThat(got).as(what).hasSize(want.size());
        for (int i = 0; i < got.size(); i++) {
          assertThat((double) got.get(i).score()).as(what + " rank " + i).isCloseTo(want.get(i)[1], within(2e-5));
          long id = ((PointId.Num) got.get(i).id()).value();
          boolean tied = (i > 0 && want.get(i - 1)[1] - want.get(i)[1] < 1e-5)
              || (i + 1 < want.size() && want.get(i)[1] - want.get(i + 1)[1] < 1e-5)
              || (i == want.size() - 1 && nextScoreClose(accept, threshold, qu, unit, want, n));
          if (!tied) {
            assertThat(id).as(what + " rank " + i).isEqualTo((long) want.get(i)[0]);
          }
          assertThat(accept.test((int) id)).as(what + " rank " + i + " admitted").isTrue();
        }
      }
    }
  }

  /** Whether some admitted point outside {@code want} scores within float rounding of its last entry. */
  private static boolean nextScoreClose(IntPredicate accept, Float threshold, double[] qu, double[][] unit,
      List<double[]> want, int n) {
    double last = want.get(want.size() - 1)[1];
    Set<Integer> in = new HashSet<>();
    want.forEach(h -> in.add((int) h[0]));
    for (int i = 0; i < n; i++) {
      if (!in.contains(i) && accept.test(i) && Math.abs(dot(qu, unit[i]) - last) < 1e-5) {
        return true;
      }
    }
    return false;
  }

  private static double[] unit(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    double norm = Math.sqrt(s);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / norm;
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
