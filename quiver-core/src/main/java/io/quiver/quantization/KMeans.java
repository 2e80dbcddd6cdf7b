package io.quiver.quantization;

import io.quiver.distance.VectorUtil;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Seeded k-means over rows of a flat {@code float[n * dim]}: k-means++ initialisation, then Lloyd iterations. An
 * empty cluster is re-seeded with the point currently farthest from its centroid (which splits the worst-fitting
 * cluster), so every centroid stays in use while there are at least {@code k} distinct points.
 */
final class KMeans {

  private KMeans() {}

  /** Returns {@code k * dim} centroids; {@code k <= n}. */
  static float[] cluster(float[] data, int n, int dim, int k, int iterations, Random rnd) {
    if (k > n || k <= 0) {
      throw new IllegalArgumentException("k must be in [1, n]: k " + k + ", n " + n);
    }
    float[] centroids = new float[k * dim];
    // k-means++: each next centre drawn with probability proportional to its squared distance to the nearest one.
    float[] nearest = new float[n];
    int first = rnd.nextInt(n);
    System.arraycopy(data, first * dim, centroids, 0, dim);
    double total = 0;
    for (int i = 0; i < n; i++) {
      nearest[i] = VectorUtil.squareDistance(data, i * dim, centroids, 0, dim);
      total += nearest[i];
    }
    for (int c = 1; c < k; c++) {
      int pick;
      if (total <= 0) {
        pick = rnd.nextInt(n);
      } else {
        double target = rnd.nextDouble() * total;
        pick = n - 1;
        for (int i = 0; i < n; i++) {
          target -= nearest[i];
          if (target < 0) {
            pick = i;
            break;
          }
        }
      }
      System.arraycopy(data, pick * dim, centroids, c * dim, dim);
      total = 0;
      for (int i = 0; i < n; i++) {
        float d = VectorUtil.squareDistance(data, i * dim, centroids, c * dim, dim);
        if (d < nearest[i]) {
          nearest[i] = d;
        }
        total += nearest[i];
      }
    }
    int[] assign = new int[n];
    double[] sums = new double[k * dim];
    int[] counts = new int[k];
    for (int it = 0; it < iterations; it++) {
      boolean changed = assign(data, n, dim, centroids, k, assign, nearest) || it == 0;
      Arrays.fill(sums, 0);
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        int c = assign[i];
        counts[c]++;
        for (int d = 0; d < dim; d++) {
          sums[c * dim + d] += data[i * dim + d];
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) {
          int far = 0;
          for (int i = 1; i < n; i++) {
            if (nearest[i] > nearest[far]) {
              far = i;
            }
          }
          System.arraycopy(data, far * dim, centroids, c * dim, dim);
          nearest[far] = 0;
          changed = true;
        } else {
          for (int d = 0; d < dim; d++) {
            centroids[c * dim + d] = (float) (sums[c * dim + d] / counts[c]);
          }
        }
      }
      if (!changed) {
        break;
      }
    }
    return centroids;
  }

  /** Rows per parallel task of {@link #assign}: each row is independent, so the result does not depend on threads. */
  private static final int ASSIGN_CHUNK = 1024;

  /** Assigns each row to its nearest centroid, in parallel chunks; returns whether any assignment changed. */
  private static boolean assign(float[] data, int n, int dim, float[] centroids, int k, int[] assign,
      float[] nearest) {
    int chunks = (n + ASSIGN_CHUNK - 1) / ASSIGN_CHUNK;
    IntStream range = IntStream.range(0, chunks);
    // small problems stay on the caller's thread: forking costs more than it saves
    return ((long) n * k * dim > 4_000_000L ? range.parallel() : range).map(chunk -> {
      boolean changed = false;
      for (int i = chunk * ASSIGN_CHUNK, end = Math.min(n, i + ASSIGN_CHUNK); i < end; i++) {
        int best = nearestCentroid(data, i * dim, dim, centroids, k);
        nearest[i] = VectorUtil.squareDistance(data, i * dim, centroids, best * dim, dim);
        if (best != assign[i]) {
          assign[i] = best;
          changed = true;
        }
      }
      return changed ? 1 : 0;
    }).sum() > 0;
  }

  static int nearestCentroid(float[] v, int off, int dim, float[] centroids, int k) {
    int best = 0;
    float bestD = Float.POSITIVE_INFINITY;
    if (dim < 16) { // PQ sub-spaces: a plain loop beats a SIMD kernel call on a few floats (PQ x16 at 384-d: 4)
      for (int c = 0, at = 0; c < k; c++, at += dim) {
        float d = 0;
        for (int t = 0; t < dim; t++) {
          float diff = v[off + t] - centroids[at + t];
          d += diff * diff;
        }
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      return best;
    }
    for (int c = 0; c < k; c++) {
      float d = VectorUtil.squareDistance(v, off, centroids, c * dim, dim);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best;
  }
}
