package io.quiver.index.hnsw;

import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.lang.invoke.VarHandle;

/**
 * Walks an {@link OnHeapHnswGraph}: greedy descent on the upper levels and the best-first beam search on a level, for
 * searches ({@code building} false: query distances, or the quantized scorer of the context) and for inserts and
 * repairs ({@code building} true: distances in the index's build space). Filtered ACORN walks go to
 * {@link FilteredHnswGraphSearcher}. Readers take no lock (see {@link OnHeapHnswGraph}).
 *
 * <p>Final with package-private fields, and scoring through the final {@link HnswIndex}, so that the JIT inlines the
 * whole walk down to the distance kernels.
 */
final class HnswGraphSearcher {
  private static final VarHandle INTS = OnHeapHnswGraph.INTS;
  static final int POINTS_PER_SAMPLE = 1024;
  static final int MAX_SAMPLES = 1024;

  final HnswIndex index;
  final OnHeapHnswGraph graph;
  final FilteredHnswGraphSearcher filtered;

  HnswGraphSearcher(HnswIndex index, OnHeapHnswGraph graph) {
    this.index = index;
    this.graph = graph;
    this.filtered = new FilteredHnswGraphSearcher(index, graph);
  }

  /**
   * The {@code k} nearest accepted nodes to {@code q} (prepared: normalized for cosine): greedy descent through the
   * upper levels, then a beam of {@code ef} on level 0, plain or (for a filter with
   * {@link SearchParams.Traversal#ACORN}) filtered. Scores with {@code ctx.approx} when it is set.
   */
  SearchResult search(float[] q, int k, SearchParams params, OrdinalFilter filter, HnswSearchContext ctx,
      PayloadLinks.Group[] payloadLinks) {
    OnHeapHnswGraph.Entry e = graph.entry;
    if (e == null) {
      return SearchResult.EMPTY;
    }
    int ef = Math.max(k, params.ef() > 0 ? params.ef() : index.config().efSearch());
    ctx.prepare(index.capacity());
    int ep = e.node();
    float epDist = ctx.approx != null ? ctx.approx.score(ep) : index.queryDistance(q, ep, ctx.scratch);
    ctx.distanceCount = 1;
    for (int l = e.level(); l > 0; l--) {
      long best = greedy(q, 0f, false, ep, epDist, l, ctx);
      ep = ScoredOrdinals.ordinal(best);
      epDist = ScoredOrdinals.distance(best);
    }
    ctx.newSearch();
    boolean filtering = filter != null || index.deletedCount() > 0;
    long[] eps = ctx.entryScratch;
    eps[0] = ScoredOrdinals.pack(epDist, ep);
    ctx.incomplete = false;
    if (filter != null && params.traversal() == SearchParams.Traversal.ACORN) {
      filtered.searchLevel0(q, ep, epDist, ef, ctx, filter, params.visitLimit(),
          payloadLinks == null || payloadLinks.length == 0 ? null : payloadLinks);
    } else {
      int entries = bestSample(q, ep, eps, ctx);
      searchLevel(q, 0f, false, eps, entries, ef, 0, ctx, filtering, filter, params.visitLimit());
    }
    LongHeap results = ctx.results;
    while (results.size() > k) {
      results.pop();
    }
    int n = results.size();
    int[] ords = new int[n];
    float[] dists = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      long packed = ~results.pop();
      ords[i] = ScoredOrdinals.ordinal(packed);
      dists[i] = ScoredOrdinals.distance(packed);
    }
    return new SearchResult(ords, dists, ctx.distanceCount, !ctx.incomplete);
  }

  /**
   * Scores nodes spread evenly over the index and, when the best is not {@code ep}, makes it a second entry point in
   * {@code eps[1]}; returns the entry count. The upper levels descend greedily and can end in the wrong cluster for a
   * query between clusters, where no ef walks out: on 1,000,000 x 128 clustered vectors (bench-disk's generator,
   * M 16) recall@10 rose from 0.9154 / 0.9315 / 0.9392 to 0.9675 / 0.9758 / 0.9788 at ef 32 / 64 / 128 with 1,024
   * samples (0.9524 / 0.9618 / 0.9667 with 256). One sample per {@value #POINTS_PER_SAMPLE} nodes, at most
   * {@value #MAX_SAMPLES}: a region of that many points is represented, and the cost stays a small share of the walk
   * (none below {@value #POINTS_PER_SAMPLE} nodes, where the descent is short).
   */
  private int bestSample(float[] q, int ep, long[] eps, HnswSearchContext ctx) {
    int n = index.ordinalLimit();
    int wanted = Math.min(MAX_SAMPLES, index.size() / POINTS_PER_SAMPLE);
    if (wanted == 0) {
      return 1;
    }
    int[] nodes = ctx.sampleNodes(wanted);
    float[] dists = ctx.sampleDistances(wanted);
    int samples = 0;
    for (int i = 0; i < wanted; i++) {
      int node = (int) (((long) i * n + n / 2) / wanted);
      // only live nodes already in the graph: a node still being inserted may have no vector or list yet
      if (index.contains(node) && graph.linked(node)) {
        nodes[samples++] = node;
      }
    }
    if (samples == 0) {
      return 1;
    }
    index.score(q, 0f, false, nodes, samples, dists, ctx);
    ctx.distanceCount += samples;
    int best = 0;
    for (int i = 1; i < samples; i++) {
      if (dists[i] < dists[best]) {
        best = i;
      }
    }
    if (nodes[best] == ep) {
      return 1;
    }
    eps[1] = ScoredOrdinals.pack(dists[best], nodes[best]);
    return 2;
  }

  /** Greedy descent on one upper level; returns the packed (distance, node) of the local minimum. */
  long greedy(float[] q, float qNorm, boolean building, int ep, float epDist, int level, HnswSearchContext ctx) {
    int[] nbrs = ctx.fresh;
    float[] dists = ctx.freshDistances;
    boolean improved = true;
    while (improved) {
      improved = false;
      int[] arr = graph.listArray(ep, level);
      int base = graph.listBase(ep, level);
      int count = (int) INTS.getAcquire(arr, base);
      System.arraycopy(arr, base + 1, nbrs, 0, count);
      index.score(q, qNorm, building, nbrs, count, dists, ctx);
      ctx.distanceCount += count;
      int from = ep;
      for (int i = 0; i < count; i++) {
        if (dists[i] < epDist) {
          epDist = dists[i];
          ep = nbrs[i];
        }
      }
      improved = ep != from;
    }
    return ScoredOrdinals.pack(epDist, ep);
  }

  /**
   * Best-first beam search on one level. Leaves up to {@code ef} results in {@code ctx.results} (a max-heap of
   * {@code ~packed}). When {@code filtering}, only acceptable nodes enter the results but every node still routes.
   * Stops early, marking the context incomplete, once it has computed more than {@code visitLimit} distances (0: no
   * limit).
   */
  void searchLevel(float[] q, float qNorm, boolean building, long[] entryPoints, int entryCount, int ef, int level,
      HnswSearchContext ctx, boolean filtering, OrdinalFilter filter, long visitLimit) {
    LongHeap candidates = ctx.candidates;
    LongHeap results = ctx.results;
    int[] visited = ctx.visited;
    int epoch = ctx.epoch;
    for (int i = 0; i < entryCount; i++) {
      long p = entryPoints[i];
      int node = ScoredOrdinals.ordinal(p);
      if (node >= visited.length) {
        // an insert grew the index after this walk sized its marks, and the upper levels led to the newcomer
        visited = ctx.grow(node + 1);
      }
      if (visited[node] == epoch) {
        continue;
      }
      visited[node] = epoch;
      candidates.push(p);
      if (!filtering || index.accepts(node, filter)) {
        results.push(~p);
        if (results.size() > ef) {
          results.pop();
        }
      }
    }
    float bound = results.size() >= ef ? ScoredOrdinals.distance(~results.peek()) : Float.POSITIVE_INFINITY;
    long computed = 0;
    while (!candidates.isEmpty()) {
      long top = candidates.pop();
      if (ScoredOrdinals.distance(top) > bound) {
        break;
      }
      int node = ScoredOrdinals.ordinal(top);
      int[] arr = level == 0 ? graph.level0Page(node) : graph.upperLevels(node)[level - 1];
      int base = level == 0 ? graph.level0Base(node) : 0;
      int count = (int) INTS.getAcquire(arr, base);
      int[] fresh = ctx.fresh;
      int pending = 0;
      for (int i = 1; i <= count; i++) {
        int nb = arr[base + i];
        // nb can exceed visited when an insert grew the index after this search began: skip such newcomers
        if (nb >= visited.length || visited[nb] == epoch) {
          continue;
        }
        visited[nb] = epoch;
        fresh[pending++] = nb;
      }
      float[] dists = ctx.freshDistances;
      index.score(q, qNorm, building, fresh, pending, dists, ctx);
      computed += pending;
      for (int j = 0; j < pending; j++) {
        int nb = fresh[j];
        float d = dists[j];
        if (d < bound || results.size() < ef) {
          bound = offer(candidates, results, ef, bound, ScoredOrdinals.pack(d, nb),
              !filtering || index.accepts(nb, filter));
        }
      }
      if (visitLimit > 0 && computed > visitLimit) {
        ctx.incomplete = true;
        break;
      }
    }
    ctx.distanceCount += computed;
  }

  /**
   * Puts a scored node (packed, within the bound or while the beam is not full) on the candidate queue, and into the
   * results when {@code accepted}; returns the bound: the worst result's distance once the beam holds ef.
   */
  static float offer(LongHeap candidates, LongHeap results, int ef, float bound, long packed,
      boolean accepted) {
    candidates.push(packed);
    if (!accepted) {
      return bound;
    }
    if (results.size() < ef) {
      results.push(~packed);
    } else {
      results.replaceTop(~packed);
    }
    return results.size() >= ef ? ScoredOrdinals.distance(~results.peek()) : bound;
  }
}
