package io.quiver.index.hnsw;

import io.quiver.util.ScoredOrdinals;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Level-0 reachability of an {@link OnHeapHnswGraph} and its repair, as Lucene's {@code HnswUtil} and
 * {@code connectComponents} do: HNSW's pruning leaves a few nodes whose in-links were all pruned away by neighbours
 * that found closer, more diverse ones, and no graph search returns those. Holds the structure lock exclusively
 * while it runs, so inserts wait and searches go on.
 */
final class HnswConnectivity {
  private static final VarHandle INTS = OnHeapHnswGraph.INTS;

  private final HnswIndex index;
  private final OnHeapHnswGraph graph;
  private final HnswGraphSearcher searcher;
  private final HnswConfig config;
  private final HnswSearchContextPool contexts;

  HnswConnectivity(HnswIndex index, OnHeapHnswGraph graph, HnswGraphSearcher searcher, HnswConfig config,
      HnswSearchContextPool contexts) {
    this.index = index;
    this.graph = graph;
    this.searcher = searcher;
    this.config = config;
    this.contexts = contexts;
  }

  /** Live nodes no level-0 walk from the entry point reaches, ascending. */
  int[] unreachable() {
    graph.structureLock.writeLock().lock(); // no insert half done meanwhile: every present, allocated node is linked
    try {
      int max = index.ordinalLimit();
      BitSet reached = reachedFromEntry(new int[Math.max(1, max)]);
      return IntStream.range(0, max).filter(n -> graph.linked(n) && index.contains(n) && !reached.get(n))
          .toArray();
    } finally {
      graph.structureLock.writeLock().unlock();
    }
  }

  /**
   * Links the live nodes ({@code accepted} among those holding a vector) that the entry point cannot reach back into
   * the reachable graph, as {@link HnswIndex#connectLevel0()} describes; returns the number of links added or
   * replaced.
   */
  int connect(IntPredicate accepted) {
    IntPredicate live = n -> index.contains(n) && accepted.test(n);
    graph.structureLock.writeLock().lock();
    try {
      int max = index.ordinalLimit();
      if (graph.entry == null || max == 0) {
        return 0;
      }
      int[] queue = new int[max];
      HnswSearchContext ctx = contexts.acquire();
      try {
        return connect(live, max, queue, ctx);
      } finally {
        contexts.release(ctx);
      }
    } finally {
      graph.structureLock.writeLock().unlock();
    }
  }

  private int connect(IntPredicate live, int max, int[] queue, HnswSearchContext ctx) {
    int changed = 0;
    for (int pass = 0; pass < 4; pass++) {
      BitSet reached = reachedFromEntry(queue);
      int[] inDegree = new int[max];
      for (int node = 0; node < max; node++) {
        if (graph.linked(node)) {
          int[] arr = graph.level0Page(node);
          int base = graph.level0Base(node);
          for (int i = 1, count = arr[base]; i <= count; i++) {
            inDegree[arr[base + i]]++;
          }
        }
      }
      boolean stranded = false;
      for (int node = 0; node < max; node++) {
        if (!graph.linked(node) || !live.test(node) || reached.get(node)) {
          continue;
        }
        stranded = true;
        if (linkIntoReached(node, reached, inDegree, live, ctx)) { // else it stays unmarked for the next pass
          changed++;
          reachOnLevel0(reached, node, queue);
        }
      }
      if (!stranded) {
        break;
      }
    }
    return changed;
  }

  /**
   * One in-link to {@code node} from its nearest reached live node with a free slot, or else from the nearest one
   * whose farthest link can go (its target keeps another in-link), and a link back if {@code node} has room. False
   * when no candidate qualifies.
   */
  private boolean linkIntoReached(int node, BitSet reached, int[] inDegree, IntPredicate live, HnswSearchContext ctx) {
    ctx.prepare(index.capacity());
    OnHeapHnswGraph.Entry e = graph.entry;
    float[] q = index.storedVector(node);
    float qNorm = index.buildNorm(node);
    int ep = e.node();
    float epDist = index.linkDistance(q, qNorm, ep, ctx.scratch);
    for (int l = e.level(); l > 0; l--) {
      long best = searcher.greedy(q, qNorm, true, ep, epDist, l, ctx);
      ep = ScoredOrdinals.ordinal(best);
      epDist = ScoredOrdinals.distance(best);
    }
    ctx.newSearch();
    long[] eps = {ScoredOrdinals.pack(epDist, ep)};
    searcher.searchLevel(q, qNorm, true, eps, 1, config.efConstruction(), 0, ctx, false, null, 0);
    int n = ctx.results.size();
    long[] sorted = ctx.sortedScratch(n);
    for (int i = n - 1; i >= 0; i--) {
      sorted[i] = ~ctx.results.pop(); // ascending distance
    }
    int target = -1;
    int evict = -1; // slot of target's list to overwrite, or -1 to append
    for (int pass = 0; pass < 2 && target < 0; pass++) { // free slots first, then evictions
      for (int i = 0; i < n && target < 0; i++) {
        int c = ScoredOrdinals.ordinal(sorted[i]);
        if (c == node || !reached.get(c) || !live.test(c)) {
          continue;
        }
        int[] arr = graph.level0Page(c);
        int base = graph.level0Base(c);
        int count = arr[base];
        if (pass == 0) {
          if (count < graph.maxConn0) {
            target = c;
          }
          continue;
        }
        float worstDist = Float.NEGATIVE_INFINITY;
        for (int j = 1; j <= count; j++) {
          int nb = arr[base + j];
          if (inDegree[nb] > 1) {
            float d = index.linkDistanceBetween(c, nb, ctx.scratch);
            if (d > worstDist) {
              worstDist = d;
              evict = j;
            }
          }
        }
        if (evict > 0) {
          target = c;
        }
      }
    }
    if (target < 0) {
      target = nearestWithFreeSlot(q, qNorm, node, reached, live, ctx);
      evict = -1;
      if (target < 0) {
        return false;
      }
    }
    synchronized (graph.lockFor(target)) {
      int[] arr = graph.level0Page(target);
      int base = graph.level0Base(target);
      int count = arr[base];
      if (evict < 0) {
        arr[base + 1 + count] = node;
        INTS.setRelease(arr, base, count + 1);
      } else {
        inDegree[arr[base + evict]]--;
        arr[base + evict] = node; // a single int write: a concurrent walk sees the old or the new neighbour
      }
      inDegree[node]++;
    }
    synchronized (graph.lockFor(node)) {
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = arr[base];
      boolean linked = false;
      for (int i = 1; i <= count && !linked; i++) {
        linked = arr[base + i] == target;
      }
      if (!linked && count < graph.maxConn0) {
        arr[base + 1 + count] = target;
        INTS.setRelease(arr, base, count + 1);
        inDegree[target]++;
      }
    }
    return true;
  }

  /**
   * The nearest reached live node with a free level-0 slot, by a scan of every node; -1 if none. The fallback when
   * the search's candidates are all full and none can give up a link: under an inner product with many duplicates and
   * a small M, every search for a stranded node returned the same few full hubs, and 151 of 213 stranded nodes stayed
   * stranded after four passes.
   */
  private int nearestWithFreeSlot(float[] q, float qNorm, int node, BitSet reached, IntPredicate live,
      HnswSearchContext ctx) {
    int best = -1;
    float bestDist = Float.POSITIVE_INFINITY;
    for (int c = reached.nextSetBit(0); c >= 0; c = reached.nextSetBit(c + 1)) {
      if (c == node || !live.test(c) || !graph.linked(c)) {
        continue;
      }
      int[] arr = graph.level0Page(c);
      if (arr[graph.level0Base(c)] >= graph.maxConn0) {
        continue;
      }
      float d = index.linkDistance(q, qNorm, c, ctx.scratch);
      if (d < bestDist) {
        bestDist = d;
        best = c;
      }
    }
    return best;
  }

  /** Marks in {@code reached} every node a walk on level 0 reaches from {@code from} (breadth first). */
  private void reachOnLevel0(BitSet reached, int from, int[] queue) {
    if (reached.get(from)) {
      return;
    }
    reached.set(from);
    int head = 0, tail = 0;
    queue[tail++] = from;
    while (head < tail) {
      int node = queue[head++];
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = (int) INTS.getAcquire(arr, base);
      for (int i = 1; i <= count; i++) {
        int nb = arr[base + i];
        if (!reached.get(nb)) {
          reached.set(nb);
          queue[tail++] = nb;
        }
      }
    }
  }

  private BitSet reachedFromEntry(int[] queue) {
    BitSet reached = new BitSet(index.ordinalLimit());
    OnHeapHnswGraph.Entry e = graph.entry;
    if (e != null) {
      reachOnLevel0(reached, e.node(), queue);
    }
    return reached;
  }
}
