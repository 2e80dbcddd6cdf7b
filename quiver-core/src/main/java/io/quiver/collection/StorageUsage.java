package io.quiver.collection;

/**
 * Bytes a collection holds, by part and by place: {@code heap} is JVM heap, {@code mapped} memory-mapped segment
 * files (resident only as far as searches touch them), {@code disk} the segment files themselves. The write-ahead log
 * is reported apart ({@link CollectionInfo#walBytes()}).
 *
 * @param vectors full-precision vectors
 * @param graph HNSW links and per-node state
 * @param codes quantized codes and their parameters
 * @param payloads point ids, payloads and payload indexes
 * @param caches what the segments cache on the heap and may drop: filter matches and the pages of parsed payloads
 *     (the parsed payload objects themselves are not counted)
 */
public record StorageUsage(Part vectors, Part graph, Part codes, Part payloads, Part caches) {
  public static final StorageUsage EMPTY = new StorageUsage(Part.NONE, Part.NONE, Part.NONE, Part.NONE, Part.NONE);

  /** One part's bytes per place. */
  public record Part(long heap, long mapped, long disk) {
    public static final Part NONE = new Part(0, 0, 0);

    Part plus(Part o) {
      return new Part(heap + o.heap, mapped + o.mapped, disk + o.disk);
    }
  }

  StorageUsage plus(StorageUsage o) {
    return new StorageUsage(vectors.plus(o.vectors), graph.plus(o.graph), codes.plus(o.codes),
        payloads.plus(o.payloads), caches.plus(o.caches));
  }

  public long heapBytes() {
    return vectors.heap + graph.heap + codes.heap + payloads.heap + caches.heap;
  }

  public long diskBytes() {
    return vectors.disk + graph.disk + codes.disk + payloads.disk + caches.disk;
  }
}
