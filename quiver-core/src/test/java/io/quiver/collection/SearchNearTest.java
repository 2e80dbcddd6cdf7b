package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Query by point id: the point's own vector is the query, the point is left out, offset and limit still hold. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class SearchNearTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void searchesWithThePointsVectorLeavingThePointOut() throws Exception {
    Random rnd = random();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(4, Metric.L2))
          .build());
      int n = 50 + rnd.nextInt(100);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        points.add(Point.of(i, new float[] {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()}, null));
      }
      c.upsert(points);
      long id = rnd.nextInt(n);
      int limit = 1 + rnd.nextInt(10);
      int offset = rnd.nextInt(5);
      SearchRequest asked = SearchRequest.builder(new float[0]).limit(limit).offset(offset).exact(true).build();
      List<ScoredPoint> near = c.searchNear(PointId.of(id), asked);

      float[] own = c.get(PointId.of(id)).vectors().get(CollectionConfig.DEFAULT_VECTOR);
      List<ScoredPoint> expected = c.search(SearchRequest.builder(own).limit(n).exact(true).build()).stream()
          .filter(h -> !h.id().equals(PointId.of(id))).skip(offset).limit(limit).toList();
      assertThat(near).extracting(ScoredPoint::id).containsExactlyElementsOf(
          expected.stream().map(ScoredPoint::id).toList());
      assertThat(near).extracting(ScoredPoint::id).doesNotContain(PointId.of(id));

      assertThatThrownBy(() -> c.searchNear(PointId.of(n + 7L), asked))
          .isInstanceOf(QuiverException.NotFound.class).hasMessageContaining(Long.toString(n + 7L));
    }
  }
}
