package io.quiver.index.hnsw;

import io.quiver.index.disk.DiskGraphSource;
import java.util.stream.IntStream;

/** An {@link HnswIndex}'s levels seen as a {@link DiskGraphSource}, for tests that compare graph builders. */
public final class HnswLayersSource implements DiskGraphSource {
  private final HnswIndex index;
  private final int size;
  private final int top;

  /** Over an index holding ordinals {@code 0..size-1}, with no insert running. */
  public HnswLayersSource(HnswIndex index, int size) {
    this.index = index;
    this.size = size;
    this.top = index.entryPoint().level();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int maxDegree() {
    return index.config().maxConnections(0);
  }

  @Override
  public int entryNode() {
    return index.entryPoint().node();
  }

  @Override
  public int routingLayers() {
    return top;
  }

  @Override
  public int[] nodesOn(int layer) {
    return IntStream.range(0, size).filter(n -> index.levelOf(n) >= layer).toArray();
  }

  @Override
  public int neighbours(int layer, int node, int[] out) {
    return index.neighbors(node, layer, out);
  }
}
