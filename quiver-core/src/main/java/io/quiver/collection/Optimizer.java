package io.quiver.collection;

/**
 * The collection's background maintenance thread: seals frozen mutable segments to disk (checkpointing the log), and
 * when none are waiting merges small segments and vacuums ones with many tombstones, then re-encodes quantized codes
 * and builds payload links that the configuration asks for and sealed segments lack. One step at a time, so
 * manifests are written by one thread in order. A failed step (disk full, say) is logged and retried later; the
 * collection keeps serving from memory and its log meanwhile.
 */
final class Optimizer implements Runnable {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  private final Collection collection;
  private final Object signal = new Object();
  private volatile boolean stopRequested;
  private volatile Throwable lastFailure;
  private Thread thread;

  Optimizer(Collection collection) {
    this.collection = collection;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("quiver-optimizer-" + collection.name()).start(this);
  }

  void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  boolean stopRequested() {
    return stopRequested;
  }

  Throwable lastFailure() {
    return lastFailure;
  }

  @Override
  public void run() {
    while (!stopRequested) {
      boolean worked;
      try {
        collection.optimizerLock.lock();
        try {
          worked = collection.sealOldest();
          if (!worked && collection.frozen.isEmpty()) {
            worked = collection.mergeOnce();
          }
          if (!worked && collection.frozen.isEmpty()) {
            worked = collection.requantizeOnce();
          }
          if (!worked && collection.frozen.isEmpty()) {
            worked = collection.relinkOnce();
          }
        } finally {
          collection.optimizerLock.unlock();
        }
        lastFailure = null;
      } catch (Throwable t) {
        lastFailure = t;
        LOG.log(System.Logger.Level.ERROR, "collection " + collection.name() + ": optimization failed, will retry", t);
        worked = false;
        pause(1000);
      }
      if (!worked) {
        pause(20);
      }
    }
  }

  private void pause(long millis) {
    synchronized (signal) {
      if (stopRequested) {
        return;
      }
      try {
        signal.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopRequested = true;
      }
    }
  }

  /** Waits until no frozen segment awaits sealing; fails if sealing keeps failing. */
  void awaitIdle() throws java.io.IOException, InterruptedException {
    while (!collection.frozen.isEmpty()) {
      Throwable f = lastFailure;
      if (f != null) {
        throw new java.io.IOException("sealing segments failed: " + f.getMessage(), f);
      }
      Throwable indexing = collection.indexerFailure();
      if (indexing != null) {
        throw new java.io.IOException("indexing failed, so segments cannot be sealed: " + indexing, indexing);
      }
      if (thread == null || !thread.isAlive()) {
        throw new IllegalStateException("the optimizer of collection " + collection.name() + " is not running");
      }
      Thread.sleep(5);
    }
  }

  void stop() {
    stopRequested = true;
    wake();
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
