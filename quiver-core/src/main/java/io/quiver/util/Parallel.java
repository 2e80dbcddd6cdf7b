package io.quiver.util;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one worker on several threads at once and waits for all of them, as the bulk builds do. */
public final class Parallel {
  private Parallel() {}

  /**
   * Runs {@code worker} on {@code threads} threads (on the caller's thread when 1) and returns when every copy has
   * finished. A worker's {@link RuntimeException} is rethrown as is; anything else fails with {@code what} named.
   */
  public static void runOnThreads(Runnable worker, int threads, String what) {
    if (threads <= 1) {
      worker.run();
      return;
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      Future<?>[] futures = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        futures[t] = pool.submit(worker);
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(what + " interrupted", e);
        }
      }
    }
  }
}
