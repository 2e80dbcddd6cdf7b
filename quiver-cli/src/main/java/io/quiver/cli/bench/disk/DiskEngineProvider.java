package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;

/** Makes {@link DiskEngine}s; found with {@link java.util.ServiceLoader}, so peers live in the quiver-bench jar. */
public interface DiskEngineProvider {

  /** The name {@code --engines} selects this engine by, e.g. {@code jvector-disk}. */
  String name();

  boolean supports(Metric metric);

  DiskEngine create();
}
