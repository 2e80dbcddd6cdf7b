package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.filter.PointId;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Points that stay in the mutable segment (a collection below its seal threshold never seals) must all be found by
 * graph search: HNSW's pruning strands a few level-0 nodes as the graph grows, and the indexer links them back.
 */
class MutableSegmentReachabilityTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void everyPointOfAnUnsealedCollectionFindsItself() throws Exception {
    Random rnd = random();
    Metric metric = rnd.nextBoolean() ? Metric.L2 : Metric.COSINE;
    int dim = 8 + rnd.nextInt(24);
    int n = atLeast(6000);
    float[][] data = TestVectors.clustered(rnd, n, dim, 10 + rnd.nextInt(20));
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, metric)).sealThreshold(10 * n)
        .build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("grow", cfg);
      for (int from = 0; from < n; from += 500) { // bursts, as a client streams them
        List<Point> batch = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + 500); i++) {
          batch.add(Point.of(i, data[i], null));
        }
        c.upsert(batch);
      }
      c.awaitIndexed();
      assertThat(c.info().segments()).as("nothing sealed").isEqualTo(1);
      List<Integer> lost = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<ScoredPoint> hits = c.search(SearchRequest.builder(data[i]).limit(10).ef(64).build());
        if (hits.stream().map(ScoredPoint::id).noneMatch(PointId.of(i)::equals)) {
          lost.add(i);
        }
      }
      assertThat(lost).as("points whose own vector does not find them (%s, dim %d, %d points)", metric, dim, n)
          .isEmpty();
    }
  }
}
