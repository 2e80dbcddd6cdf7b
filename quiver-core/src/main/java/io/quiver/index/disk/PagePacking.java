package io.quiver.index.disk;

import java.util.Arrays;

/**
 * Decides where each node's block goes on disk so that a page holds a node together with its nearest graph
 * neighbours (after Starling's block shuffling, Wang et al. SIGMOD 2024, in a simple greedy form). A search that
 * reads a page for one node then gets the int8 records and neighbour lists of those neighbours with the same read.
 *
 * <p>Seeds are taken in breadth-first order from the entry node (then any node the walk missed, ascending); each
 * seed not yet placed opens the next free slot and pulls its unplaced neighbours, in list order (graph lists are built
 * in about that order), into the rest of the current page. Pages are filled in sequence, so a page can start with the tail
 * of the previous seed's group.
 */
final class PagePacking {
  private PagePacking() {}

  /** {@code order[position] = ordinal}. */
  static int[] order(DiskGraphSource graph, int entry, int blocksPerPage) {
    int n = graph.size();
    int[] order = new int[n];
    if (n == 0) {
      return order;
    }
    boolean[] placed = new boolean[n];
    boolean[] queued = new boolean[n];
    int[] queue = new int[n];
    int head = 0;
    int tail = 0;
    int[] nbrs = new int[graph.maxDegree()];
    int pos = 0;
    int nextUnreached = 0;
    queue[tail++] = entry;
    queued[entry] = true;
    while (pos < n) {
      int seed;
      if (head < tail) {
        seed = queue[head++];
      } else {
        while (queued[nextUnreached]) {
          nextUnreached++;
        }
        seed = nextUnreached;
        queued[seed] = true;
        queue[tail++] = seed;
        head++;
      }
      int c = graph.neighbours(0, seed, nbrs);
      for (int i = 0; i < c; i++) {
        if (!queued[nbrs[i]]) {
          queued[nbrs[i]] = true;
          queue[tail++] = nbrs[i];
        }
      }
      if (placed[seed]) {
        continue;
      }
      placed[seed] = true;
      order[pos++] = seed;
      for (int i = 0; i < c && pos % blocksPerPage != 0; i++) {
        if (!placed[nbrs[i]]) {
          placed[nbrs[i]] = true;
          order[pos++] = nbrs[i];
        }
      }
    }
    return order;
  }

  /** The inverse of {@code order}: {@code position[ordinal]}. */
  static int[] inverse(int[] order) {
    int[] position = new int[order.length];
    Arrays.fill(position, -1);
    for (int p = 0; p < order.length; p++) {
      position[order[p]] = p;
    }
    return position;
  }
}
