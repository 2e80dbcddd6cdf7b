package io.quiver.cli.bench.disk;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded synthetic vectors shaped like embeddings: a Gaussian mixture whose clusters lie near low-dimensional
 * subspaces. Cluster c has a centre, a random orthonormal basis of r in [minRank, maxRank] directions with variances
 * decaying as 1/j^decay, a scale drawn log-normally, and small isotropic noise over all dimensions; cluster sizes
 * follow Zipf's law. Queries are drawn like the base, except a fraction placed between two clusters (a point of
 * each, mixed).
 *
 * <p>All lengths are relative to sqrt(dim) (centres are N(0, 1) per coordinate), so the geometry does not change with
 * the dimension. Vector i of the base depends only on the seed and i (each chunk of {@value #CHUNK} vectors has its
 * own generator), so any range can be generated alone and in parallel, and the result never depends on threads.
 * Isotropic clusters would be unrealistically hard for graph indexes, and clusters of few effective dimensions
 * unrealistically easy. The defaults (64 clusters whatever n, ranks 4-12, variances decaying as 1/j, spread 0.6,
 * noise 0.2, Zipf 1, a fifth of queries between clusters) hold in-RAM HNSW (M 16, efConstruction 100) at ef 64 to
 * recall@10 0.981 on 20,000 x 64 and 0.943 on 200,000 x 128 (seed 7). Measured on the way there at 200,000 x 128
 * ({@code SyntheticHardnessMeasurement}): the number of clusters growing as sqrt(n) / 2 made the data harder with n
 * (more overlapping subspaces around each point: 0.831 at 200,000 and 0.757 at 1,000,000 with ranks 8-16, decay 0.5,
 * spread 1.2, against 0.892 with 71 clusters at 200,000); the isotropic noise hardly mattered (0.831 / 0.849 / 0.855
 * at noise 0.2 / 0.1 / 0.05); ranks 4-12 with decay 1 and spread 0.6 but clusters growing as sqrt(n) / 2 gave 0.981 /
 * 0.936 / 0.885 at 20,000 / 200,000 / 1,000,000.
 */
public final class SyntheticClusters {
  /** Vectors per independently seeded chunk. */
  static final int CHUNK = 1024;

  /**
   * The shape of the mixture.
   *
   * @param clusters number of clusters; 0 picks sqrt(n) / 2, clamped to [8, 1024]
   * @param zipfExponent cluster i (from 1) has weight 1 / i^zipfExponent
   * @param minRank fewest subspace directions of a cluster
   * @param maxRank most subspace directions of a cluster
   * @param decay the variance of direction j (from 1) is proportional to 1 / j^decay
   * @param spread standard deviation along a cluster's first direction, relative to sqrt(dim)
   * @param noise standard deviation of the isotropic noise per coordinate (centres have 1)
   * @param betweenFraction share of queries placed between two clusters
   */
  public record Shape(int clusters, double zipfExponent, int minRank, int maxRank, double decay, double spread,
      double noise, double betweenFraction) {
    public static final Shape DEFAULT = new Shape(64, 1.0, 4, 12, 1.0, 0.6, 0.2, 0.2);

    public Shape {
      if (clusters < 0 || minRank < 1 || maxRank < minRank || !(zipfExponent >= 0) || !(decay >= 0)
          || !(spread > 0) || !(noise >= 0) || !(betweenFraction >= 0 && betweenFraction <= 1)) {
        throw new IllegalArgumentException("invalid synthetic data shape " + this);
      }
    }

    public Shape withNoise(double value) {
      return new Shape(clusters, zipfExponent, minRank, maxRank, decay, spread, value, betweenFraction);
    }

    public Shape withSpread(double value) {
      return new Shape(clusters, zipfExponent, minRank, maxRank, decay, value, noise, betweenFraction);
    }
  }

  private final int dim;
  private final long seed;
  private final Shape shape;
  private final float[][] centres;
  /** Per cluster, its directions scaled by their standard deviations: bases[c][j] is a dim-long vector. */
  private final float[][][] bases;
  private final double[] cumulativeWeights;

  /** A mixture for {@code n} base vectors of {@code dim} dimensions. */
  public SyntheticClusters(int n, int dim, long seed, Shape shape) {
    if (n < 1 || dim < 1) {
      throw new IllegalArgumentException("n and dim must be >= 1, got " + n + " and " + dim);
    }
    this.dim = dim;
    this.seed = seed;
    this.shape = shape;
    int clusters = shape.clusters() > 0 ? shape.clusters()
        : Math.clamp(Math.round(Math.sqrt(n) / 2), 8, 1024);
    SplittableRandom rnd = new SplittableRandom(mix(seed, -1));
    centres = new float[clusters][dim];
    bases = new float[clusters][][];
    cumulativeWeights = new double[clusters];
    double scaleUnit = shape.spread() * Math.sqrt(dim);
    double total = 0;
    for (int c = 0; c < clusters; c++) {
      for (int d = 0; d < dim; d++) {
        centres[c][d] = (float) rnd.nextGaussian();
      }
      int rank = Math.min(dim, shape.minRank() + rnd.nextInt(shape.maxRank() - shape.minRank() + 1));
      double clusterScale = scaleUnit * Math.exp(0.3 * rnd.nextGaussian());
      bases[c] = orthonormal(rank, dim, rnd);
      for (int j = 0; j < rank; j++) {
        float sd = (float) (clusterScale * Math.pow(j + 1, -shape.decay() / 2));
        for (int d = 0; d < dim; d++) {
          bases[c][j][d] *= sd;
        }
      }
      total += Math.pow(c + 1, -shape.zipfExponent());
      cumulativeWeights[c] = total;
    }
    for (int c = 0; c < clusters; c++) {
      cumulativeWeights[c] /= total;
    }
  }

  public SyntheticClusters(int n, int dim, long seed) {
    this(n, dim, seed, Shape.DEFAULT);
  }

  public int dimension() {
    return dim;
  }

  public int clusters() {
    return centres.length;
  }

  /** Base vectors {@code from} (inclusive) to {@code to} (exclusive), generated in parallel chunks. */
  public float[][] base(int from, int to) {
    float[][] out = new float[to - from][];
    int firstChunk = from / CHUNK;
    int lastChunk = (to - 1) / CHUNK;
    IntStream.rangeClosed(firstChunk, lastChunk).parallel().forEach(chunk -> {
      SplittableRandom rnd = new SplittableRandom(mix(seed, chunk));
      int start = chunk * CHUNK;
      int end = Math.min(to, start + CHUNK);
      float[] scratch = new float[dim];
      for (int i = start; i < end; i++) {
        float[] v = new float[dim];
        sample(rnd, pickCluster(rnd), v, scratch);
        if (i >= from) {
          out[i - from] = v;
        }
      }
    });
    return out;
  }

  /** {@code count} queries; the same seed gives the same queries whatever the base size. */
  public float[][] queries(int count) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, -2));
    float[][] out = new float[count][dim];
    float[] other = new float[dim];
    float[] scratch = new float[dim];
    for (int i = 0; i < count; i++) {
      sample(rnd, pickCluster(rnd), out[i], scratch);
      if (rnd.nextDouble() < shape.betweenFraction()) {
        int b = pickCluster(rnd);
        sample(rnd, b, other, scratch);
        float t = (float) (0.25 + 0.5 * rnd.nextDouble());
        for (int d = 0; d < dim; d++) {
          out[i][d] = t * out[i][d] + (1 - t) * other[d];
        }
      }
    }
    return out;
  }

  private int pickCluster(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    int lo = 0;
    int hi = cumulativeWeights.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulativeWeights[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void sample(SplittableRandom rnd, int cluster, float[] out, float[] scratch) {
    float[] centre = centres[cluster];
    float noise = (float) shape.noise();
    for (int d = 0; d < dim; d++) {
      out[d] = centre[d] + noise * (float) rnd.nextGaussian();
    }
    for (float[] direction : bases[cluster]) {
      float z = (float) rnd.nextGaussian();
      for (int d = 0; d < dim; d++) {
        out[d] += z * direction[d];
      }
    }
  }

  /** {@code rank} orthonormal vectors of length {@code dim} (Gram-Schmidt over Gaussian vectors). */
  private static float[][] orthonormal(int rank, int dim, SplittableRandom rnd) {
    double[][] q = new double[rank][dim];
    for (int j = 0; j < rank; j++) {
      double[] v = q[j];
      for (int d = 0; d < dim; d++) {
        v[d] = rnd.nextGaussian();
      }
      for (int p = 0; p < j; p++) {
        double dot = 0;
        for (int d = 0; d < dim; d++) {
          dot += v[d] * q[p][d];
        }
        for (int d = 0; d < dim; d++) {
          v[d] -= dot * q[p][d];
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      for (int d = 0; d < dim; d++) {
        v[d] /= norm;
      }
    }
    float[][] out = new float[rank][dim];
    for (int j = 0; j < rank; j++) {
      for (int d = 0; d < dim; d++) {
        out[j][d] = (float) q[j][d];
      }
    }
    return out;
  }

  /** A well-spread generator seed for stream {@code stream} of {@code seed} (murmur3's finaliser). */
  private static long mix(long seed, long stream) {
    long z = seed * 0x9E3779B97F4A7C15L + stream * 0xC2B2AE3D27D4EB4FL;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
