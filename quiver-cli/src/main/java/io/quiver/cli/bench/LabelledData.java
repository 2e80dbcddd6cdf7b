package io.quiver.cli.bench;

import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Vectors with a label per point and per query, for the filtered-search benchmark; {@code sameGt}/{@code randomGt}
 * (the filtered ground truth of the label cases) are null when they must be computed.
 */
record LabelledData(String name, Metric metric, float[][] base, float[][] queries, int[] baseLabels,
    int[] queryLabels, int[] randomLabels, int[][] sameGt, int[][] randomGt, boolean generated) {

  /** Labels of the generated set. */
  static final int LABELS = 10;

  /**
   * A labelled data set directory: base.{bvecs,fvecs}, the first {@code queries} of query.*, base_labels.txt,
   * query_labels.txt, query_filter_randomlabel.txt and the filtered ground truth of both label cases, k wide at least.
   */
  static LabelledData load(Path dir, int queries, int k) throws IOException {
    Path[] files = Dataset.filesIn(dir);
    System.err.printf("bench-filter: loading %s...%n", dir);
    float[][] base = Texmex.readVectors(files[0], -1);
    float[][] q = Texmex.readVectors(files[1], queries);
    if (base.length == 0 || q.length == 0 || base[0].length != q[0].length) {
      throw new IOException(dir + ": empty base or query file, or differing dimensions");
    }
    int[] baseLabels = readInts(dir.resolve("base_labels.txt"), base.length);
    int[] queryLabels = readInts(dir.resolve("query_labels.txt"), q.length);
    int[] randomLabels = readInts(dir.resolve("query_filter_randomlabel.txt"), q.length);
    int[][] same = readGt(dir.resolve("groundtruth_filter_samelabel.ivecs"), q.length, k);
    int[][] random = readGt(dir.resolve("groundtruth_filter_randomlabel.ivecs"), q.length, k);
    String name = dir.getFileName().toString();
    return new LabelledData(name, Dataset.metricFromName(name), base, q, baseLabels, queryLabels, randomLabels, same,
        random, false);
  }

  private static int[][] readGt(Path file, int n, int k) throws IOException {
    int[][] gt = Texmex.readIvecs(file, n);
    if (gt.length < n || gt[0].length < k) {
      throw new IOException(file + " has " + gt.length + " rows of " + (gt.length == 0 ? 0 : gt[0].length)
          + " for " + n + " queries and k=" + k);
    }
    return gt;
  }

  private static int[] readInts(Path file, int n) throws IOException {
    List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (lines.size() < n) {
      throw new IOException(file + " has " + lines.size() + " lines, need " + n);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = Integer.parseInt(lines.get(i));
    }
    return out;
  }

  /**
   * A clustered set of {@code n} points and {@code nq} queries: 30 Gaussian clusters, each belonging to one of 10
   * labels (so a point's label correlates with where it lies, as in Fashion-MNIST), random labels uniform.
   */
  static LabelledData generate(int n, int nq, int dim, long seed) {
    Random rnd = new Random(seed ^ 0x5DEECE66DL);
    int clusters = 3 * LABELS;
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) rnd.nextGaussian();
      }
    }
    float[][] all = new float[n + nq][dim];
    int[] labels = new int[n + nq];
    for (int p = 0; p < all.length; p++) {
      int c = rnd.nextInt(clusters);
      labels[p] = c % LABELS;
      for (int i = 0; i < dim; i++) {
        all[p][i] = centres[c][i] + (float) (rnd.nextGaussian() * 0.5);
      }
    }
    int[] random = new int[nq];
    for (int i = 0; i < nq; i++) {
      random[i] = rnd.nextInt(LABELS);
    }
    return new LabelledData("generated-clustered-" + n + "x" + dim, Metric.L2, Arrays.copyOfRange(all, 0, n),
        Arrays.copyOfRange(all, n, n + nq), Arrays.copyOfRange(labels, 0, n), Arrays.copyOfRange(labels, n, n + nq),
        random, null, null, true);
  }
}
