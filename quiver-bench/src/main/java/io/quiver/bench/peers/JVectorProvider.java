package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.distance.Metric;

/** {@code --index jvector}: JVector's on-heap graph with exact scoring. */
public final class JVectorProvider implements AnnEngineProvider {

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public AnnEngine create() {
    return new JVectorEngine();
  }
}
