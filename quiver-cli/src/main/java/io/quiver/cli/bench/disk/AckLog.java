package io.quiver.cli.bench.disk;

import java.util.Arrays;

/**
 * Which writes of an update phase have been acknowledged: upsert batches (acknowledged in any order by several
 * writers) and deletes (one deleter, in order). A {@link Snapshot} taken before a search names exactly the points a
 * search must see at least.
 */
final class AckLog {
  private final boolean[] upserted;
  private int prefix;
  private int highest = -1;
  private int deletes;

  AckLog(int upsertBatches) {
    upserted = new boolean[upsertBatches];
  }

  synchronized void upsertAcknowledged(int batch) {
    upserted[batch] = true;
    highest = Math.max(highest, batch);
    while (prefix < upserted.length && upserted[prefix]) {
      prefix++;
    }
  }

  synchronized void deletesAcknowledged(int total) {
    deletes = total;
  }

  synchronized int deletes() {
    return deletes;
  }

  synchronized Snapshot snapshot() {
    int[] extra = new int[Math.max(0, highest - prefix)];
    int count = 0;
    for (int b = prefix + 1; b <= highest; b++) {
      if (upserted[b]) {
        extra[count++] = b;
      }
    }
    return new Snapshot(prefix, Arrays.copyOf(extra, count), deletes);
  }

  /**
   * What was acknowledged at one moment.
   *
   * @param prefix upsert batches 0..prefix-1 were all acknowledged
   * @param extra the acknowledged batches past the prefix, ascending
   * @param deletes the first {@code deletes} ids of the delete order were deleted
   */
  record Snapshot(int prefix, int[] extra, int deletes) {
    boolean upserted(int batch) {
      return batch < prefix || Arrays.binarySearch(extra, batch) >= 0;
    }
  }
}
