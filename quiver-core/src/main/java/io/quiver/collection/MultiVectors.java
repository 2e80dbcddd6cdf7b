package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Multi-vectors as Quiver passes them: one array holding a point's vectors of a field back to back (a non-empty
 * whole multiple of the field's size), and MaxSim over them. The similarity of two vectors is the dot product for
 * DOT and COSINE (cosine vectors are stored and queried normalized) and the negated distance for L2 (Euclidean,
 * not squared) and L1, so a larger MaxSim is always better.
 */
public final class MultiVectors {
  /** Largest number of vectors in one multi-vector; bounds a log record and a MaxSim evaluation. */
  public static final int MAX_VECTORS = 8_192;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private MultiVectors() {}

  /** The concatenation of {@code vectors} (each of the same length): the form points and queries take. */
  public static float[] flatten(float[][] vectors) {
    if (vectors.length == 0) {
      return new float[0];
    }
    int dim = vectors[0].length;
    float[] out = new float[vectors.length * dim];
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i].length != dim) {
        throw new IllegalArgumentException("vector " + i + " has " + vectors[i].length + " components, vector 0 has "
            + dim);
      }
      System.arraycopy(vectors[i], 0, out, i * dim, dim);
    }
    return out;
  }

  /** {@code flat} cut into vectors of {@code dim}. */
  public static float[][] split(float[] flat, int dim) {
    float[][] out = new float[flat.length / dim][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
    }
    return out;
  }

  /**
   * What is wrong with {@code flat} as a multi-vector of {@code params} (non-empty, a whole number of vectors of
   * the field's size, at most {@link #MAX_VECTORS}, finite components, no zero vector under cosine), or null.
   */
  static String problem(float[] flat, VectorParams params) {
    int dim = params.size();
    if (flat == null || flat.length == 0) {
      return "a multi-vector needs at least one vector";
    }
    if (flat.length % dim != 0) {
      return "a multi-vector's vectors must each have the field's size " + dim + "; got " + flat.length
          + " components in all";
    }
    if (flat.length / dim > MAX_VECTORS) {
      return "a multi-vector holds at most " + MAX_VECTORS + " vectors, got " + flat.length / dim;
    }
    for (int i = 0; i < flat.length; i++) {
      if (!Float.isFinite(flat[i])) {
        return "vector " + i / dim + " component " + i % dim + " is " + flat[i] + "; only finite values are allowed";
      }
    }
    if (params.metric() == Metric.COSINE) {
      for (int v = 0; v < flat.length / dim; v++) {
        if (VectorUtil.dot(flat, v * dim, flat, v * dim, dim) == 0f) {
          return "vector " + v + " is zero and has no cosine direction";
        }
      }
    }
    return null;
  }

  /** A copy of a checked multi-vector as stored: each vector normalized for cosine. */
  static float[] prepared(float[] flat, VectorParams params) {
    float[] copy = flat.clone();
    if (params.metric().normalizes()) {
      int dim = params.size();
      float[] one = new float[dim];
      for (int v = 0; v < copy.length / dim; v++) {
        System.arraycopy(copy, v * dim, one, 0, dim);
        VectorUtil.normalize(one);
        System.arraycopy(one, 0, copy, v * dim, dim);
      }
    }
    return copy;
  }

  /** MaxSim of query {@code q} against document {@code d} (both prepared, flat, vectors of {@code dim}). */
  public static float maxSim(float[] q, float[] d, int dim, Metric metric) {
    return maxSim(q, d, 0, d.length / dim, dim, metric);
  }

  /** MaxSim of {@code q} against the {@code n} vectors of {@code dim} at {@code d[off..]}. */
  static float maxSim(float[] q, float[] d, int off, int n, int dim, Metric metric) {
    float sum = 0f;
    for (int qo = 0; qo < q.length; qo += dim) {
      float best = Float.NEGATIVE_INFINITY;
      for (int j = 0, o = off; j < n; j++, o += dim) {
        float s = similarity(q, qo, d, o, dim, metric);
        if (s > best) {
          best = s;
        }
      }
      sum += best;
    }
    return sum;
  }

  private static float similarity(float[] a, int ao, float[] b, int bo, int dim, Metric metric) {
    return switch (metric) {
      case DOT, COSINE -> VectorUtil.dot(a, ao, b, bo, dim);
      case L2 -> (float) -Math.sqrt(VectorUtil.squareDistance(a, ao, b, bo, dim));
      case L1 -> -VectorUtil.l1Distance(a, ao, b, bo, dim);
    };
  }

  /**
   * Checks multi-vector field names against the one-vector and sparse ones: the name pattern, distinct names, and the
   * unnamed field standing alone.
   */
  static void checkFields(Map<String, VectorParams> multi, Map<String, VectorParams> single,
      Map<String, SparseVectorParams> sparse) {
    for (String name : multi.keySet()) {
      if (!name.equals(CollectionConfig.DEFAULT_VECTOR) && !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("vector name '" + name + "' must match " + NAME.pattern());
      }
      if (single.containsKey(name) || sparse.containsKey(name)) {
        throw new IllegalArgumentException("'" + name + "' names both a multi-vector and another vector field");
      }
    }
    boolean unnamed = multi.containsKey(CollectionConfig.DEFAULT_VECTOR)
        || single.containsKey(CollectionConfig.DEFAULT_VECTOR);
    if (unnamed && multi.size() + single.size() > 1) {
      throw new IllegalArgumentException("the unnamed vector cannot be combined with named vectors");
    }
  }
}
