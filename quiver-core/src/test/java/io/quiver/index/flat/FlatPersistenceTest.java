package io.quiver.index.flat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.storage.CorruptFileException;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.SameResults;
import io.quiver.testing.TestVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and open of flat indexes: the {@code .vec} file alone. */
class FlatPersistenceTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void roundTripForEveryMetricInBothModesDropsDeletedVectors() throws IOException {
    Random rnd = random();
    for (Metric metric : Metric.values()) {
      int dim = 1 + rnd.nextInt(60);
      float[][] base = TestVectors.clustered(rnd, atLeast(700), dim, 6);
      FlatIndex original = new FlatIndex(dim, metric);
      original.addAll(VectorSource.of(base), 2, BuildProgress.NONE);
      BitSet deleted = new BitSet();
      for (int i = 0; i < 50; i++) {
        int ord = rnd.nextInt(base.length);
        original.delete(ord);
        deleted.set(ord);
      }
      original.save(dir, metric.name());
      for (boolean mmap : new boolean[] {false, true}) {
        try (FlatIndex opened = FlatIndex.open(dir, metric.name(), mmap)) {
          assertThat(opened.size()).isEqualTo(original.size());
          assertThat(opened.deletedCount()).as("deleted vectors are saved as absent").isZero();
          for (int ord = 0; ord < base.length + 5; ord++) {
            assertThat(opened.contains(ord)).as("contains(%d)", ord).isEqualTo(original.contains(ord));
            assertThat(opened.vector(ord)).as("vector(%d)", ord).isEqualTo(original.vector(ord));
          }
          for (int i = 0; i < 20; i++) {
            float[] q = TestVectors.randomVector(rnd, dim);
            int k = 1 + rnd.nextInt(15);
            SameResults.assertSame(() -> original.search(q, k, SearchParams.DEFAULT, ord -> ord % 3 != 0),
                () -> opened.search(q, k, SearchParams.DEFAULT, ord -> ord % 3 != 0), metric + " query " + i);
          }
          float[][] queries = TestVectors.clustered(rnd, 10, dim, 3);
          SearchResult[] batch = opened.searchBatch(queries, 5, null, 2);
          for (int i = 0; i < queries.length; i++) {
            assertThat(batch[i].ordinals()).containsExactlyInAnyOrder(original.search(queries[i], 5).ordinals());
          }
          assertThat(opened.mappedBytes() > 0).isEqualTo(mmap);
          assertThatThrownBy(() -> opened.add(base.length, base[0])).isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("sealed");
        }
      }
    }
  }

  @Test
  void emptyIndexRoundTrip() throws IOException {
    new FlatIndex(3, Metric.L2).save(dir, "e");
    for (boolean mmap : new boolean[] {false, true}) {
      try (FlatIndex opened = FlatIndex.open(dir, "e", mmap)) {
        assertThat(opened.size()).isZero();
        assertThat(opened.search(new float[3], 4).size()).isZero();
      }
    }
  }

  @Test
  void damagedPresenceBitsetIsReported() throws IOException {
    FlatIndex index = new FlatIndex(4, Metric.L1);
    for (int ord = 0; ord < 100; ord += 2) {
      index.add(ord, new float[] {ord, 1, 2, 3});
    }
    index.save(dir, "p");
    Path vec = dir.resolve("p.vec");
    long presenceAt = 64 + 99L * 4 * 4; // ordinals 0..98 hold a vector slot each
    assertThat(Files.size(vec)).isEqualTo(presenceAt + 2 * 8);
    byte[] bytes = Files.readAllBytes(vec);
    bytes[(int) presenceAt + 1] ^= 1;
    Files.write(vec, bytes);
    for (boolean mmap : new boolean[] {false, true}) {
      assertThatThrownBy(() -> FlatIndex.open(dir, "p", mmap)).isInstanceOf(CorruptFileException.class)
          .hasMessageContaining("p.vec").hasMessageContaining("presence bitset checksum mismatch");
    }
  }

  @Test
  void damagedVectorsAreReportedInBothModes() throws IOException {
    Random rnd = random();
    FlatIndex index = new FlatIndex(8, Metric.COSINE);
    index.addAll(VectorSource.of(TestVectors.clustered(rnd, 3000, 8, 4)), 1, BuildProgress.NONE);
    index.save(dir, "v");
    Path vec = dir.resolve("v.vec");
    byte[] bytes = Files.readAllBytes(vec);
    bytes[64 + rnd.nextInt(bytes.length - 64)] ^= (byte) (1 << rnd.nextInt(8));
    Files.write(vec, bytes);
    for (boolean mmap : new boolean[] {false, true}) {
      assertThatThrownBy(() -> FlatIndex.open(dir, "v", mmap)).isInstanceOf(CorruptFileException.class)
          .hasMessageContaining("v.vec").hasMessageContaining("vector data checksum mismatch");
    }
  }
}
