package io.quiver.collection.optimizer;

import io.quiver.collection.CollectionConfig;
import java.io.IOException;

/**
 * Builds the payload links of one sealed segment whose links do not match the configured {@code payload_m} (sealed
 * before it was set, or a rebuild cut short by a crash).
 */
public final class RelinkOptimization implements Optimization {
  private final OptimizerHost host;

  public RelinkOptimization(OptimizerHost host) {
    this.host = host;
  }

  @Override
  public boolean runOnce() throws IOException {
    CollectionConfig config = host.config();
    for (SegmentStats s : host.sealedSegments()) {
      if (host.payloadLinksStale(s.id(), config)) {
        host.relink(s.id(), config);
        return true;
      }
    }
    return false;
  }
}
