package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.VectorSource;
import java.util.Arrays;

/**
 * A plain in-RAM greedy search over any {@link DiskGraphSource}, scoring with the full vectors: the reference a disk
 * search is measured against, and the way tests compare graph builders. It descends the routing layers (if any)
 * greedily from the entry node, then runs a beam search with list size L on the bottom layer and counts the bottom
 * nodes it expands: on disk each is one block read, so that count is the reads a query costs.
 *
 * <p>Holds scratch: one instance per thread.
 */
final class GraphSourceSearcher {
  /** The k nearest nodes found (nearest first), and how many bottom-layer nodes the search expanded. */
  record Result(int[] nodes, int expanded) {}

  private final DiskGraphSource graph;
  private final BuildSpaceVectors vectors;
  private final Metric metric;
  private final int[] neighbours;
  private final float[] four = new float[4];
  private int[] seen;
  private int stamp;

  GraphSourceSearcher(DiskGraphSource graph, VectorSource vectors, Metric metric) {
    if (graph.size() != vectors.size()) {
      throw new IllegalArgumentException("graph has " + graph.size() + " nodes but there are " + vectors.size()
          + " vectors");
    }
    this.graph = graph;
    this.metric = metric;
    this.vectors = BuildSpaceVectors.copyOf(vectors, metric);
    this.neighbours = new int[graph.maxDegree()];
    this.seen = new int[graph.size()];
  }

  /** The k nearest to {@code query} a search with list size {@code listSize} (at least k) finds. */
  Result search(float[] query, int k, int listSize) {
    return search(query, k, listSize, new int[0]);
  }

  /**
   * As {@link #search(float[], int, int)}, with {@code seeds} (bottom-layer nodes) entering the list beside the node
   * the routing layers lead to.
   */
  Result search(float[] query, int k, int listSize, int[] seeds) {
    if (k < 1 || listSize < k) {
      throw new IllegalArgumentException("need 1 <= k <= listSize, got k " + k + ", listSize " + listSize);
    }
    float[] q = prepare(query);
    if (++stamp == Integer.MAX_VALUE) {
      Arrays.fill(seen, 0);
      stamp = 1;
    }
    int entry = graph.entryNode();
    float entryDist = vectors.distance(q, entry);
    for (int layer = graph.routingLayers(); layer >= 1; layer--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        int count = graph.neighbours(layer, entry, neighbours);
        for (int i = 0; i < count; i++) {
          float d = vectors.distance(q, neighbours[i]);
          if (d < entryDist) {
            entryDist = d;
            entry = neighbours[i];
            moved = true;
          }
        }
      }
    }
    int[] ids = new int[listSize];
    float[] dists = new float[listSize];
    boolean[] expandedFlags = new boolean[listSize];
    int size = 1;
    ids[0] = entry;
    dists[0] = entryDist;
    seen[entry] = stamp;
    for (int seed : seeds) {
      if (seen[seed] == stamp || size == listSize) {
        continue;
      }
      seen[seed] = stamp;
      float d = vectors.distance(q, seed);
      int at = size;
      while (at > 0 && dists[at - 1] > d) {
        at--;
      }
      System.arraycopy(ids, at, ids, at + 1, size - at);
      System.arraycopy(dists, at, dists, at + 1, size - at);
      ids[at] = seed;
      dists[at] = d;
      size++;
    }
    int[] fresh = new int[graph.maxDegree()];
    float[] freshDist = new float[graph.maxDegree()];
    int expanded = 0;
    int cursor = 0;
    while (cursor < size) {
      expandedFlags[cursor] = true;
      expanded++;
      int count = graph.neighbours(0, ids[cursor], neighbours);
      int nFresh = 0;
      for (int i = 0; i < count; i++) {
        int nb = neighbours[i];
        if (seen[nb] != stamp) {
          seen[nb] = stamp;
          fresh[nFresh++] = nb;
        }
      }
      vectors.distances(q, fresh, nFresh, freshDist, four);
      int lowest = size;
      for (int i = 0; i < nFresh; i++) {
        float d = freshDist[i];
        if (size == listSize && d >= dists[size - 1]) {
          continue;
        }
        int at = size == listSize ? size - 1 : size;
        while (at > 0 && dists[at - 1] > d) {
          at--;
        }
        int moved = (size == listSize ? size - 1 : size) - at;
        System.arraycopy(ids, at, ids, at + 1, moved);
        System.arraycopy(dists, at, dists, at + 1, moved);
        System.arraycopy(expandedFlags, at, expandedFlags, at + 1, moved);
        ids[at] = fresh[i];
        dists[at] = d;
        expandedFlags[at] = false;
        size = Math.min(listSize, size + 1);
        lowest = Math.min(lowest, at);
      }
      cursor = Math.min(cursor + 1, lowest);
      while (cursor < size && expandedFlags[cursor]) {
        cursor++;
      }
    }
    return new Result(Arrays.copyOf(ids, Math.min(k, size)), expanded);
  }

  /** The query in the build space: normalised for COSINE, with a 0 appended for DOT. */
  private float[] prepare(float[] query) {
    int srcDim = metric == Metric.DOT ? vectors.dimension() - 1 : vectors.dimension();
    if (query.length != srcDim) {
      throw new IllegalArgumentException("query has length " + query.length + ", expected " + srcDim);
    }
    float[] q = Arrays.copyOf(query, vectors.dimension());
    if (metric == Metric.COSINE) {
      double sq = 0;
      for (float x : query) {
        sq += (double) x * x;
      }
      if (sq > 0) {
        float inv = (float) (1 / Math.sqrt(sq));
        for (int d = 0; d < q.length; d++) {
          q[d] *= inv;
        }
      }
    }
    return q;
  }
}
