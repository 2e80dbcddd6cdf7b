package io.quiver.index.disk;

import java.util.Arrays;

/**
 * The routing layers of a merged disk index: the base's, renumbered to merged ordinals, without the dropped nodes. A
 * survivor that lost a neighbour on a layer gets that neighbour's surviving neighbours on the layer instead
 * (FreshDiskANN's rule), the candidates cut to the layer's degree nearest first: the layers only steer the descent
 * to a good start on the bottom layer, so no RobustPrune. Added vectors join the bottom layer only, as most of
 * HNSW's points do. Top layers left without nodes are dropped. Costs a pass over the layers, which hold a small
 * fraction of the nodes.
 */
final class MergedRouting {
  static final MergedRouting NONE = new MergedRouting(new int[0][], new int[0][][], -1);

  /** Per layer (index {@code layer - 1}): its nodes as merged ordinals, ascending, and each one's neighbours. */
  private final int[][] nodes;
  private final int[][][] lists;
  private final int entry;

  private MergedRouting(int[][] nodes, int[][][] lists, int entry) {
    this.nodes = nodes;
    this.lists = lists;
    this.entry = entry;
  }

  /**
   * @param ordinalAt the base ordinal at each disk position
   * @param newOrdinals each base ordinal's merged ordinal, or -1
   * @param space the merged vectors (for cutting candidates by distance)
   * @param maxDegree the most neighbours a routing list may have
   * @param medoid the survivors' medoid: the new entry is the top layer's node nearest it when the old one is gone
   */
  static MergedRouting of(DiskIndex base, int[] ordinalAt, int[] newOrdinals, BuildSpaceVectors space,
      int maxDegree, int medoid) {
    RoutingLayers routing = base.routing;
    int layers = routing.layers();
    int[][] nodes = new int[layers][];
    int[][][] lists = new int[layers][][];
    int[] buf = new int[Math.max(maxDegree, 1)];
    int[] inner = new int[Math.max(maxDegree, 1)];
    int top = 0;
    for (int l = 1; l <= layers; l++) {
      int[] positions = routing.nodesOn(l);
      int cap = Math.min(maxDegree, routing.maxDegree(l));
      long[] packed = new long[positions.length]; // (merged ordinal, index of its list) sorted by ordinal
      int[][] layerLists = new int[positions.length][];
      int n = 0;
      for (int p : positions) {
        int node = newOrdinals[ordinalAt[p]];
        if (node < 0) {
          continue;
        }
        int[] cand = new int[cap * (cap + 1)];
        int c = 0;
        int k = routing.neighbours(l, p, buf);
        for (int i = 0; i < k; i++) {
          int nb = newOrdinals[ordinalAt[buf[i]]];
          if (nb >= 0) {
            c = addOnce(cand, c, nb, node);
          } else {
            int kk = routing.neighbours(l, buf[i], inner);
            for (int j = 0; j < kk; j++) {
              int nn = newOrdinals[ordinalAt[inner[j]]];
              if (nn >= 0) {
                c = addOnce(cand, c, nn, node);
              }
            }
          }
        }
        layerLists[n] = nearest(space, node, cand, c, cap);
        packed[n] = ((long) node << 32) | n;
        n++;
      }
      if (n == 0) {
        break; // this layer and every one above it lost all their nodes
      }
      Arrays.sort(packed, 0, n);
      nodes[l - 1] = new int[n];
      lists[l - 1] = new int[n][];
      for (int i = 0; i < n; i++) {
        nodes[l - 1][i] = (int) (packed[i] >>> 32);
        lists[l - 1][i] = layerLists[(int) packed[i]];
      }
      top = l;
    }
    if (top == 0) {
      return NONE;
    }
    int old = newOrdinals[ordinalAt[base.entry]];
    int[] topNodes = nodes[top - 1];
    int entry = old >= 0 && Arrays.binarySearch(topNodes, old) >= 0 ? old : nearestTo(space, medoid, topNodes);
    return new MergedRouting(Arrays.copyOf(nodes, top), Arrays.copyOf(lists, top), entry);
  }

  private static int addOnce(int[] cand, int c, int node, int self) {
    if (node == self) {
      return c;
    }
    for (int i = 0; i < c; i++) {
      if (cand[i] == node) {
        return c;
      }
    }
    cand[c] = node;
    return c + 1;
  }

  /** The {@code cap} of {@code cand[0..c)} nearest {@code node}, nearest first (all of them when they fit). */
  private static int[] nearest(BuildSpaceVectors space, int node, int[] cand, int c, int cap) {
    if (c <= cap) {
      return Arrays.copyOf(cand, c);
    }
    long[] byDistance = new long[c];
    for (int i = 0; i < c; i++) {
      byDistance[i] = VamanaSearchContext.pack(space.distance(node, cand[i]), cand[i]);
    }
    Arrays.sort(byDistance);
    int[] out = new int[cap];
    for (int i = 0; i < cap; i++) {
      out[i] = VamanaSearchContext.node(byDistance[i]);
    }
    return out;
  }

  private static int nearestTo(BuildSpaceVectors space, int target, int[] candidates) {
    long best = Long.MAX_VALUE;
    for (int c : candidates) {
      best = Math.min(best, VamanaSearchContext.pack(space.distance(target, c), c));
    }
    return VamanaSearchContext.node(best);
  }

  int layers() {
    return nodes.length;
  }

  /** The top layer's entry node (merged ordinal); -1 when there are no layers. */
  int entry() {
    return entry;
  }

  int[] nodesOn(int layer) {
    return nodes[layer - 1].clone();
  }

  /** Copies {@code node}'s neighbours on {@code layer} (1-based) into {@code out}; 0 when it is not on the layer. */
  int neighbours(int layer, int node, int[] out) {
    int i = Arrays.binarySearch(nodes[layer - 1], node);
    if (i < 0) {
      return 0;
    }
    int[] list = lists[layer - 1][i];
    System.arraycopy(list, 0, out, 0, list.length);
    return list.length;
  }
}
