package io.quiver.collection;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The daemon threads that build graphs (indexing and merges) for every open collection in the process: one pool, as
 * many threads as cores, created on the first {@link #acquire()} and shut down when the last lease is closed, so a
 * library user who closes what they opened leaves no thread behind.
 */
public final class WorkerPool {
  private static ExecutorService shared;
  private static int leases;

  private WorkerPool() {}

  /** Threads of the pool: each indexing or merge step splits its work into this many tasks. */
  public static int threads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** A lease on the shared pool; close it when done (idempotent). */
  public static synchronized Lease acquire() {
    if (shared == null) {
      shared = Executors.newFixedThreadPool(threads(),
          Thread.ofPlatform().daemon().name("quiver-index-worker-", 0).factory());
    }
    leases++;
    return new Lease(shared);
  }

  /** Leases not yet closed. */
  static synchronized int leases() {
    return leases;
  }

  private static synchronized void release() {
    if (--leases == 0) {
      shared.shutdown(); // tasks already submitted still finish
      shared = null;
    }
  }

  /** One user's hold on the shared pool. */
  public static final class Lease implements AutoCloseable {
    private final ExecutorService executor;
    private boolean closed;

    private Lease(ExecutorService executor) {
      this.executor = executor;
    }

    public ExecutorService executor() {
      return executor;
    }

    @Override
    public void close() {
      synchronized (WorkerPool.class) {
        if (!closed) {
          closed = true;
          release();
        }
      }
    }
  }
}
