package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorSource;
import io.quiver.testing.TestVectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The index family on indexes built with level-0 slack ({@link HnswIndex#forBulkBuild}) and finished: the same recall,
 * delete, filter and concurrency bars as a plain build, and every list back at its degree after the finish.
 */
class BulkBuiltHnswIndexTest extends HnswIndexTest {

  @Override
  protected VectorIndex newIndex(int dimension, Metric metric) {
    return HnswIndex.forBulkBuild(dimension, metric,
        HnswConfig.builder().m(16).efConstruction(100).seed(random().nextLong()).build());
  }

  @Override
  protected VectorIndex afterBuild(VectorIndex built) {
    HnswIndex index = (HnswIndex) built;
    index.finishBulkBuild(1 + random().nextInt(3));
    return index;
  }

  @Test
  void listsGrowPastTheirDegreeWhileBuildingAndAreBackWithinItAfterTheFinish() {
    Random rnd = random();
    int m = 4 + rnd.nextInt(8);
    float[][] base = TestVectors.clustered(rnd, atLeast(3000), 8 + rnd.nextInt(24), 8);
    try (HnswIndex index = HnswIndex.forBulkBuild(base[0].length, Metric.L2,
        HnswConfig.builder().m(m).efConstruction(60).seed(rnd.nextLong()).build())) {
      index.addAll(VectorSource.of(base), 1 + rnd.nextInt(3), BuildProgress.NONE);
      int[] nbrs = new int[4 * m];
      int above = 0;
      for (int node = 0; node < base.length; node++) {
        int n = index.neighbors(node, 0, nbrs);
        assertThat(n).isLessThanOrEqualTo((int) Math.ceil(2 * m * HnswIndex.BULK_SLACK));
        above += n > 2 * m ? 1 : 0;
      }
      assertThat(above).as("level-0 lists above the degree %d before the finish", 2 * m).isPositive();
      index.finishBulkBuild(1 + rnd.nextInt(3));
      for (int node = 0; node < base.length; node++) {
        int n = index.neighbors(node, 0, nbrs);
        assertThat(n).as("node %d after the finish", node).isBetween(1, 2 * m);
      }
    }
  }
}
