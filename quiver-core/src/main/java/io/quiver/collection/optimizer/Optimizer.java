package io.quiver.collection.optimizer;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A collection's background maintenance thread: seals frozen mutable segments to disk (checkpointing the log), and
 * when none are waiting merges small segments and vacuums ones with many tombstones, then re-encodes quantized codes
 * and builds payload links that the configuration asks for and sealed segments lack. One step at a time, under the
 * collection's optimizer lock, so manifests are written by one thread in order. A failed step (disk full, say) is
 * logged and retried later; the collection keeps serving from memory and its log meanwhile.
 */
public final class Optimizer implements Runnable {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  private final OptimizerHost host;
  private final ReentrantLock stepLock;
  /** The seal first; the others only run while no frozen segment waits to be sealed. */
  private final List<Optimization> steps;
  private final Object signal = new Object();
  private volatile boolean stopRequested;
  private volatile Throwable lastFailure;
  private Thread thread;

  public Optimizer(OptimizerHost host, ReentrantLock stepLock) {
    this.host = host;
    this.stepLock = stepLock;
    this.steps = List.of(new SealOptimization(host), new MergeOptimization(host, this::stopRequested),
        new RequantizeOptimization(host), new RelinkOptimization(host));
  }

  public void start() {
    thread = Thread.ofPlatform().daemon().name("quiver-optimizer-" + host.collectionName()).start(this);
  }

  public void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  public boolean stopRequested() {
    return stopRequested;
  }

  @Override
  public void run() {
    while (!stopRequested) {
      boolean worked;
      try {
        stepLock.lock();
        try {
          worked = steps.get(0).runOnce();
          for (int i = 1; i < steps.size() && !worked && !host.sealPending(); i++) {
            worked = steps.get(i).runOnce();
          }
        } finally {
          stepLock.unlock();
        }
        lastFailure = null;
      } catch (Throwable t) {
        lastFailure = t;
        LOG.log(System.Logger.Level.ERROR, "collection " + host.collectionName() + ": optimization failed, will retry",
            t);
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
  public void awaitIdle() throws IOException, InterruptedException {
    while (host.sealPending()) {
      Throwable f = lastFailure;
      if (f != null) {
        throw new IOException("sealing segments failed: " + f.getMessage(), f);
      }
      Throwable indexing = host.indexingFailure();
      if (indexing != null) {
        throw new IOException("indexing failed, so segments cannot be sealed: " + indexing, indexing);
      }
      if (thread == null || !thread.isAlive()) {
        throw new IllegalStateException("the optimizer of collection " + host.collectionName() + " is not running");
      }
      Thread.sleep(5);
    }
  }

  public void stop() {
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
