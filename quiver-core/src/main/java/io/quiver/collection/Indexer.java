package io.quiver.collection;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Links newly written points into the graphs of the collection's mutable segments in the background, in small
 * steps, so writers never wait for graph construction and readers always see a searchable segment (the unindexed
 * tail is scanned exactly). Large steps are split over the shared {@link WorkerPool}.
 */
final class Indexer implements Runnable {
  private static final System.Logger LOG = System.getLogger("io.quiver.collection");
  private static final int STEP = 256;
  /** Writes within this long make the indexer leave a core to the writers. */
  private static final long QUIET_NANOS = 100_000_000L;
  private final ExecutorService pool;
  private final int threads;
  private volatile long lastWake = System.nanoTime();
  /** Quiet time after which level-0 links added by a few writes are repaired even below the size threshold. */
  private static final long REPAIR_DELAY_NANOS = 1_000_000_000L;
  private final AtomicBoolean repairRequested = new AtomicBoolean();

  private final SegmentHolder holder;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean pending;
  private boolean idle = true;
  private volatile boolean stopped;
  private volatile Throwable failure;
  private Thread thread;

  Indexer(SegmentHolder holder, ExecutorService pool, int threads) {
    this.holder = holder;
    this.pool = pool;
    this.threads = threads;
  }

  /** Why the indexer stopped, or null while it runs. */
  Throwable failure() {
    return failure;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("quiver-indexer-" + holder.name).start(this);
  }

  void wake() {
    lastWake = System.nanoTime();
    lock.lock();
    try {
      pending = true;
      idle = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void run() {
    while (!stopped) {
      try {
        List<MutableSegment> work = holder.unindexedSegments();
        if (work.isEmpty()) {
          boolean force = repairRequested.getAndSet(false);
          int relinked = repairMutableGraph(force); // before reporting idle: awaitIndexed sees it done
          if (relinked > 0) {
            LOG.log(System.Logger.Level.DEBUG, "collection {0}: {1} level-0 links repaired", holder.name,
                relinked);
          }
          lock.lock();
          try {
            if (!pending) {
              idle = true;
              changed.signalAll();
              while (!pending && !stopped) {
                if (!mutableRepairDue()) {
                  changed.await();
                } else if (!changed.await(REPAIR_DELAY_NANOS, TimeUnit.NANOSECONDS)) {
                  // a trickle of writes too small for a repair of its own: repair once it has been quiet a while
                  repairRequested.set(true);
                  idle = false;
                  break;
                }
              }
            }
            pending = false;
          } finally {
            lock.unlock();
          }
          continue;
        }
        // while writes arrive, one thread indexes and the writers keep the other cores; when quiet, all cores
        boolean quiet = System.nanoTime() - lastWake > QUIET_NANOS;
        int lag = holder.config.indexingLag();
        if (!quiet && lag > 0 && pendingPoints(work) <= lag) {
          Thread.sleep(10); // deferred while the writers stream: leave them the cores
          continue;
        }
        for (MutableSegment m : work) {
          if (quiet && threads > 1) {
            m.indexPending(STEP * threads * 4, pool, threads);
          } else {
            m.indexPending(STEP);
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable t) {
        failure = t;
        LOG.log(System.Logger.Level.ERROR, "indexer of collection " + holder.name + " failed", t);
        lock.lock();
        try {
          changed.signalAll(); // a waiting awaitIdle reports the failure instead of waiting forever
        } finally {
          lock.unlock();
        }
        return;
      }
    }
  }

  /**
   * {@link MutableSegment#repairReachability} on the open mutable segment, when the indexer is out of work. Frozen
   * segments waiting to be sealed are left to the seal, which repairs them before writing the graph.
   */
  private int repairMutableGraph(boolean force) {
    MutableSegment m = holder.mutable;
    return m == null ? 0 : m.repairReachability(force);
  }

  /** Whether the open mutable segment has linked points since its last repair. */
  private boolean mutableRepairDue() {
    MutableSegment m = holder.mutable;
    return m != null && m.repairDue();
  }

  private static long pendingPoints(List<MutableSegment> work) {
    long n = 0;
    for (MutableSegment m : work) {
      n += m.ordinals() - m.indexedPoints() - m.deletedCount();
    }
    return n;
  }

  /**
   * Waits until no segment has unindexed points and the open mutable segment's level 0 has been repaired (frozen
   * segments are repaired when sealed).
   */
  void awaitIdle() throws InterruptedException {
    lock.lock();
    try {
      // the indexer takes one more turn and repairs the open mutable graph however little changed
      repairRequested.set(true);
      pending = true;
      idle = false;
      changed.signalAll();
      while (!(idle && !pending && holder.unindexedSegments().isEmpty())) {
        if (failure != null) {
          throw new IllegalStateException("indexer failed: " + failure, failure);
        }
        if (stopped) {
          return;
        }
        if (!idle) {
          changed.await();
        } else {
          pending = true;
          idle = false;
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  void stop() {
    stopped = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (thread != null) {
      try {
        thread.join(); // it finishes its current step, whose tasks the pool still runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
