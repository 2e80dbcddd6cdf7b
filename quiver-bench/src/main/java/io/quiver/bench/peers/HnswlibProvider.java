package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.distance.Metric;

/** {@code --index hnswlib-java}: jelmerk's hnswlib-java. */
public final class HnswlibProvider implements AnnEngineProvider {

  @Override
  public String name() {
    return "hnswlib-java";
  }

  @Override
  public boolean supports(Metric metric) {
    return true;
  }

  @Override
  public AnnEngine create() {
    return new HnswlibEngine();
  }
}
