package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswIndex;

/** One multi-vector field of one segment: the multi-vectors by ordinal, and for sealed indexed fields the FDE graph. */
interface MultiVectorStore {
  /** The stored (prepared) multi-vector of {@code ordinal}, flat, or null if the point has none. */
  float[] get(int ordinal);

  /** Whether {@code ordinal} has a multi-vector in this field. */
  boolean has(int ordinal);

  /** MaxSim of prepared query {@code q} against {@code ordinal}'s vectors, or NaN if it has none. */
  default float maxSim(int ordinal, float[] q, int dim, Metric metric) {
    float[] d = get(ordinal);
    return d == null ? Float.NaN : MultiVectors.maxSim(q, d, dim, metric);
  }

  /** The HNSW graph over document FDEs by ordinal, or null (mutable segments, rerank-only fields). */
  default HnswIndex fdeGraph() {
    return null;
  }
}
