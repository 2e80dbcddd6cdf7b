package io.quiver.cli.load;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * Seeded clustered vectors made on demand, as bench-db's synthetic set: 64 Gaussian centres, each vector a centre plus
 * Gaussian noise (sd 0.35). Point {@code i} and query {@code j} depend only on the seed and their number, so batches
 * can be generated in any order and queries come from the same distribution as the points.
 */
final class SyntheticVectors {
  private static final int CLUSTERS = 64;
  private static final double SPREAD = 0.35;

  private final int dim;
  private final long seed;
  private final float[][] centres;

  SyntheticVectors(int dim, long seed) {
    this.dim = dim;
    this.seed = seed;
    Random rnd = new Random(seed);
    centres = new float[CLUSTERS][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) rnd.nextGaussian();
      }
    }
  }

  int dim() {
    return dim;
  }

  float[] point(long i) {
    return draw(new SplittableRandom(mix(seed, 2 * i)));
  }

  float[] query(long j) {
    return draw(new SplittableRandom(mix(seed, 2 * j + 1)));
  }

  private float[] draw(SplittableRandom r) {
    float[] c = centres[r.nextInt(CLUSTERS)];
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = c[d] + (float) (r.nextGaussian() * SPREAD);
    }
    return v;
  }

  /** A 64-bit finaliser (MurmurHash3's fmix64) over seed and index, so neighbouring indices get unrelated streams. */
  private static long mix(long seed, long x) {
    long z = seed * 0x9E3779B97F4A7C15L + x;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  /** Appends {@code v} as a JSON array. */
  static StringBuilder appendJson(StringBuilder sb, float[] v) {
    sb.append('[');
    for (int d = 0; d < v.length; d++) {
      if (d > 0) {
        sb.append(',');
      }
      sb.append(v[d]);
    }
    return sb.append(']');
  }
}
