package io.quiver.cli.bench;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;

/**
 * One approximate-nearest-neighbour engine as the bench harness drives it: Quiver's own indexes, or a peer library
 * from the quiver-bench module, in this JVM (Lucene, JVector, hnswlib-java) or in a helper process (FAISS, hnswlib).
 * Engines are single-use: build once, search many times from one thread, close.
 *
 * <p>The harness times searches through {@link #searchAll}: in-JVM engines keep its default, which times each
 * {@link #search} call here; engines in another process override it to answer a whole pass in one round trip and
 * report their own per-query times, so that the pipe is never inside a measured latency.
 */
public interface AnnEngine extends AutoCloseable {

  /** Short name for tables, e.g. {@code quiver-hnsw}, {@code lucene-hnsw}. */
  String name();

  /** Indexes {@code base}; row i must come back from {@link #search} as id i. */
  void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception;

  /** The ids of the (approximately) {@code k} nearest rows of the base set, nearest first, searching with {@code ef}. */
  int[] search(float[] query, int k, int ef);

  /**
   * The answers and timings of one pass over {@code queries}.
   *
   * @param ids per query, the ids {@link #search} would return, nearest first
   * @param latencyNanos per query, the nanoseconds its search took
   * @param passNanos the time the whole pass took, which the harness divides the query count by for QPS: wall time of
   *     the loop for in-JVM engines; for an engine in another process, which measures only around its library's
   *     search call, the sum of {@code latencyNanos}
   */
  record BatchResult(int[][] ids, long[] latencyNanos, long passNanos) {}

  /**
   * Searches every query once, single-threaded, with the same {@code k} and {@code ef}, timing each. The default
   * calls {@link #search} in a loop with {@link System#nanoTime} around each call and reports the loop's wall time as
   * {@link BatchResult#passNanos}.
   */
  default BatchResult searchAll(float[][] queries, int k, int ef) {
    int[][] ids = new int[queries.length][];
    long[] latencies = new long[queries.length];
    long start = System.nanoTime();
    for (int i = 0; i < queries.length; i++) {
      long t = System.nanoTime();
      ids[i] = search(queries[i], k, ef);
      latencies[i] = System.nanoTime() - t;
    }
    return new BatchResult(ids, latencies, System.nanoTime() - start);
  }

  /**
   * Seconds the engine itself measured for its last {@link #build}, or a negative number when the harness should
   * time the {@code build} call (the default). Engines in another process report the index construction alone,
   * without starting the process and passing the vectors over, which an in-JVM engine does not pay either.
   */
  default double reportedBuildSeconds() {
    return -1;
  }

  /** Bytes the engine holds for vectors and graph after build, or -1 when it cannot say. */
  default long ramBytesUsed() {
    return -1;
  }

  /** Distance computations of all searches so far, or -1 when the engine cannot count them. */
  default long distanceComputations() {
    return -1;
  }

  /** Free-form version string of the engine's library. */
  default String version() {
    return "";
  }

  @Override
  default void close() throws Exception {}
}
