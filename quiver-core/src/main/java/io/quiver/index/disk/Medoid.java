package io.quiver.index.disk;

import java.util.concurrent.atomic.AtomicInteger;

/** The medoid as Vamana uses it: the node nearest the mean of all vectors, both computed exactly in the build space. */
final class Medoid {
  private static final int CHUNK = 4096;

  private Medoid() {}

  /** The node nearest the mean (ties: the lowest node), on {@code threads} threads. */
  static int of(BuildSpaceVectors vectors, int threads) {
    return of(vectors, vectors.size(), threads);
  }

  /** The medoid of the first {@code n} nodes only. */
  static int of(BuildSpaceVectors vectors, int n, int threads) {
    if (n < 1 || n > vectors.size()) {
      throw new IllegalArgumentException("medoid of " + n + " nodes out of " + vectors.size());
    }
    int dim = vectors.dimension();
    double[] sum = new double[dim];
    for (int node = 0; node < n; node++) {
      float[] page = vectors.page(node);
      int off = vectors.offset(node);
      for (int d = 0; d < dim; d++) {
        sum[d] += page[off + d];
      }
    }
    float[] mean = new float[dim];
    for (int d = 0; d < dim; d++) {
      mean[d] = (float) (sum[d] / n);
    }
    // each thread's best, packed (distance bits, node): non-negative distances order as their bits do
    long[] best = new long[threads];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ids = new AtomicInteger();
    VamanaBuilder.runOnThreads(() -> {
      int id = ids.getAndIncrement();
      long mine = Long.MAX_VALUE;
      int start;
      while ((start = next.getAndAdd(CHUNK)) < n) {
        int end = Math.min(n, start + CHUNK);
        for (int node = start; node < end; node++) {
          mine = Math.min(mine, VamanaSearchContext.pack(vectors.distance(mean, node), node));
        }
      }
      best[id] = mine;
    }, threads);
    long winner = Long.MAX_VALUE;
    for (long b : best) {
      winner = Math.min(winner, b);
    }
    return VamanaSearchContext.node(winner);
  }
}
