package io.quiver.collection.optimizer;

import io.quiver.collection.CollectionConfig;
import java.io.IOException;

/**
 * Re-encodes one sealed segment whose quantized codes do not match the configured quantization (a re-encode cut
 * short by a crash).
 */
public final class RequantizeOptimization implements Optimization {
  private final OptimizerHost host;

  public RequantizeOptimization(OptimizerHost host) {
    this.host = host;
  }

  @Override
  public boolean runOnce() throws IOException {
    CollectionConfig config = host.config();
    for (SegmentStats s : host.sealedSegments()) {
      if (host.quantizationStale(s.id(), config) && host.requantize(s.id(), config)) {
        return true;
      }
    }
    return false;
  }
}
