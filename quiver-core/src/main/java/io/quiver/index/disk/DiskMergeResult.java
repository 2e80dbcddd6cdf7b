package io.quiver.index.disk;

/**
 * What {@link DiskIndexMerger#merge} did.
 *
 * @param newOrdinals for each base ordinal its ordinal in the merged index, or -1 when it was dropped (the array is
 *     not copied); added vector {@code j} became ordinal {@code kept + j}
 * @param kept base vectors that survived (merged ordinals {@code 0..kept-1}, in base-ordinal order)
 * @param added vectors added (merged ordinals {@code kept..kept+added-1})
 * @param repaired surviving nodes that had a dropped neighbour and got FreshDiskANN's repair
 * @param baseBytesRead bytes of the base file the merge read: its positions and blocks sections whole, and the float
 *     vectors of the survivors, each once and in file order
 * @param loadNanos time to read the base (lists and vectors) into RAM
 * @param repairNanos time of the delete phase
 * @param insertNanos time of the insert phase
 * @param finishNanos time of the final pruning of lists over R and the linking of unreachable nodes
 * @param writeNanos time to write the new file
 */
public record DiskMergeResult(int[] newOrdinals, int kept, int added, int repaired, long baseBytesRead,
    long loadNanos, long repairNanos, long insertNanos, long finishNanos, long writeNanos) {

  /** Vectors in the merged index. */
  public int size() {
    return kept + added;
  }

  /** The merged ordinal of base ordinal {@code baseOrdinal}, or -1 when it was dropped. */
  public int newOrdinal(int baseOrdinal) {
    return newOrdinals[baseOrdinal];
  }

  /** Wall time of the whole merge. */
  public long totalNanos() {
    return loadNanos + repairNanos + insertNanos + finishNanos + writeNanos;
  }
}
