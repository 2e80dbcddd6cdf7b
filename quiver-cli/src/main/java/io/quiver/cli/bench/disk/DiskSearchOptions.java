package io.quiver.cli.bench.disk;

import java.util.List;

/**
 * Search knobs of disk engines beyond the list size.
 *
 * @param beamWidth blocks fetched per search round with their reads in flight together (DiskANN's W)
 * @param rerank candidates rescored with the full-precision vectors at the end; 0 keeps the compact order
 * @param filterPlan how a filtered search runs: {@code auto} (the engine's planner), {@code scan} (score the matches),
 *     {@code walk} (graph walk with the filter); engines without the choice ignore it
 */
public record DiskSearchOptions(int beamWidth, int rerank, String filterPlan) {
  public static final List<String> FILTER_PLANS = List.of("auto", "scan", "walk");

  public DiskSearchOptions {
    if (beamWidth < 1 || rerank < 0) {
      throw new IllegalArgumentException("beam width must be >= 1 and rerank >= 0, got " + beamWidth + " and "
          + rerank);
    }
    if (!FILTER_PLANS.contains(filterPlan)) {
      throw new IllegalArgumentException("filter plan is one of " + FILTER_PLANS + ", got '" + filterPlan + "'");
    }
  }

  public DiskSearchOptions(int beamWidth, int rerank) {
    this(beamWidth, rerank, "auto");
  }
}
