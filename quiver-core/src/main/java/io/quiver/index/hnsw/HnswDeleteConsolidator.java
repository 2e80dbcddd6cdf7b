package io.quiver.index.hnsw;

import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;

/**
 * Consolidates the deletes of an {@link HnswIndex}: a deleted node is a tombstone that still routes searches; this
 * relinks every live node that points at one (the diversity heuristic over its live neighbours and the live
 * neighbours of its deleted ones, two hops), then unlinks the deleted nodes and moves the entry point to a live node
 * if needed, so heavy deletion does not erode recall. Holds the structure lock exclusively while it runs.
 */
final class HnswDeleteConsolidator {
  private final HnswIndex index;
  private final OnHeapHnswGraph graph;
  private final HnswGraphBuilder builder;
  private final HnswConfig config;
  private final HnswSearchContextPool contexts;

  HnswDeleteConsolidator(HnswIndex index, OnHeapHnswGraph graph, HnswGraphBuilder builder, HnswConfig config,
      HnswSearchContextPool contexts) {
    this.index = index;
    this.graph = graph;
    this.builder = builder;
    this.config = config;
    this.contexts = contexts;
  }

  /** Relinks around the deleted nodes and unlinks them; returns the number of neighbour lists rewritten. */
  int consolidate() {
    graph.structureLock.writeLock().lock();
    try {
      if (index.deletedCount() == 0 || graph.entry == null) {
        return 0;
      }
      int rewritten = 0;
      int max = index.ordinalLimit();
      HnswSearchContext ctx = contexts.acquire();
      try {
        ctx.prepare(index.capacity());
        for (int node = 0; node < max; node++) {
          if (!index.isPresent(node) || index.isDeleted(node)) {
            continue;
          }
          int top = graph.levelOf(node);
          for (int l = 0; l <= top; l++) {
            if (relinkAroundDeleted(node, l, ctx)) {
              rewritten++;
            }
          }
        }
      } finally {
        contexts.release(ctx);
      }
      OnHeapHnswGraph.Entry newEntry = null;
      for (int node = 0; node < max; node++) {
        if (!index.isPresent(node)) {
          continue;
        }
        if (index.isDeleted(node)) {
          for (int l = 0, top = graph.levelOf(node); l <= top; l++) {
            graph.setNeighbors(node, l, new int[0], 0);
          }
        } else {
          int lv = graph.levelOf(node);
          if (newEntry == null || lv > newEntry.level()) {
            newEntry = new OnHeapHnswGraph.Entry(node, lv);
          }
        }
      }
      graph.entry = newEntry;
      return rewritten;
    } finally {
      graph.structureLock.writeLock().unlock();
    }
  }

  private boolean relinkAroundDeleted(int node, int level, HnswSearchContext ctx) {
    int maxConn = config.maxConnections(level);
    int[] current = new int[maxConn];
    int count = graph.neighbors(node, level, current);
    boolean touched = false;
    for (int i = 0; i < count; i++) {
      if (index.isDeleted(current[i])) {
        touched = true;
        break;
      }
    }
    if (!touched) {
      return false;
    }
    ctx.newSearch();
    int[] visited = ctx.visited;
    int epoch = ctx.epoch;
    visited[node] = epoch;
    LongHeap pool = ctx.candidates;
    pool.clear();
    int[] scratch = new int[Math.max(graph.maxConn0, graph.maxConnUpper)];
    for (int i = 0; i < count; i++) {
      int nb = current[i];
      if (!index.isDeleted(nb)) {
        if (visited[nb] != epoch) {
          visited[nb] = epoch;
          pool.push(ScoredOrdinals.pack(index.linkDistanceBetween(node, nb, ctx.scratch), nb));
        }
        continue;
      }
      int hops = graph.neighbors(nb, level, scratch);
      for (int j = 0; j < hops; j++) {
        int two = scratch[j];
        if (visited[two] != epoch && !index.isDeleted(two)) {
          visited[two] = epoch;
          pool.push(ScoredOrdinals.pack(index.linkDistanceBetween(node, two, ctx.scratch), two));
        }
      }
    }
    int n = pool.size();
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = pool.pop();
    }
    int[] selected = new int[maxConn];
    int kept = builder.selectDiverse(sorted, n, node, maxConn, selected, ctx.scratch);
    graph.setNeighbors(node, level, selected, kept);
    return true;
  }
}
