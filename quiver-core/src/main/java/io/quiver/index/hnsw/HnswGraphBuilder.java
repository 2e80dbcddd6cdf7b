package io.quiver.index.hnsw;

import io.quiver.distance.Metric;
import io.quiver.util.ScoredOrdinals;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Inserts nodes into an {@link OnHeapHnswGraph} (Malkov and Yashunin): a random top level per node, a beam search of
 * width efConstruction per level, the diversity heuristic to pick the links, and reverse links that re-select when
 * the target's list is full. Any number of threads may insert at once (the locking is described on the graph); a
 * node's vector is stored before any list names it, so a reader that reaches a node also sees its vector.
 */
final class HnswGraphBuilder {
  private static final VarHandle INTS = OnHeapHnswGraph.INTS;

  final HnswIndex index;
  final OnHeapHnswGraph graph;
  final HnswGraphSearcher searcher;
  final HnswConfig config;
  final double levelMultiplier;
  /** alpha applied to link distances: squared for the squared-Euclidean-like spaces, plain for L1. */
  final float pruneFactor;
  private final Object entryLock = new Object();

  HnswGraphBuilder(HnswIndex index, OnHeapHnswGraph graph, HnswGraphSearcher searcher, HnswConfig config,
      Metric metric) {
    this.index = index;
    this.graph = graph;
    this.searcher = searcher;
    this.config = config;
    this.levelMultiplier = 1.0 / Math.log(config.m());
    this.pruneFactor = metric == Metric.L1 ? config.alpha() : config.alpha() * config.alpha();
  }

  /** Links {@code node}, whose vector is stored, into every level up to its random top level. */
  void insert(int node, HnswSearchContext ctx) {
    int level = randomLevel(node);
    graph.allocate(node, level);
    graph.structureLock.readLock().lock();
    try {
      OnHeapHnswGraph.Entry e = graph.entry;
      if (e == null || level > e.level()) {
        // A new top node (rare: 1/M^level) is inserted under the entry lock, so that no other insert starts from it
        // before its links exist, and so two competing new tops are serialised.
        synchronized (entryLock) {
          e = graph.entry;
          if (e == null) {
            graph.entry = new OnHeapHnswGraph.Entry(node, level);
            return;
          }
          link(node, level, e, ctx);
          if (level > e.level()) {
            graph.entry = new OnHeapHnswGraph.Entry(node, level);
          }
        }
      } else {
        link(node, level, e, ctx);
      }
    } finally {
      graph.structureLock.readLock().unlock();
    }
  }

  private void link(int node, int level, OnHeapHnswGraph.Entry e, HnswSearchContext ctx) {
    ctx.prepare(index.capacity());
    float[] q = index.storedVector(node);
    float qNorm = index.buildNorm(node);
    int ep = e.node();
    float epDist = index.linkDistance(q, qNorm, ep, ctx.scratch);
    ctx.distanceCount = 1;
    for (int l = e.level(); l > level; l--) {
      long best = searcher.greedy(q, qNorm, true, ep, epDist, l, ctx);
      ep = ScoredOrdinals.ordinal(best);
      epDist = ScoredOrdinals.distance(best);
    }
    long[] entryPoints = {ScoredOrdinals.pack(epDist, ep)};
    int entryCount = 1;
    for (int l = Math.min(level, e.level()); l >= 0; l--) {
      ctx.newSearch();
      searcher.searchLevel(q, qNorm, true, entryPoints, entryCount, config.efConstruction(), l, ctx, false, null, 0);
      // results come out worst first; collect ascending
      int n = ctx.results.size();
      long[] sorted = ctx.sortedScratch(n);
      for (int i = n - 1; i >= 0; i--) {
        sorted[i] = ~ctx.results.pop();
      }
      int maxConn = config.maxConnections(l);
      int[] selected = ctx.selectedScratch(maxConn);
      long[] tieBroken = ctx.pruneScratch(n);
      System.arraycopy(sorted, 0, tieBroken, 0, n);
      int count = selectDiverse(tieBroken, n, node, maxConn, selected, ctx.scratch);
      graph.setNeighbors(node, l, selected, count);
      for (int i = 0; i < count; i++) {
        addReverseLink(selected[i], node, l, maxConn, ctx);
      }
      entryPoints = Arrays.copyOf(sorted, n);
      entryCount = n;
    }
  }

  /**
   * The HNSW heuristic (algorithm 4 of the paper): walking candidates nearest first, keep one only if it is closer to
   * the base node than to every neighbour kept so far. This keeps links pointing in diverse directions.
   *
   * <p>With alpha above 1 the selection runs in two rounds, as DiskANN's RobustPrune raises alpha: the classic
   * heuristic first, then the candidates it dropped, each kept unless a kept neighbour is closer to it by the factor
   * alpha, until {@code maxConn}. One round at alpha filled the list with the nearest, mutually close candidates and
   * left nodes without in-links (9.7% of level 0 unreachable at alpha 1.2 on clustered data); the first round keeps
   * the diverse links alpha 1 would, and alpha only adds to them.
   *
   * <p>Sorts {@code candidates} (packed (distance, ordinal)) in place. Equal distances are ordered by a permutation
   * of ordinals that differs per {@code self}: ordered by plain ordinal, every full list would keep the oldest of many
   * duplicate vectors and newer duplicates would lose all in-links and become unreachable.
   */
  int selectDiverse(long[] candidates, int n, int self, int maxConn, int[] out, float[] scratch) {
    int mask = (int) mix64(self ^ 0x5DEECE66DL);
    for (int i = 0; i < n; i++) {
      candidates[i] ^= mask & 0xFFFFFFFFL;
    }
    Arrays.sort(candidates, 0, n);
    Rounds rounds = new Rounds(n, pruneFactor > 1f);
    int selected = selectRound(candidates, n, self, mask, maxConn, 1f, out, 0, rounds, scratch);
    if (rounds.taken != null && selected < maxConn) {
      selected = selectRound(candidates, n, self, mask, maxConn, pruneFactor, out, selected, rounds, scratch);
    }
    return selected;
  }

  /**
   * What the rounds of one {@link #selectDiverse} learn about each candidate: whether it was kept, how many of the
   * kept neighbours (in {@code out} order) it was compared with, and the smallest distance among those comparisons.
   * A candidate is occluded at factor f when f·d(c, k) < d(c, self) for some kept k, i.e. when f times the smallest
   * such distance is; so a later round starts from the smallest distance already seen and compares only with the
   * neighbours kept since, instead of recomputing distances the first round computed (the re-selections are most
   * of a build's distance computations).
   */
  private static final class Rounds {
    final boolean[] taken;
    final int[] compared;
    final float[] nearestKept;

    Rounds(int n, boolean twoRounds) {
      this.taken = twoRounds ? new boolean[n] : null;
      this.compared = twoRounds ? new int[n] : null;
      this.nearestKept = twoRounds ? new float[n] : null;
      if (twoRounds) {
        Arrays.fill(nearestKept, Float.POSITIVE_INFINITY);
      }
    }
  }

  /**
   * One round of {@link #selectDiverse} at {@code factor}: appends to {@code out[selected..]} the candidates not yet
   * taken that no neighbour in {@code out} is closer to by {@code factor}; returns the new count.
   */
  private int selectRound(long[] candidates, int n, int self, int mask, int maxConn, float factor, int[] out,
      int selected, Rounds rounds, float[] scratch) {
    boolean[] taken = rounds.taken;
    for (int i = 0; i < n && selected < maxConn; i++) {
      int c = ScoredOrdinals.ordinal(candidates[i]) ^ mask;
      if (c == self || (taken != null && taken[i])) {
        continue;
      }
      float dc = ScoredOrdinals.distance(candidates[i]);
      boolean diverse;
      if (taken == null) {
        diverse = true;
        for (int j = 0; j < selected; j++) {
          if (factor * index.linkDistanceBetween(c, out[j], scratch) < dc) {
            diverse = false;
            break;
          }
        }
      } else {
        float nearest = rounds.nearestKept[i];
        int j = rounds.compared[i];
        while (factor * nearest >= dc && j < selected) {
          nearest = Math.min(nearest, index.linkDistanceBetween(c, out[j++], scratch));
        }
        rounds.nearestKept[i] = nearest;
        rounds.compared[i] = j;
        diverse = factor * nearest >= dc;
      }
      if (diverse) {
        out[selected++] = c;
        if (taken != null) {
          taken[i] = true;
        }
      }
    }
    return selected;
  }

  private void addReverseLink(int target, int node, int level, int maxConn, HnswSearchContext ctx) {
    synchronized (graph.lockFor(target)) {
      int[] arr = graph.listArray(target, level);
      int base = graph.listBase(target, level);
      int count = arr[base];
      for (int i = 1; i <= count; i++) {
        if (arr[base + i] == node) {
          return;
        }
      }
      if (count < (level == 0 ? graph.capacity0 : maxConn)) {
        arr[base + 1 + count] = node;
        INTS.setRelease(arr, base, count + 1);
        return;
      }
      // Full: re-select among the current neighbours plus the new one (down to maxConn, leaving room again when a
      // bulk build's level 0 has slack).
      reselect(target, arr, base, count, node, maxConn, ctx);
    }
  }

  /**
   * Re-selects {@code node}'s level-0 list down to maxConn when it holds more (a bulk build's slack); a no-op
   * otherwise. Not concurrently with inserts.
   */
  void pruneLevel0(int node, HnswSearchContext ctx) {
    int maxConn = config.maxConnections(0);
    synchronized (graph.lockFor(node)) {
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = arr[base];
      if (count > maxConn) {
        reselect(node, arr, base, count, -1, maxConn, ctx);
      }
    }
  }

  /**
   * Rewrites {@code node}'s list at {@code arr[base]} (count {@code count}) as the diverse selection of at most
   * {@code maxConn} of its entries plus {@code extra} (none when negative). The caller holds the node's lock.
   */
  private void reselect(int node, int[] arr, int base, int count, int extra, int maxConn, HnswSearchContext ctx) {
    int n = count + (extra >= 0 ? 1 : 0);
    long[] cand = ctx.pruneScratch(n);
    for (int i = 0; i < count; i++) {
      int nb = arr[base + 1 + i];
      cand[i] = ScoredOrdinals.pack(index.linkDistanceBetween(node, nb, ctx.scratch), nb);
    }
    if (extra >= 0) {
      cand[count] = ScoredOrdinals.pack(index.linkDistanceBetween(node, extra, ctx.scratch), extra);
    }
    int[] kept = ctx.pruneOut(maxConn);
    int selected = selectDiverse(cand, n, node, maxConn, kept, ctx.scratch);
    System.arraycopy(kept, 0, arr, base + 1, selected);
    INTS.setRelease(arr, base, selected);
  }

  /** {@code node}'s top level: geometric with ratio 1/M, fixed by the seed and the ordinal (not by insert order). */
  private int randomLevel(int node) {
    long h = mix64(config.seed() ^ (node * 0x9E3779B97F4A7C15L));
    double u = ((h >>> 11) + 1) * 0x1.0p-53; // (0, 1]
    return Math.min(OnHeapHnswGraph.MAX_LEVEL, (int) (-Math.log(u) * levelMultiplier));
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
