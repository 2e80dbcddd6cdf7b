package io.quiver.cli.bench.disk;

import io.quiver.collection.Collection;
import io.quiver.collection.OptimizerStats;
import java.io.IOException;

/** Seals the updates with a flush, then waits for the background optimizer's merge (or vacuum) that follows. */
final class MergeWait {
  /** How often the optimizer's counters are polled. */
  private static final long POLL_MILLIS = 20;

  /**
   * @param flushSeconds the flush: the rest of the updates indexed and sealed into a segment of their own
   * @param mergeSeconds from the flush's start until a merge or vacuum completed and nothing was running
   * @param finished whether one completed before the timeout
   * @param graphMerges disk fields written by merging into the largest source's graph during the wait
   * @param segments the collection's segments afterwards, the mutable one included
   */
  record Outcome(double flushSeconds, double mergeSeconds, boolean finished, long merges, long vacuums,
      long graphMerges, int segments) {}

  private MergeWait() {}

  static Outcome flushAndAwait(Collection c, double timeoutSeconds) throws IOException, InterruptedException {
    OptimizerStats before = c.optimizerStats();
    long t0 = System.nanoTime();
    c.flush();
    double flushSeconds = (System.nanoTime() - t0) / 1e9;
    long deadline = t0 + (long) (timeoutSeconds * 1e9);
    OptimizerStats now = c.optimizerStats();
    boolean finished = false;
    while (System.nanoTime() < deadline) {
      now = c.optimizerStats();
      // the merge counter is bumped before the running count drops: both together mean it is over
      if (now.merges() + now.vacuums() > before.merges() + before.vacuums() && now.running() == 0) {
        finished = true;
        break;
      }
      Thread.sleep(POLL_MILLIS);
    }
    double mergeSeconds = (System.nanoTime() - t0) / 1e9;
    return new Outcome(flushSeconds, mergeSeconds, finished, now.merges() - before.merges(),
        now.vacuums() - before.vacuums(), now.graphMerges() - before.graphMerges(), c.info().segments());
  }
}
