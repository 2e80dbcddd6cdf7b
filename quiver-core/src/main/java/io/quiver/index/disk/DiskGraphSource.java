package io.quiver.index.disk;

/**
 * A finished proximity graph as the disk index writer reads it: the bottom layer, which every node has and which is
 * written to disk, and optional routing layers above it (HNSW's upper levels), which the index keeps in RAM. Node
 * {@code i} is the vector with ordinal {@code i} of the source the graph was built over.
 *
 * <p>Implementations: {@code HnswIndex.graphSource()} (an HNSW index's levels) and {@link VamanaGraph} (no routing layers; the
 * entry is the medoid).
 */
public interface DiskGraphSource {

  /** Number of nodes; ordinals are {@code 0..size()-1}. */
  int size();

  /** Most neighbours a bottom-layer node has. */
  int maxDegree();

  /** The node every search starts from: on the top routing layer, or the bottom layer when there is none. */
  int entryNode();

  /** Number of routing layers above the bottom one (0 for none); layer {@code l} is in {@code 1..routingLayers()}. */
  int routingLayers();

  /** The nodes present on routing layer {@code layer} ({@code 1..routingLayers()}), ascending. */
  int[] nodesOn(int layer);

  /**
   * Copies the neighbours of {@code node} on {@code layer} (0 for the bottom layer) into {@code out}, which has room
   * for {@link #maxDegree()} entries; returns how many.
   */
  int neighbours(int layer, int node, int[] out);
}
