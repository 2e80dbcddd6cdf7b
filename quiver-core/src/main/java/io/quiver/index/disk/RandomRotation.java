package io.quiver.index.disk;

import io.quiver.distance.VectorUtil;
import java.util.SplittableRandom;

/**
 * A random orthogonal matrix applied to vectors and queries before they are coded, as RaBitQ does. Distances and dot
 * products do not change, but a residual whose energy sits in a few coordinates (embeddings of a cluster spread along
 * a low-dimensional subspace) is spread evenly over all of them, which is what a 1-bit sign code and a per-vector int8
 * scale need to estimate well. Measured on 100,000 x 128 clustered-subspace vectors: see docs/benchmarks.md,
 * "Disk index".
 *
 * <p>Rows are Gram-Schmidt orthonormalised Gaussian vectors (seeded). Applying it is {@code dim} dot products.
 */
final class RandomRotation {
  private final int dim;
  /** Row-major: row {@code r} at {@code [r * dim, (r + 1) * dim)}. */
  final float[] matrix;

  RandomRotation(int dim, float[] matrix) {
    if (matrix.length != dim * dim) {
      throw new IllegalArgumentException("rotation of " + matrix.length + " entries for dimension " + dim);
    }
    this.dim = dim;
    this.matrix = matrix;
  }

  static RandomRotation random(int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    double[][] rows = new double[dim][dim];
    for (int r = 0; r < dim; r++) {
      double[] v = rows[r];
      while (true) {
        for (int i = 0; i < dim; i++) {
          v[i] = gaussian(rnd);
        }
        // two passes of Gram-Schmidt keep the rows orthogonal to double precision
        for (int pass = 0; pass < 2; pass++) {
          for (int p = 0; p < r; p++) {
            double dot = 0;
            for (int i = 0; i < dim; i++) {
              dot += v[i] * rows[p][i];
            }
            for (int i = 0; i < dim; i++) {
              v[i] -= dot * rows[p][i];
            }
          }
        }
        double norm = 0;
        for (double x : v) {
          norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 1e-6) {
          for (int i = 0; i < dim; i++) {
            v[i] /= norm;
          }
          break;
        }
      }
    }
    float[] m = new float[dim * dim];
    for (int r = 0; r < dim; r++) {
      for (int i = 0; i < dim; i++) {
        m[r * dim + i] = (float) rows[r][i];
      }
    }
    return new RandomRotation(dim, m);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** {@code R v} into a new array. */
  float[] apply(float[] v) {
    float[] out = new float[dim];
    for (int r = 0; r < dim; r++) {
      out[r] = VectorUtil.dot(matrix, r * dim, v, 0, dim);
    }
    return out;
  }

  long ramBytes() {
    return 4L * matrix.length + 16;
  }
}
