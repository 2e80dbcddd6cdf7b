package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.distance.Metric;

/** {@code --index lucene}: Lucene's on-heap HNSW graph. */
public final class LuceneHnswProvider implements AnnEngineProvider {

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public boolean supports(Metric metric) {
    return metric != Metric.L1;
  }

  @Override
  public AnnEngine create() {
    return new LuceneHnswEngine();
  }
}
