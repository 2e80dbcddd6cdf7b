package io.quiver.cli.bench;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;

/**
 * One approximate-nearest-neighbour engine as the bench harness drives it: Quiver's own indexes, or a peer library
 * (Lucene, JVector, hnswlib-java) from the quiver-bench module. Engines are single-use: build once, search many
 * times from one thread, close.
 */
public interface AnnEngine extends AutoCloseable {

  /** Short name for tables, e.g. {@code quiver-hnsw}, {@code lucene-hnsw}. */
  String name();

  /** Indexes {@code base}; row i must come back from {@link #search} as id i. */
  void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception;

  /** The ids of the (approximately) {@code k} nearest rows of the base set, nearest first, searching with {@code ef}. */
  int[] search(float[] query, int k, int ef);

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
