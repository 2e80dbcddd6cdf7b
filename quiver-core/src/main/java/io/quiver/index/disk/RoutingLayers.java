package io.quiver.index.disk;

import io.quiver.index.IndexFiles;
import io.quiver.storage.CorruptFileException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The routing layers of a disk index, held in RAM: per layer its nodes (ascending), offsets into its neighbour array
 * and that array (compressed sparse rows). A node's position on a layer is found by binary search: the layers are
 * small (HNSW puts a fraction 1/M of the nodes on layer 1), so this costs less RAM than a table per node.
 */
final class RoutingLayers {
  static final RoutingLayers NONE = new RoutingLayers(new int[0][], new int[0][], new int[0][]);

  private final int[][] nodes;
  private final int[][] offsets;
  private final int[][] neighbours;

  private RoutingLayers(int[][] nodes, int[][] offsets, int[][] neighbours) {
    this.nodes = nodes;
    this.offsets = offsets;
    this.neighbours = neighbours;
  }

  /** Reads the section written by {@link DiskIndexWriter}, checking every count and neighbour against {@code count}. */
  static RoutingLayers read(MemorySegment seg, long offset, long length, int expectedLayers, int count, Path file)
      throws CorruptFileException {
    long end = offset + length;
    long at = offset;
    if (length < 4) {
      throw new CorruptFileException(file, "routing section of " + length + " bytes");
    }
    int layers = seg.get(IndexFiles.LE_INT, at);
    at += 4;
    if (layers != expectedLayers) {
      throw new CorruptFileException(file, "routing section has " + layers + " layers, header says "
          + expectedLayers);
    }
    int[][] nodes = new int[layers][];
    int[][] offsets = new int[layers][];
    int[][] nbrs = new int[layers][];
    for (int l = 0; l < layers; l++) {
      if (at + 4 > end) {
        throw new CorruptFileException(file, "routing section truncated at layer " + (l + 1));
      }
      int n = seg.get(IndexFiles.LE_INT, at);
      at += 4;
      if (n < 1 || n > count || at + 8L * n + 4 > end) {
        throw new CorruptFileException(file, "routing layer " + (l + 1) + " claims " + n + " nodes");
      }
      nodes[l] = ints(seg, at, n);
      at += 4L * n;
      offsets[l] = ints(seg, at, n + 1);
      at += 4L * (n + 1);
      int total = offsets[l][n];
      if (offsets[l][0] != 0 || total < 0 || at + 4L * total > end) {
        throw new CorruptFileException(file, "routing layer " + (l + 1) + " neighbour offsets out of range");
      }
      nbrs[l] = ints(seg, at, total);
      at += 4L * total;
      for (int i = 0; i < n; i++) {
        if (nodes[l][i] < 0 || nodes[l][i] >= count || (i > 0 && nodes[l][i] <= nodes[l][i - 1])
            || offsets[l][i + 1] < offsets[l][i]) {
          throw new CorruptFileException(file, "routing layer " + (l + 1) + " is not sorted or out of range");
        }
      }
      for (int nb : nbrs[l]) {
        if (nb < 0 || nb >= count) {
          throw new CorruptFileException(file, "routing layer " + (l + 1) + " links to node " + nb + " of " + count);
        }
      }
    }
    if (at != end) {
      throw new CorruptFileException(file, "routing section has " + (end - at) + " trailing bytes");
    }
    return new RoutingLayers(nodes, offsets, nbrs);
  }

  private static int[] ints(MemorySegment seg, long at, int n) {
    int[] a = new int[n];
    MemorySegment.copy(seg, IndexFiles.LE_INT, at, a, 0, n);
    return a;
  }

  int layers() {
    return nodes.length;
  }

  /** The nodes on {@code layer} (1-based), ascending; the caller must not change the array. */
  int[] nodesOn(int layer) {
    return nodes[layer - 1];
  }

  /** Most neighbours a node has on {@code layer} (1-based). */
  int maxDegree(int layer) {
    int[] off = offsets[layer - 1];
    int max = 0;
    for (int i = 0; i + 1 < off.length; i++) {
      max = Math.max(max, off[i + 1] - off[i]);
    }
    return max;
  }

  /** Neighbours of {@code node} on {@code layer} (1-based) into {@code out}; 0 when the node is not on it. */
  int neighbours(int layer, int node, int[] out) {
    int[] ns = nodes[layer - 1];
    int i = Arrays.binarySearch(ns, node);
    if (i < 0) {
      return 0;
    }
    int from = offsets[layer - 1][i];
    int c = offsets[layer - 1][i + 1] - from;
    System.arraycopy(neighbours[layer - 1], from, out, 0, Math.min(c, out.length));
    return Math.min(c, out.length);
  }

  long ramBytes() {
    long b = 0;
    for (int l = 0; l < nodes.length; l++) {
      b += 4L * (nodes[l].length + offsets[l].length + neighbours[l].length) + 3 * 16;
    }
    return b;
  }
}
