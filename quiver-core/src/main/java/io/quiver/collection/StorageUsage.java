package io.quiver.collection;

/**
 * Bytes a collection holds, by part and by place: {@code heap} is JVM heap, {@code mapped} memory-mapped segment
 * files (resident only as far as searches touch them), {@code disk} the segment files themselves. The write-ahead log
 * is reported apart ({@link CollectionInfo#walBytes()}); parsed payloads cached on the heap are not counted.
 *
 * @param vectors full-precision vectors
 * @param graph HNSW links and per-node state
 * @param codes quantized codes and their parameters
 * @param payloads point ids, payloads and payload indexes
 */
public record StorageUsage(Part vectors, Part graph, Part codes, Part payloads) {
  public static final StorageUsage EMPTY = new StorageUsage(Part.NONE, Part.NONE, Part.NONE, Part.NONE);

  /** One part's bytes per place. */
  public record Part(long heap, long mapped, long disk) {
    public static final Part NONE = new Part(0, 0, 0);

    Part plus(Part o) {
      return new Part(heap + o.heap, mapped + o.mapped, disk + o.disk);
    }
  }

  StorageUsage plus(StorageUsage o) {
    return new StorageUsage(vectors.plus(o.vectors), graph.plus(o.graph), codes.plus(o.codes),
        payloads.plus(o.payloads));
  }

  public long heapBytes() {
    return vectors.heap + graph.heap + codes.heap + payloads.heap;
  }

  public long diskBytes() {
    return vectors.disk + graph.disk + codes.disk + payloads.disk;
  }
}
