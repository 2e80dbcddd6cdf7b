package io.quiver.index.hnsw;

import io.quiver.index.disk.DiskGraphSource;
import java.util.Arrays;

/**
 * An HNSW index's graph as the disk index writer reads it: level 0 is the disk graph, levels 1..top the routing
 * layers. Read it only when no insert or repair is running (the writer reads a finished build).
 */
final class HnswGraphSource implements DiskGraphSource {
  private final OnHeapHnswGraph graph;
  private final int size;
  private final OnHeapHnswGraph.Entry entry;

  HnswGraphSource(OnHeapHnswGraph graph, int size) {
    this.graph = graph;
    this.size = size;
    this.entry = graph.entry;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int maxDegree() {
    return graph.maxConn0;
  }

  @Override
  public int entryNode() {
    return entry == null ? 0 : entry.node();
  }

  @Override
  public int routingLayers() {
    return entry == null ? 0 : entry.level();
  }

  @Override
  public int[] nodesOn(int layer) {
    if (layer < 1 || layer > routingLayers()) {
      throw new IllegalArgumentException("no routing layer " + layer + " (layers 1.." + routingLayers() + ")");
    }
    int[] nodes = new int[64];
    int n = 0;
    for (int node = 0; node < size; node++) {
      if (graph.levelOf(node) >= layer) {
        if (n == nodes.length) {
          nodes = Arrays.copyOf(nodes, n * 2);
        }
        nodes[n++] = node;
      }
    }
    return Arrays.copyOf(nodes, n);
  }

  @Override
  public int neighbours(int layer, int node, int[] out) {
    if (layer > 0 && graph.levelOf(node) < layer) {
      return 0;
    }
    return graph.neighbors(node, layer, out);
  }
}
