package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The vectors of a bench-disk-updates run, all in RAM (the exact neighbours are computed from them): the base (ids
 * 0..n-1, the same vectors bench-disk generates for the seed), the upserted points (ids n.., held-out draws of the
 * same mixture: vectors n.. of the same generator), the queries (bench-disk's), and the base ids to delete, in order.
 * For metrics that normalize, every vector is normalized here, which changes no result of theirs.
 *
 * @param deleteRank per base id, its position in {@code deleteOrder}, or {@code Integer.MAX_VALUE} if never deleted
 */
record UpdateData(Metric metric, int dim, float[][] base, float[][] updates, float[][] queries, int[] deleteOrder,
    int[] deleteRank, long seed) {

  static UpdateData generate(int n, int updateCount, int deleteCount, int dim, Metric metric, long seed,
      int queryCount) {
    if (updateCount < 0 || deleteCount < 0 || deleteCount > n) {
      throw new IllegalArgumentException("updates must be >= 0 and deletes in 0.." + n + ", got " + updateCount
          + " and " + deleteCount);
    }
    SyntheticClusters gen = new SyntheticClusters(n, dim, seed);
    float[][] base = gen.base(0, n);
    float[][] updates = updateCount == 0 ? new float[0][] : gen.base(n, n + updateCount);
    float[][] queries = gen.queries(queryCount);
    if (metric.normalizes()) {
      for (float[][] set : new float[][][] {base, updates, queries}) {
        Arrays.stream(set).parallel().forEach(VectorUtil::normalize);
      }
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < deleteCount; i++) { // a partial Fisher-Yates shuffle: the first deleteCount are the deletes
      int j = i + rnd.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] order = Arrays.copyOf(perm, deleteCount);
    int[] rank = new int[n];
    Arrays.fill(rank, Integer.MAX_VALUE);
    for (int i = 0; i < deleteCount; i++) {
      rank[order[i]] = i;
    }
    return new UpdateData(metric, dim, base, updates, queries, order, rank, seed);
  }

  int n() {
    return base.length;
  }

  /** Vector of point {@code id}: a base id below n, else an upserted one. */
  float[] vector(int id) {
    return id < base.length ? base[id] : updates[id - base.length];
  }

  /** The payload value "b" of point {@code id}: uniform in 0..999, a function of the seed and the id. */
  int payloadB(int id) {
    long z = (seed + id) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
    return (int) Math.floorMod(z ^ (z >>> 29), 1000L);
  }

  /** Whether point {@code id} was live in {@code s}: a base id not yet deleted, or an acknowledged upsert. */
  boolean live(int id, AckLog.Snapshot s, int batch) {
    if (id < base.length) {
      return deleteRank[id] >= s.deletes();
    }
    return s.upserted((id - base.length) / batch);
  }
}
