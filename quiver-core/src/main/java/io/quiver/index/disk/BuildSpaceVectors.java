package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.VectorSource;

/**
 * A copy of a {@link VectorSource} in the space a graph is built in, in large {@code float[]} pages with a fixed
 * stride per vector, so that distances read a page and an offset instead of calling the source.
 *
 * <p><b>Build space.</b> Every metric but L1 is built on squared L2: L2 as given; COSINE on the normalised vectors
 * (there squared L2 is 2 (1 - cos), so the order and the ratios RobustPrune compares are cosine's); DOT on the vectors
 * augmented with the coordinate sqrt(phi^2 - |x|^2), phi the largest norm of the source, as {@code HnswIndex} builds
 * it. There squared L2 to a query augmented with 0 is |q|^2 + phi^2 - 2 q.x: ranking by it is ranking by -q.x, while
 * the graph is built on a true metric (inner product is not one, and Vamana's pruning routes poorly on it). L1 is
 * built on L1.
 */
final class BuildSpaceVectors {
  private static final int TARGET_PAGE_FLOATS = 1 << 24;

  private final int size;
  private final int dim;
  private final boolean l1;
  private final int shift;
  private final int mask;
  private final float[][] pages;

  private BuildSpaceVectors(int size, int dim, boolean l1) {
    this.size = size;
    this.dim = dim;
    this.l1 = l1;
    int perPage = Integer.highestOneBit(Math.max(1, TARGET_PAGE_FLOATS / dim));
    this.shift = Integer.numberOfTrailingZeros(perPage);
    this.mask = perPage - 1;
    int pageCount = (int) (((long) size + perPage - 1) >>> shift);
    this.pages = new float[pageCount][];
    for (int p = 0; p < pageCount; p++) {
      int inPage = Math.min(perPage, size - (p << shift));
      pages[p] = new float[inPage * dim];
    }
  }

  /**
   * Copies {@code source} into the build space of {@code metric}.
   *
   * @throws IllegalArgumentException when a vector has the wrong length or a non-finite component
   */
  static BuildSpaceVectors copyOf(VectorSource source, Metric metric) {
    int n = source.size();
    int srcDim = source.dimension();
    boolean mips = metric == Metric.DOT;
    BuildSpaceVectors out = new BuildSpaceVectors(n, mips ? srcDim + 1 : srcDim, metric == Metric.L1);
    double maxSquaredNorm = 0;
    for (int i = 0; i < n; i++) {
      float[] v = source.vector(i);
      if (v == null || v.length != srcDim) {
        throw new IllegalArgumentException("vector " + i + " has length " + (v == null ? "null" : v.length)
            + ", expected the source's dimension " + srcDim);
      }
      float[] page = out.page(i);
      int off = out.offset(i);
      double squaredNorm = 0;
      for (int d = 0; d < srcDim; d++) {
        float x = v[d];
        if (!Float.isFinite(x)) {
          throw new IllegalArgumentException("vector " + i + " has a non-finite component at " + d + ": " + x);
        }
        page[off + d] = x;
        squaredNorm += (double) x * x;
      }
      if (metric == Metric.COSINE && squaredNorm > 0) {
        float inv = (float) (1 / Math.sqrt(squaredNorm));
        for (int d = 0; d < srcDim; d++) {
          page[off + d] *= inv;
        }
      }
      if (mips) {
        page[off + srcDim] = (float) squaredNorm; // replaced by the augmenting coordinate below
        maxSquaredNorm = Math.max(maxSquaredNorm, squaredNorm);
      }
    }
    if (mips) {
      for (int i = 0; i < n; i++) {
        float[] page = out.page(i);
        int at = out.offset(i) + srcDim;
        page[at] = (float) Math.sqrt(Math.max(0, maxSquaredNorm - page[at]));
      }
    }
    return out;
  }

  int size() {
    return size;
  }

  /** Floats per vector in the build space (the source's dimension, plus one for DOT). */
  int dimension() {
    return dim;
  }

  float[] page(int node) {
    return pages[node >>> shift];
  }

  int offset(int node) {
    return (node & mask) * dim;
  }

  /** Copies vector {@code node} into {@code out[0..dimension())}. */
  void copy(int node, float[] out) {
    System.arraycopy(page(node), offset(node), out, 0, dim);
  }

  /** Build-space distance between {@code q[0..dimension())} and {@code node}. */
  float distance(float[] q, int node) {
    return l1
        ? VectorUtil.l1Distance(q, 0, page(node), offset(node), dim)
        : VectorUtil.squareDistance(q, 0, page(node), offset(node), dim);
  }

  /** Build-space distance between two nodes. */
  float distance(int a, int b) {
    return l1
        ? VectorUtil.l1Distance(page(a), offset(a), page(b), offset(b), dim)
        : VectorUtil.squareDistance(page(a), offset(a), page(b), offset(b), dim);
  }

  /**
   * Distances from {@code q} to {@code nodes[0..count)} into {@code out}, four at a time for squared L2: a graph walk
   * is bound by memory latency and four vectors read side by side keep four cache misses in flight.
   */
  void distances(float[] q, int[] nodes, int count, float[] out, float[] four) {
    int j = 0;
    if (!l1) {
      for (; j + 4 <= count; j += 4) {
        int a = nodes[j];
        int b = nodes[j + 1];
        int c = nodes[j + 2];
        int d = nodes[j + 3];
        VectorUtil.squareDistance4(q, page(a), offset(a), page(b), offset(b), page(c), offset(c), page(d),
            offset(d), dim, four);
        out[j] = four[0];
        out[j + 1] = four[1];
        out[j + 2] = four[2];
        out[j + 3] = four[3];
      }
    }
    for (; j < count; j++) {
      out[j] = distance(q, nodes[j]);
    }
  }

  long ramBytesUsed() {
    return 4L * size * dim;
  }
}
