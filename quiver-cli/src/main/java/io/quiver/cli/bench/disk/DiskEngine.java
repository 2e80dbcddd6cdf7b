package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import java.nio.file.Path;

/**
 * One engine as {@code bench-disk} drives it: built once into a directory of its own (possibly in another process),
 * then opened, possibly in a child JVM inside a memory cgroup, and searched from one or more threads.
 */
public interface DiskEngine extends AutoCloseable {

  /** Short name, e.g. {@code quiver-disk}, {@code quiver-hnsw}, {@code jvector-disk}. */
  String name();

  /** Free-form version string of the engine's library. */
  default String version() {
    return "";
  }

  /** Builds an index over {@code base} into {@code dir} (the engine's own, existing, empty folder); returns the bytes written. */
  long build(VectorSource base, Metric metric, DiskBuildParams params, Path dir, BuildProgress progress)
      throws Exception;

  /** Opens what {@link #build} wrote into {@code dir}. */
  void open(Path dir, Metric metric) throws Exception;

  /** Row ids of the (approximately) k nearest base vectors, nearest first, with search list size {@code listSize}. Thread-safe. */
  int[] search(float[] query, int k, int listSize);

  /**
   * Row ids of the (approximately) k nearest base vectors that {@code filter} accepts, nearest first; never fewer
   * than {@code min(k, filter.count())} from an engine that promises filtered results are never short. Thread-safe.
   *
   * @throws UnsupportedOperationException when the engine has no filtered search (the default)
   */
  default int[] search(float[] query, int k, int listSize, RowFilter filter) {
    throw new UnsupportedOperationException(name() + " has no filtered search");
  }

  /** RAM the opened index holds, heap and native, not counting the page cache of its files. */
  long ramBytes();

  /** Search knobs beyond the list size (Quiver's beam width and rerank depth); engines without them ignore them. */
  default void searchOptions(DiskSearchOptions options) {}

  /** Blocks or pages the engine itself fetched since {@link #open}, or -1 when it cannot count them. */
  default long logicalReads() {
    return -1;
  }

  @Override
  default void close() throws Exception {}
}
