package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import java.util.Objects;

/**
 * A Vamana graph (DiskANN's build): one layer, entered at the medoid, every node with at most R out-neighbours chosen
 * by RobustPrune. Build with {@link #build}; the work is done by {@link VamanaBuilder}.
 *
 * <p><b>Metrics.</b> L2 and L1 are built as given, COSINE on the normalised vectors, and DOT in the space where
 * maximum inner product becomes Euclidean (each vector gains the coordinate sqrt(phi^2 - |x|^2), phi the largest norm),
 * as {@code HnswIndex} builds it: a search ranking by -q.x walks this graph as an L2 search for the augmented query.
 * See {@link BuildSpaceVectors}.
 *
 * <p><b>Memory.</b> The lists are one flat {@code int[]} with R slots per node and a count per node: 4 (R + 1) bytes
 * per node. The build also holds a copy of the vectors in the build space and, per thread, two ints per node of seen
 * marks.
 */
public final class VamanaGraph implements DiskGraphSource {
  private final int size;
  private final int maxDegree;
  private final int medoid;
  /** Node i's neighbours are {@code adjacency[i * maxDegree .. i * maxDegree + degrees[i])}. */
  private final int[] adjacency;
  private final int[] degrees;

  private VamanaGraph(int size, int maxDegree, int medoid, int[] adjacency, int[] degrees) {
    this.size = size;
    this.maxDegree = maxDegree;
    this.medoid = medoid;
    this.adjacency = adjacency;
    this.degrees = degrees;
  }

  /**
   * Builds the graph over {@code vectors} (node i is vector i).
   *
   * @param metric the distance the graph serves
   * @param maxDegree R: most out-neighbours per node, in [2, 512]
   * @param listSize L: the candidate list of the build's greedy searches, at least 1
   * @param alpha the second pass's RobustPrune slack, in [1, 2] (the first pass uses 1). As in DiskANN it bounds a
   *     ratio of build-space distances, squared L2 for all metrics but L1: DiskANN's alpha 1.2 is 1.2 here, while
   *     {@code HnswConfig}'s alpha bounds a ratio of true distances (1.2 there is 1.44 here)
   * @param threads build threads, at least 1; with 1 the graph is a function of the inputs and the seed
   * @param seed seed of the initial random graph and of the order of both passes
   * @param progress told (done, total) as the two passes go (total = 2 n)
   * @throws IllegalArgumentException on a parameter out of range, an empty source, or a vector of the wrong length or
   *     with a non-finite component
   */
  public static VamanaGraph build(VectorSource vectors, Metric metric, int maxDegree, int listSize, float alpha,
      int threads, long seed, BuildProgress progress) {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(progress, "progress");
    if (maxDegree < 2 || maxDegree > 512) {
      throw new IllegalArgumentException("maxDegree must be in [2, 512], got " + maxDegree);
    }
    if (listSize < 1) {
      throw new IllegalArgumentException("listSize must be >= 1, got " + listSize);
    }
    if (!(alpha >= 1f && alpha <= 2f)) {
      throw new IllegalArgumentException("alpha must be in [1, 2], got " + alpha);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (vectors.size() < 1) {
      throw new IllegalArgumentException("cannot build a graph over no vectors");
    }
    if (vectors.dimension() < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + vectors.dimension());
    }
    BuildSpaceVectors space = BuildSpaceVectors.copyOf(vectors, metric);
    VamanaBuilder builder = new VamanaBuilder(space, maxDegree, listSize, alpha, threads, seed, progress);
    int medoid = builder.build();
    int[] degrees = new int[space.size()];
    int[] adjacency = builder.flatten(degrees);
    return new VamanaGraph(space.size(), maxDegree, medoid, adjacency, degrees);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int maxDegree() {
    return maxDegree;
  }

  /** The medoid. */
  @Override
  public int entryNode() {
    return medoid;
  }

  @Override
  public int routingLayers() {
    return 0;
  }

  /** Always throws: a Vamana graph has no routing layers. */
  @Override
  public int[] nodesOn(int layer) {
    throw new IllegalArgumentException("a Vamana graph has no routing layers, asked for layer " + layer);
  }

  @Override
  public int neighbours(int layer, int node, int[] out) {
    if (layer != 0) {
      throw new IllegalArgumentException("a Vamana graph has only layer 0, asked for layer " + layer);
    }
    Objects.checkIndex(node, size);
    int count = degrees[node];
    System.arraycopy(adjacency, node * maxDegree, out, 0, count);
    return count;
  }

  /** Heap bytes of the lists and counts. */
  public long ramBytesUsed() {
    return 4L * adjacency.length + 4L * degrees.length;
  }
}
