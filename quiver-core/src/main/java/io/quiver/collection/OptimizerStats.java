package io.quiver.collection;

/**
 * What a collection's background optimizer has done since the collection was opened (counts restart at zero on
 * every open).
 *
 * @param seals in-memory segments written to disk as sealed segments
 * @param merges rewrites of several small sealed segments into one
 * @param vacuums rewrites of one sealed segment without its deleted points
 * @param graphMerges disk-index fields that merges and vacuums wrote by merging into their largest source's graph
 *     (FreshDiskANN's streaming merge) instead of building a new one
 * @param running optimizations in progress right now (0 or 1: one optimizer thread per collection)
 */
public record OptimizerStats(long seals, long merges, long vacuums, long graphMerges, int running) {}
