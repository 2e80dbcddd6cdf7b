package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.FloatVectorStore;
import io.quiver.index.SearchParams;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The mutable segment holds each vector once: its graph reads the vectors from the segment's own store. */
class MutableSegmentMemoryTest extends RandomizedTest {
  @Test
  void indexedVectorsAreHeldOnceAndSearchedThroughTheSharedStore() {
    Random rnd = random();
    Metric metric = rnd.nextBoolean() ? Metric.L2 : Metric.COSINE;
    int dim = 128 + rnd.nextInt(128);
    int n = atLeast(1500);
    float[][] data = TestVectors.clustered(rnd, n, dim, 8);
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, metric)).build();
    MutableSegment segment = new MutableSegment(1, cfg);
    for (int i = 0; i < n; i++) {
      float[] stored = data[i].clone();
      if (metric.normalizes()) {
        VectorUtil.normalize(stored); // as the collection's validator stores them
      }
      segment.append(Point.of(i, stored, null));
    }
    while (!segment.fullyIndexed()) {
      segment.indexPending(512);
    }
    FloatVectorStore alone = new FloatVectorStore(dim); // the vectors' own bytes, pages included
    for (int i = 0; i < n; i++) {
      alone.set(i, data[i]);
    }
    long vectorBytes = alone.ramBytesUsed();
    // a graph with its own copy would put the segment at twice the vector bytes plus its links
    assertThat(segment.heapBytes()).as("heap bytes of %d x %d vectors (%s)", n, dim, metric)
        .isLessThan(vectorBytes + vectorBytes / 2);
    assertThat(segment.storage().vectors().heap()).isEqualTo(vectorBytes);
    MutableSegment.Lane lane = segment.lanes().values().iterator().next();
    int found = 0;
    for (int t = 0; t < 50; t++) {
      int i = rnd.nextInt(n);
      int nearest = lane.graph.search(data[i], 1, SearchParams.ef(128), null).ordinals()[0];
      found += segment.idOf(nearest).equals(Point.of(i, data[i], null).id()) ? 1 : 0;
    }
    // graph search is approximate: a rare point is missed at this ef, a graph over the wrong vectors misses most
    assertThat(found).as("points that find themselves, of 50").isGreaterThanOrEqualTo(47);
  }
}
