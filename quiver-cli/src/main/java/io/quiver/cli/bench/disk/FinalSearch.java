package io.quiver.cli.bench.disk;

import io.quiver.collection.Collection;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Recall@k and single-thread QPS of the queries against the exact neighbours over the final live set (the base
 * without the deleted points, plus every upserted point), by brute force over the in-RAM vectors.
 */
final class FinalSearch {
  /** Timed passes over the queries after one untimed: the best QPS is reported, the recall of the last. */
  private static final int PASSES = 3;

  record Result(double recall, double qps, int queries) {}

  private FinalSearch() {}

  static Result run(Collection c, UpdateData data, int k, int ef) {
    float[][] queries = data.queries();
    int deleted = data.deleteOrder().length;
    int n = data.n();
    int[][] truth = IntStream.range(0, queries.length).parallel()
        .mapToObj(q -> ExactNeighbours.topK(data, queries[q], k, id -> id >= n || data.deleteRank()[id] >= deleted))
        .toArray(int[][]::new);
    long[][] found = new long[queries.length][];
    double best = 0;
    for (int pass = 0; pass <= PASSES; pass++) {
      long t0 = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        List<ScoredPoint> hits = c.search(SearchRequest.builder(queries[q]).limit(k).ef(ef).build());
        found[q] = hits.stream().mapToLong(h -> UpdatePhase.numeric(h.id())).toArray();
      }
      if (pass > 0) {
        best = Math.max(best, queries.length / ((System.nanoTime() - t0) / 1e9));
      }
    }
    double recall = IntStream.range(0, queries.length).mapToDouble(q -> ExactNeighbours.recall(truth[q], found[q]))
        .average().orElse(Double.NaN);
    return new Result(recall, best, queries.length);
  }
}
