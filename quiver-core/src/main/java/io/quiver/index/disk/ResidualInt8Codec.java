package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The int8 record a disk block holds: the vector's residual from its nearest coarse centroid (the RAM codes'
 * centroids), scaled per vector so its largest coordinate maps to 127. On clustered data the residual spans the
 * within-cluster spread only, so the steps are far finer than one global int8 range (measured on 20 isotropic clusters
 * at dim 128: distances to a query's true neighbours off by about 2% with a global per-dimension int8 range, which
 * is the spread between the 1st and the 50th neighbour there).
 *
 * <p><b>Record</b> ({@code dim + 13} bytes): {@code dim} signed bytes {@code k[i] = round(r[i] / s)}, then
 * little-endian floats {@code s}, {@code |r~|^2} and {@code r~.c} (with {@code r~ = s k}), then the centroid's index.
 * With {@code x~ = c + r~}: L2 {@code |q - x~|^2 = |q - c|^2 - 2 (s q.k - r~.c) + |r~|^2}, DOT {@code -(q.c + s q.k)},
 * COSINE {@code 1 - (q.c + s q.k)}. One float-by-int8 dot product per record; the per-centroid query terms are
 * computed once per query.
 */
final class ResidualInt8Codec {
  private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private final Metric metric;
  private final int dim;
  private final float[][] centroids;

  ResidualInt8Codec(Metric metric, float[][] centroids) {
    this.metric = metric;
    this.dim = centroids[0].length;
    this.centroids = centroids;
  }

  int bytesPerVector() {
    return dim + 13;
  }

  /** Encodes {@code v} (normalised first for COSINE) at {@code dst[off..]}. */
  void encode(float[] v, byte[] dst, int off) {
    float[] x = v;
    if (metric.normalizes()) {
      x = v.clone();
      VectorUtil.normalize(x);
    }
    int best = 0;
    float bestD = Float.POSITIVE_INFINITY;
    for (int j = 0; j < centroids.length; j++) {
      float d = VectorUtil.squareDistance(x, centroids[j]);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    float[] c = centroids[best];
    float max = 0;
    for (int i = 0; i < dim; i++) {
      max = Math.max(max, Math.abs(x[i] - c[i]));
    }
    float s = max / 127f;
    double norm2 = 0;
    double dotC = 0;
    for (int i = 0; i < dim; i++) {
      int k = s == 0 ? 0 : Math.round((x[i] - c[i]) / s);
      k = Math.max(-127, Math.min(127, k));
      dst[off + i] = (byte) k;
      float r = s * k;
      norm2 += (double) r * r;
      dotC += (double) r * c[i];
    }
    FLOATS.set(dst, off + dim, s);
    FLOATS.set(dst, off + dim + 4, (float) norm2);
    FLOATS.set(dst, off + dim + 8, (float) dotC);
    dst[off + dim + 12] = (byte) best;
  }

  /** A scorer of one (prepared) query; not thread-safe. */
  Scorer scorer(float[] q) {
    return new Scorer(q);
  }

  final class Scorer {
    private final float[] q;
    /** Per centroid: |q - c|^2 for L2, q.c otherwise. */
    private final float[] centroidTerm;

    Scorer(float[] q) {
      this.q = q;
      this.centroidTerm = new float[centroids.length];
      for (int j = 0; j < centroids.length; j++) {
        centroidTerm[j] = metric == Metric.L2 ? VectorUtil.squareDistance(q, centroids[j])
            : VectorUtil.dot(q, centroids[j]);
      }
    }

    /** Estimated distance to the record at {@code codes[off..]}. */
    float score(byte[] codes, int off) {
      float qk = dotFloatInt8(q, codes, off, dim);
      float s = (float) FLOATS.get(codes, off + dim);
      int cid = codes[off + dim + 12] & 0xff;
      float qr = s * qk;
      return switch (metric) {
        case L2 -> centroidTerm[cid] - 2 * (qr - (float) FLOATS.get(codes, off + dim + 8))
            + (float) FLOATS.get(codes, off + dim + 4);
        case DOT -> -(centroidTerm[cid] + qr);
        case COSINE -> 1 - (centroidTerm[cid] + qr);
        case L1 -> throw new IllegalStateException("L1 is not supported");
      };
    }
  }

  /** {@code sum q[i] * k[i]} over the int8 codes at {@code codes[off..off + len)}; four partial sums. */
  static float dotFloatInt8(float[] q, byte[] codes, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len - 3; i < upper; i += 4) {
      s0 += q[i] * codes[off + i];
      s1 += q[i + 1] * codes[off + i + 1];
      s2 += q[i + 2] * codes[off + i + 2];
      s3 += q[i + 3] * codes[off + i + 3];
    }
    for (; i < len; i++) {
      s0 += q[i] * codes[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
