package io.quiver.cli.bench.disk;

import io.quiver.index.OrdinalFilter;

/**
 * A keyword filter over the base rows as bench-disk hands it to an engine: a fast test and the matching rows, so an
 * engine can pick its strategy from the count (scan the matches when few, walk its graph with the test otherwise).
 *
 * @param selectivity the fraction of rows the label was drawn to match (the level asked for, not the count)
 * @param bits the matching rows as a bitset: the test a graph walk runs on every node it visits
 * @param rows the matching rows, ascending
 */
public record RowFilter(double selectivity, OrdinalFilter.Bits bits, int[] rows) {

  /** True when {@code row} carries the label. */
  public boolean accept(int row) {
    return bits.accept(row);
  }

  /** Rows that match. */
  public int count() {
    return rows.length;
  }
}
