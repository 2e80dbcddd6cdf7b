package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.quantization.BinaryQuantizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Builds a disk index: a graph by the configured builder, the two quantizers trained on a sample, then the file. */
final class DiskIndexBuilder {
  /** Vectors the quantizers are trained on (all of them when fewer): k-means over more moves the codes little. */
  static final int TRAINING_SAMPLE = 25_000;

  private DiskIndexBuilder() {}

  static void build(VectorSource vectors, Metric metric, DiskIndexConfig config, Path file, BuildProgress progress)
      throws IOException {
    checkMetric(metric);
    switch (config.graph()) {
      case HNSW -> {
        HnswConfig hc = HnswConfig.builder().m(Math.max(2, config.maxDegree() / 2))
            .efConstruction(config.buildListSize()).alpha(config.alpha()).seed(config.seed()).payloadM(0).build();
        try (HnswIndex hnsw = HnswIndex.forBulkBuild(vectors.dimension(), metric, hc)) {
          hnsw.addAll(vectors, config.threads(), progress);
          hnsw.finishBulkBuild(config.threads());
          hnsw.connectLevel0();
          write(vectors, metric, hnsw.graphSource(), config, file);
        }
      }
      case VAMANA -> write(vectors, metric, VamanaGraph.build(vectors, metric, config.maxDegree(),
          config.buildListSize(), config.alpha(), config.threads(), config.seed(), progress), config, file);
    }
  }

  static void write(VectorSource vectors, Metric metric, DiskGraphSource graph, DiskIndexConfig config, Path file)
      throws IOException {
    checkMetric(metric);
    RandomRotation rotation = RandomRotation.random(vectors.dimension(), config.seed());
    float[][] sample = sample(vectors, config.seed());
    for (int i = 0; i < sample.length; i++) {
      sample[i] = DiskIndexWriter.coded(sample[i], metric, rotation);
    }
    BinaryQuantizer codes = BinaryQuantizer.train(metric, sample, Math.min(config.codeCentroids(),
        Math.max(1, sample.length)), config.seed());
    DiskIndexWriter.write(file, vectors, metric, graph, codes, rotation);
  }

  private static void checkMetric(Metric metric) {
    if (metric == Metric.L1) {
      throw new IllegalArgumentException("the disk index supports L2, DOT and COSINE, not L1");
    }
  }

  private static float[][] sample(VectorSource vectors, long seed) {
    int n = vectors.size();
    if (n == 0) {
      return new float[][] {new float[vectors.dimension()]};
    }
    int m = Math.min(n, TRAINING_SAMPLE);
    float[][] out = new float[m][];
    if (m == n) {
      for (int i = 0; i < n; i++) {
        out[i] = vectors.vector(i).clone();
      }
      return out;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < m; i++) {
      out[i] = vectors.vector(rnd.nextInt(n)).clone();
    }
    return out;
  }
}
