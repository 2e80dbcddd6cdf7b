package io.quiver.testing;

import io.quiver.distance.Metric;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/** Data generators and a brute-force reference in double precision, independent of the code under test. */
public final class TestVectors {
  private TestVectors() {}

  /** {@code n} vectors around {@code clusters} Gaussian centres, the shape real embeddings have. */
  public static float[][] clustered(Random rnd, int n, int dim, int clusters) {
    return around(rnd, centres(rnd, clusters, dim), n);
  }

  /** {@code clusters} random centres for {@link #around}: spread with deviation 2 per coordinate. */
  public static float[][] centres(Random rnd, int clusters, int dim) {
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) (rnd.nextGaussian() * 2.0);
      }
    }
    return centres;
  }

  /**
   * {@code n} vectors, each near a centre drawn at random (deviation 0.5 per coordinate). Queries drawn around the
   * data's own centres look like a real workload's; queries around other centres sit between the clusters, the
   * hard case for graph search.
   */
  public static float[][] around(Random rnd, float[][] centres, int n) {
    int dim = centres[0].length;
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[rnd.nextInt(centres.length)];
      for (int d = 0; d < dim; d++) {
        out[i][d] = c[d] + (float) (rnd.nextGaussian() * 0.5);
      }
    }
    return out;
  }

  public static float[] randomVector(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) (rnd.nextGaussian());
    }
    return v;
  }

  /** Reference distance in double precision with Quiver's convention (lower is closer). */
  public static double distance(Metric metric, float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      double d = (double) a[i] - b[i];
      l2 += d * d;
      l1 += Math.abs(d);
    }
    return switch (metric) {
      case L2 -> l2;
      case DOT -> -dot;
      case COSINE -> (na == 0 || nb == 0) ? 1.0 : 1.0 - dot / Math.sqrt(na * nb);
      case L1 -> l1;
    };
  }

  /** Exact top-k ids among {@code base} rows that {@code accept} admits. */
  public static int[] exactTopK(Metric metric, float[][] base, float[] q, int k, IntPredicate accept) {
    return IntStream.range(0, base.length)
        .filter(accept)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> distance(metric, base[i], q)).thenComparingInt(i -> i))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /** |found ∩ truth| / |truth|. */
  public static double recall(int[] found, int[] truth) {
    if (truth.length == 0) {
      return 1.0;
    }
    int[] sorted = found.clone();
    Arrays.sort(sorted);
    int hits = 0;
    for (int t : truth) {
      if (Arrays.binarySearch(sorted, t) >= 0) {
        hits++;
      }
    }
    return hits / (double) truth.length;
  }
}
