package io.quiver.collection.optimizer;

import io.quiver.collection.CollectionConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Vacuums a sealed segment whose tombstones exceed {@code vacuumRatio} of its points (rewriting it alone), else
 * merges the small sealed segments (under {@code mergeThreshold} live points each, together at most
 * {@code sealThreshold}) into one. Sources stay searchable until the result is swapped in.
 */
public final class MergeOptimization implements Optimization {
  private final OptimizerHost host;
  private final BooleanSupplier stop;

  public MergeOptimization(OptimizerHost host, BooleanSupplier stop) {
    this.host = host;
    this.stop = stop;
  }

  /** The ids of the sealed segments to rewrite together (one: a vacuum), or an empty list. */
  static List<Long> select(List<SegmentStats> sealed, CollectionConfig config) {
    for (SegmentStats s : sealed) {
      if (s.ordinals() > 0 && s.deleted() > config.vacuumRatio() * s.ordinals()) {
        return List.of(s.id());
      }
    }
    List<Long> sources = new ArrayList<>();
    int total = 0;
    for (SegmentStats s : sealed) {
      if (s.live() < config.mergeThreshold() && total + s.live() <= config.sealThreshold()) {
        sources.add(s.id());
        total += s.live();
      }
    }
    return sources.size() < 2 ? List.of() : sources;
  }

  @Override
  public boolean runOnce() throws IOException {
    CollectionConfig config = host.config();
    List<Long> sources = select(host.sealedSegments(), config);
    return !sources.isEmpty() && host.rewrite(sources, stop);
  }
}
