package io.quiver.quantization;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;

/**
 * A query prepared for scoring {@link BinaryQuantizer} codes: quantized to 4 bits as four bit planes, with the
 * coefficients of the estimate {@code xb.q ~ alpha pop(b) + beta sum b u + gamma}, and per centroid the metric's
 * query-side constant ({@code |q - c|^2} for L2, {@code q.c} otherwise). Shared by every layout of the records.
 */
final class BinaryQuery {
  final long[] planes;
  final float alpha;
  final float beta;
  final float gamma;
  final float[] constant;

  /** {@code q} already prepared for the metric ({@link Quantizers#prepare}). */
  BinaryQuery(float[] q, float[][] centroids, Metric metric) {
    int dim = q.length;
    int words = (dim + 63) >>> 6;
    float invSqrtDim = (float) (1 / Math.sqrt(dim));
    planes = new long[4 * words];
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float x : q) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    float delta = hi > lo ? (hi - lo) / 15f : 0f;
    float invDelta = delta > 0 ? 1f / delta : 0f;
    long sumU = 0;
    for (int i = 0; i < dim; i++) {
      int u = Math.max(0, Math.min(15, Math.round((q[i] - lo) * invDelta)));
      sumU += u;
      int word = i >>> 6;
      long bit = 1L << (i & 63);
      for (int j = 0; j < 4; j++) {
        planes[4 * word + j] |= -(long) (u >>> j & 1) & bit;
      }
    }
    alpha = 2 * lo * invSqrtDim;
    beta = 2 * delta * invSqrtDim;
    gamma = -(dim * lo + delta * sumU) * invSqrtDim;
    // every centroid's constant up front: a walk or scan reaches nearly all of them, and computing them lazily
    // inside score() measured at a third of a binary search's time (the call there defeated the JIT)
    constant = new float[centroids.length];
    for (int cid = 0; cid < centroids.length; cid++) {
      constant[cid] = metric == Metric.L2 ? VectorUtil.squareDistance(q, centroids[cid])
          : VectorUtil.dot(q, centroids[cid]);
    }
  }
}
