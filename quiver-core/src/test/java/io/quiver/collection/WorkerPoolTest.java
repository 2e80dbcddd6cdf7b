package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One graph-building pool for every collection of the process, shut down when its last user closes. */
class WorkerPoolTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void leasesShareOnePoolThatTheLastCloseShutsDown() {
    int before = WorkerPool.leases(); // a Quiver another test left open would hold one
    WorkerPool.Lease first = WorkerPool.acquire();
    WorkerPool.Lease second = WorkerPool.acquire();
    ExecutorService pool = first.executor();
    assertThat(second.executor()).isSameAs(pool);
    first.close();
    first.close(); // a second close releases nothing more
    assertThat(pool.isShutdown()).isFalse();
    second.close();
    assertThat(WorkerPool.leases()).isEqualTo(before);
    assertThat(pool.isShutdown()).as("shut down when no lease is left (%d held before)", before).isEqualTo(before == 0);
  }

  @Test
  void quiverInstancesShareThePoolAndCloseReleasesIt() throws Exception {
    Random rnd = random();
    int before = WorkerPool.leases();
    try (Quiver a = Quiver.open(dir.resolve("a")); Quiver b = Quiver.open(dir.resolve("b"))) {
      assertThat(WorkerPool.leases()).isEqualTo(before + 2);
      for (Quiver db : List.of(a, b)) {
        Collection c = db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(8, Metric.L2))
            .build());
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
          points.add(Point.of(i, TestVectors.randomVector(rnd, 8), null));
        }
        c.upsert(points);
        c.awaitIndexed();
        assertThat(c.count()).isEqualTo(2_000);
      }
      // collections opened by a Quiver take no lease of their own
      assertThat(WorkerPool.leases()).isEqualTo(before + 2);
    }
    assertThat(WorkerPool.leases()).isEqualTo(before);
  }
}
