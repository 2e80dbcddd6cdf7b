package io.quiver.cli.bench.disk;

import io.quiver.index.disk.DiskSearchParams;
import java.util.List;

/**
 * Search knobs of disk engines beyond the list size.
 *
 * @param beamWidth blocks fetched per search round with their reads in flight together (DiskANN's W)
 * @param rerank candidates rescored with the full-precision vectors at the end; 0 keeps the compact order
 * @param filterPlan how a filtered search runs: {@code auto} (the engine's planner), {@code scan} (score the matches),
 *     {@code walk} (graph walk with the filter); engines without the choice ignore it
 * @param entrySamples nodes scored by code to pick a second entry ({@link DiskSearchParams#entrySamples})
 */
public record DiskSearchOptions(int beamWidth, int rerank, String filterPlan, int entrySamples) {
  public static final List<String> FILTER_PLANS = List.of("auto", "scan", "walk");

  public DiskSearchOptions {
    if (beamWidth < 1 || rerank < 0 || entrySamples < 0) {
      throw new IllegalArgumentException("beam width must be >= 1, rerank and entry samples >= 0, got " + beamWidth
          + ", " + rerank + " and " + entrySamples);
    }
    if (!FILTER_PLANS.contains(filterPlan)) {
      throw new IllegalArgumentException("filter plan is one of " + FILTER_PLANS + ", got '" + filterPlan + "'");
    }
  }

  public DiskSearchOptions(int beamWidth, int rerank) {
    this(beamWidth, rerank, "auto", DiskSearchParams.DEFAULT_ENTRY_SAMPLES);
  }

  /** The engine's parameters for list size {@code listSize}. */
  public DiskSearchParams params(int listSize) {
    return new DiskSearchParams(listSize, beamWidth, rerank, entrySamples);
  }
}
