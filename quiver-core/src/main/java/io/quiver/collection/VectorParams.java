package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.index.disk.DiskIndexConfig;
import io.quiver.index.hnsw.HnswConfig;
import java.util.Objects;

/**
 * One vector field of a collection: its size, metric, graph parameters, and where sealed segments keep it. With
 * {@code onDisk=false} its vectors are in RAM; {@code onDisk=true} serves them from the memory-mapped file, as
 * Qdrant's {@code on_disk}. With {@code hnswOnDisk} too (Qdrant's {@code hnsw_config.on_disk}) sealed segments are
 * {@link #diskSegments() disk-resident}: graph and vectors in one {@code .qdisk} file, only compact codes, routing
 * layers and tombstones in RAM. With {@code multivector} (null for a plain field) each point holds a list of
 * vectors of {@code size}, passed as one array of their concatenation (see {@link MultiVectors}).
 */
public record VectorParams(int size, Metric metric, HnswConfig hnsw, boolean onDisk, boolean hnswOnDisk,
    MultiVectorConfig multivector) {
  /** Largest accepted vector size, as Qdrant's. */
  public static final int MAX_SIZE = 65_536;

  public VectorParams {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("vector size must be in 1.." + MAX_SIZE + ", got " + size);
    }
    Objects.requireNonNull(metric, "metric");
    hnsw = hnsw == null ? HnswConfig.DEFAULT : hnsw;
    if (onDisk && hnswOnDisk && metric == Metric.L1) {
      throw new IllegalArgumentException("disk segments (on_disk with hnsw on_disk) support L2, DOT and COSINE "
          + "vectors, not L1 (Manhattan)");
    }
    if (multivector != null && hnswOnDisk) {
      throw new IllegalArgumentException("multivector fields do not support hnsw_config.on_disk");
    }
  }

  public VectorParams(int size, Metric metric, HnswConfig hnsw, boolean onDisk, boolean hnswOnDisk) {
    this(size, metric, hnsw, onDisk, hnswOnDisk, null);
  }

  public VectorParams(int size, Metric metric, HnswConfig hnsw, boolean onDisk) {
    this(size, metric, hnsw, onDisk, false);
  }

  public static VectorParams of(int size, Metric metric) {
    return new VectorParams(size, metric, HnswConfig.DEFAULT, false, false);
  }

  public VectorParams withHnsw(HnswConfig config) {
    return new VectorParams(size, metric, config, onDisk, hnswOnDisk, multivector);
  }

  public VectorParams withOnDisk(boolean value) {
    return new VectorParams(size, metric, hnsw, value, hnswOnDisk, multivector);
  }

  /** Qdrant's {@code hnsw_config.on_disk}: with {@link #onDisk()}, sealed segments are disk-resident. */
  public VectorParams withHnswOnDisk(boolean value) {
    return new VectorParams(size, metric, hnsw, onDisk, value, multivector);
  }

  /** Both {@code on_disk} flags: sealed segments of this field are searched through a disk index. */
  public VectorParams withDiskIndex(boolean value) {
    return new VectorParams(size, metric, hnsw, value || onDisk, value, multivector);
  }

  /** Qdrant's {@code multivector_config}: a multi-vector field (null: a plain one). */
  public VectorParams withMultivector(MultiVectorConfig value) {
    return new VectorParams(size, metric, hnsw, onDisk, hnswOnDisk, value);
  }

  /**
   * The graph parameters this field's HNSW graphs are built with: {@link #hnsw()}, except that a field with
   * {@link #diskSegments() disk segments} prunes with at least {@link DiskIndexConfig#DEFAULT_ALPHA}, because its
   * level 0 becomes the disk graph, whose reads per query at a given recall that alpha about halves.
   */
  public HnswConfig graphConfig() {
    return diskSegments() && hnsw.alpha() < DiskIndexConfig.DEFAULT_ALPHA
        ? hnsw.withAlpha(DiskIndexConfig.DEFAULT_ALPHA) : hnsw;
  }

  /** Whether sealing writes this field as a disk index ({@code on_disk} and {@code hnsw_config.on_disk}). */
  public boolean diskSegments() {
    return onDisk && hnswOnDisk;
  }
}
