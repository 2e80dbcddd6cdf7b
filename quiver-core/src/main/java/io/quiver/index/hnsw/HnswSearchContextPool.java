package io.quiver.index.hnsw;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one source of walk scratch for an index: searches, inserts and repairs all take a context here and give it
 * back. A pool rather than a thread-local because a server runs each request on a new virtual thread, where a
 * thread-local would allocate (and zero) a fresh visited array of the index's capacity for every query.
 */
final class HnswSearchContextPool {
  private static final int MAX_POOLED = 64;

  private final int scratchFloats;
  private final ConcurrentLinkedDeque<HnswSearchContext> pooled = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();

  /** Contexts with {@code scratchFloats} floats of vector scratch each. */
  HnswSearchContextPool(int scratchFloats) {
    this.scratchFloats = scratchFloats;
  }

  HnswSearchContext acquire() {
    HnswSearchContext c = pooled.pollFirst();
    if (c == null) {
      return new HnswSearchContext(scratchFloats);
    }
    size.decrementAndGet();
    return c;
  }

  void release(HnswSearchContext c) {
    if (size.incrementAndGet() <= MAX_POOLED) {
      pooled.offerFirst(c); // most recently used first: its arrays are the likeliest still in cache
    } else {
      size.decrementAndGet();
    }
  }
}
