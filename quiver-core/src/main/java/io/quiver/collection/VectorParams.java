package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;
import java.util.Objects;

/**
 * One vector field of a collection: its size, metric, graph parameters, and whether sealed segments keep its vectors
 * in RAM ({@code onDisk=false}) or serve them from the memory-mapped file ({@code onDisk=true}), as Qdrant's
 * {@code on_disk}.
 */
public record VectorParams(int size, Metric metric, HnswConfig hnsw, boolean onDisk) {
  /** Largest accepted vector size, as Qdrant's. */
  public static final int MAX_SIZE = 65_536;

  public VectorParams {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("vector size must be in 1.." + MAX_SIZE + ", got " + size);
    }
    Objects.requireNonNull(metric, "metric");
    hnsw = hnsw == null ? HnswConfig.DEFAULT : hnsw;
  }

  public static VectorParams of(int size, Metric metric) {
    return new VectorParams(size, metric, HnswConfig.DEFAULT, false);
  }

  public VectorParams withHnsw(HnswConfig config) {
    return new VectorParams(size, metric, config, onDisk);
  }

  public VectorParams withOnDisk(boolean value) {
    return new VectorParams(size, metric, hnsw, value);
  }
}
