package io.quiver.bench.peers;

import io.quiver.cli.bench.disk.DiskEngine;
import io.quiver.cli.bench.disk.DiskEngineProvider;
import io.quiver.distance.Metric;

/** {@code --engines jvector-disk}: JVector's on-disk graph with inline vectors, PQ codes in heap, rerank from disk. */
public final class JVectorDiskProvider implements DiskEngineProvider {

  @Override
  public String name() {
    return "jvector-disk";
  }

  @Override
  public boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public DiskEngine create() {
    return new JVectorDiskEngine();
  }
}
