package io.quiver.index.hnsw;

import io.quiver.index.OrdinalFilter;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.lang.invoke.VarHandle;

/**
 * The filtered walk on level 0 of an {@link OnHeapHnswGraph}: ACORN-1, optionally also following a filter's payload
 * links ({@link PayloadLinks}). Final with package-private fields, like {@link HnswGraphSearcher}, for inlining.
 */
final class FilteredHnswGraphSearcher {
  private static final VarHandle INTS = OnHeapHnswGraph.INTS;

  final HnswIndex index;
  final OnHeapHnswGraph graph;

  FilteredHnswGraphSearcher(HnswIndex index, OnHeapHnswGraph graph) {
    this.index = index;
    this.graph = graph;
  }

  /**
   * ACORN-1 beam search on level 0 (Patel et al., SIGMOD 2024): only nodes the filter accepts are scored, queued and
   * returned. Expanding a node takes its accepted neighbours, and looks through each rejected neighbour to that
   * neighbour's accepted neighbours (two hops), so the accepted subgraph stays navigable even when most of a node's
   * links lead to rejected points. At most {@code maxConn0} nodes are taken per expansion (ACORN's truncation to M),
   * which keeps each step as cheap as an unfiltered one. The entry point routes even if the filter rejects it. A walk
   * that runs out of accepted points before its beam of {@code ef} fills is reported incomplete.
   */
  void searchLevel0(float[] q, int ep, float epDist, int ef, HnswSearchContext ctx, OrdinalFilter filter,
      long visitLimit, PayloadLinks.Group[] links) {
    LongHeap candidates = ctx.candidates;
    LongHeap results = ctx.results;
    // a bitset filter is read in place: two-hop expansion tests up to maxConn0^2 ordinals per expanded node
    long[] bits = filter instanceof OrdinalFilter.Bits b ? b.words() : null;
    int[] visited = ep < ctx.visited.length ? ctx.visited : ctx.grow(ep + 1);
    int epoch = ctx.epoch;
    visited[ep] = epoch;
    long epPacked = ScoredOrdinals.pack(epDist, ep);
    candidates.push(epPacked);
    if (index.accepts(ep, filter)) {
      results.push(~epPacked);
    }
    float bound = results.size() >= ef ? epDist : Float.POSITIVE_INFINITY;
    long computed = 0;
    int cap = graph.maxConn0;
    int[] fresh = ctx.fresh;
    float[] dists = ctx.freshDistances;
    for (int gi = 0; links != null && gi < links.length; gi++) {
      // also start inside each value's group, which its payload links connect
      int start = links[gi].entry();
      if (start >= visited.length || visited[start] == epoch) {
        continue;
      }
      visited[start] = epoch;
      fresh[0] = start;
      index.score(q, 0f, false, fresh, 1, dists, ctx);
      computed++;
      bound = HnswGraphSearcher.offer(candidates, results, ef, bound, ScoredOrdinals.pack(dists[0], start),
          index.accepts(start, filter));
    }
    while (!candidates.isEmpty()) {
      long top = candidates.pop();
      if (ScoredOrdinals.distance(top) > bound) {
        break;
      }
      int node = ScoredOrdinals.ordinal(top);
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = (int) INTS.getAcquire(arr, base);
      int pending = 0;
      for (int i = 1; i <= count && pending < cap; i++) {
        int nb = arr[base + i];
        if (nb >= visited.length || visited[nb] == epoch) {
          continue;
        }
        visited[nb] = epoch;
        if (bits != null ? OrdinalFilter.Bits.test(bits, nb) : index.accepts(nb, filter)) {
          fresh[pending++] = nb;
          continue;
        }
        // two hops: the rejected neighbour's accepted neighbours stand in for it
        int[] arr2 = graph.level0Page(nb);
        int base2 = graph.level0Base(nb);
        int count2 = (int) INTS.getAcquire(arr2, base2);
        for (int j = 1; j <= count2; j++) {
          int nb2 = arr2[base2 + j];
          if (nb2 < visited.length && visited[nb2] != epoch
              && (bits != null ? OrdinalFilter.Bits.test(bits, nb2) : index.accepts(nb2, filter))) {
            if (pending == cap) {
              visited[nb] = 0; // cut short: leave it to be looked through again from another node
              break;
            }
            visited[nb2] = epoch;
            fresh[pending++] = nb2;
          }
        }
      }
      for (int gi = 0; links != null && gi < links.length; gi++) {
        pending = collectPayloadLinks(links[gi], node, visited, epoch, filter, fresh, pending);
      }
      index.score(q, 0f, false, fresh, pending, dists, ctx);
      computed += pending;
      for (int j = 0; j < pending; j++) {
        float d = dists[j];
        if (d < bound || results.size() < ef) {
          bound = HnswGraphSearcher.offer(candidates, results, ef, bound, ScoredOrdinals.pack(d, fresh[j]), true);
        }
      }
      if (visitLimit > 0 && computed > visitLimit) {
        ctx.incomplete = true;
        break;
      }
    }
    if (candidates.isEmpty() && results.size() < ef) {
      // the reachable accepted points ran out before the beam filled: part of them may lie beyond what two hops
      // connect, so the caller scans instead of trusting a partial answer
      ctx.incomplete = true;
    }
    ctx.distanceCount += computed;
  }

  /** Adds the unvisited accepted payload-link neighbours of {@code node} to {@code fresh}; returns the new count. */
  private int collectPayloadLinks(PayloadLinks.Group links, int node, int[] visited, int epoch, OrdinalFilter filter,
      int[] fresh, int pending) {
    int pos = links.position(node);
    if (pos < 0) {
      return pending;
    }
    int base = pos * links.stride;
    for (int i = 1, count = links.slots[base]; i <= count && pending < fresh.length; i++) {
      int nb = links.members[links.slots[base + i]];
      if (nb < visited.length && visited[nb] != epoch) {
        visited[nb] = epoch;
        if (index.accepts(nb, filter)) {
          fresh[pending++] = nb;
        }
      }
    }
    return pending;
  }
}
