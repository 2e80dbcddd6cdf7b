package io.quiver.collection.optimizer;

/**
 * One sealed segment as the optimizations see it.
 *
 * @param id the segment's id
 * @param ordinals points stored (live and deleted)
 * @param deleted tombstoned points
 */
public record SegmentStats(long id, int ordinals, int deleted) {
  public int live() {
    return ordinals - deleted;
  }
}
