package io.quiver.collection;

/**
 * What a collection holds right now.
 *
 * @param points live points
 * @param segments sealed segments plus the mutable one
 * @param indexedPoints points reachable through a graph index (the rest are searched exactly until indexed)
 * @param heapBytes estimated JVM heap used by vectors, graphs, codes, payload indexes and caches
 * @param mappedBytes bytes of memory-mapped segment files
 * @param walBytes size of the write-ahead log on disk
 * @param quantizedBytes of {@code heapBytes}, the quantized codes of sealed segments
 * @param status {@code green} when every point is indexed and no optimization is pending, else {@code yellow}
 * @param config the collection's configuration
 * @param storage bytes by part (vectors, graph, codes, payloads) and place (heap, mapped, disk)
 */
public record CollectionInfo(long points, int segments, long indexedPoints, long heapBytes, long mappedBytes,
    long walBytes, long quantizedBytes, String status, CollectionConfig config, StorageUsage storage) {}
