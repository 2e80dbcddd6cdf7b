package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.SearchParams;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexTestCase;
import io.quiver.index.VectorSource;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index test family against disk indexes: vectors are added to an HNSW index, whose graph is then written as a
 * disk index file and opened (memory-mapped) for the checks.
 */
class DiskIndexFamilyTest extends VectorIndexTestCase {
  @TempDir Path dir;
  private final List<VectorIndex> opened = new ArrayList<>();

  @Override
  protected VectorIndex newIndex(int dimension, Metric metric) {
    return new HnswIndex(dimension, metric, HnswConfig.builder().m(16).efConstruction(100).build());
  }

  @Override
  protected Metric[] metrics() {
    return new Metric[] {Metric.L2, Metric.DOT, Metric.COSINE};
  }

  @Override
  protected double minRecall() {
    return 0.9;
  }

  @Override
  protected SearchParams searchParamsFor(int n) {
    return SearchParams.ef(100);
  }

  @Override
  protected double minRecallAwayFromData() {
    return 0.85;
  }

  @Override
  protected VectorIndex afterBuild(VectorIndex built) {
    Path file = dir.resolve("index" + opened.size() + DiskIndex.EXTENSION);
    try (HnswIndex hnsw = (HnswIndex) built) {
      int n = hnsw.size();
      VectorSource vectors = new VectorSource() {
        @Override
        public int size() {
          return n;
        }

        @Override
        public int dimension() {
          return hnsw.dimension();
        }

        @Override
        public float[] vector(int i) {
          return hnsw.vector(i);
        }
      };
      DiskIndex.write(vectors, hnsw.metric(), hnsw.graphSource(), DiskIndexConfig.DEFAULT, file);
      VectorIndex index = new DiskVectorIndex(DiskIndex.open(file), DiskSearchParams.DEFAULT.withRerank(10));
      opened.add(index);
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected boolean writable() {
    return false;
  }

  @AfterEach
  void closeOpened() {
    opened.forEach(VectorIndex::close);
  }
}
