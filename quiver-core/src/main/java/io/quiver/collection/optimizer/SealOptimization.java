package io.quiver.collection.optimizer;

import java.io.IOException;

/** Seals the oldest frozen mutable segment to disk once its graphs are built, checkpointing the log up to it. */
public final class SealOptimization implements Optimization {
  private final OptimizerHost host;

  public SealOptimization(OptimizerHost host) {
    this.host = host;
  }

  @Override
  public boolean runOnce() throws IOException {
    return host.sealOldest();
  }
}
