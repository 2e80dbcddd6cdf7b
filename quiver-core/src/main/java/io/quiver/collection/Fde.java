package io.quiver.collection;

import io.quiver.distance.VectorUtil;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MUVERA fixed-dimensional encodings (Dhulipala et al., "MUVERA: Multi-Vector Retrieval via Fixed Dimensional
 * Encodings", 2024): one vector per multi-vector whose dot product approximates MaxSim, so an ordinary inner-product
 * graph finds MaxSim candidates. Per repetition, {@link #K_SIM} random hyperplanes (SimHash) cut the space into
 * 2^K_SIM partitions, and every vector is projected to {@link #D_PROJ} dimensions by a random +-1 matrix (scaled by
 * 1/sqrt(D_PROJ)); a query's block of a partition is the sum of its projected vectors there, a document's the
 * average, and a document partition no vector fell in takes the projected vector whose SimHash code is nearest in
 * Hamming distance (the paper's empty-partition filling). The repetitions are concatenated: {@link #DIMENSION}
 * floats, whatever the field's size.
 *
 * <p>The parameters are fixed so every segment of every collection encodes alike (the graph files depend on them):
 * K_SIM 4, D_PROJ 16 and 8 repetitions give 2,048 dimensions, a fifth of the paper's 10,240-dimension setting, which
 * also reranks a pool of a few hundred. Measured on 30,000 clustered documents of 8-32 vectors of 128 dimensions
 * (docs/benchmarks.md, "Multi-vector search"): the top 400 by exact FDE dot product held 0.97 of the exact MaxSim
 * top 10, the top 800 all of it. The random matrices derive from {@link #SEED} and the field's size only.
 */
final class Fde {
  static final int K_SIM = 4;
  static final int D_PROJ = 16;
  static final int REPETITIONS = 8;
  static final int PARTITIONS = 1 << K_SIM;
  static final int DIMENSION = REPETITIONS * PARTITIONS * D_PROJ;
  static final long SEED = 0x4D555645524FL; // "MUVERO"

  private static final ConcurrentHashMap<Integer, Fde> BY_SIZE = new ConcurrentHashMap<>();

  private final int dim;
  /** Per repetition, K_SIM hyperplane normals of {@code dim} floats, back to back. */
  private final float[] planes;
  /** Per repetition, D_PROJ rows of {@code dim} floats, +-1/sqrt(D_PROJ). */
  private final float[] projections;

  private Fde(int dim) {
    this.dim = dim;
    Random r = new Random(SEED ^ ((long) dim << 32));
    planes = new float[REPETITIONS * K_SIM * dim];
    for (int i = 0; i < planes.length; i++) {
      planes[i] = (float) r.nextGaussian();
    }
    projections = new float[REPETITIONS * D_PROJ * dim];
    float scale = (float) (1 / Math.sqrt(D_PROJ));
    for (int i = 0; i < projections.length; i++) {
      projections[i] = r.nextBoolean() ? scale : -scale;
    }
  }

  /** The encoder for vectors of {@code dim} components (shared: it holds only its random matrices). */
  static Fde forSize(int dim) {
    return BY_SIZE.computeIfAbsent(dim, Fde::new);
  }

  /** The query encoding of prepared multi-vector {@code flat}: per partition, the sum of its projected vectors. */
  float[] query(float[] flat) {
    return encode(flat, false);
  }

  /** The document encoding: per partition the average, empty partitions filled from the nearest code. */
  float[] document(float[] flat) {
    return encode(flat, true);
  }

  private float[] encode(float[] flat, boolean document) {
    int n = flat.length / dim;
    float[] out = new float[DIMENSION];
    int[] codes = new int[n];
    float[] projected = new float[n * D_PROJ];
    int[] counts = new int[PARTITIONS];
    for (int rep = 0; rep < REPETITIONS; rep++) {
      Arrays.fill(counts, 0);
      int base = rep * PARTITIONS * D_PROJ;
      for (int v = 0; v < n; v++) {
        int code = 0;
        for (int k = 0; k < K_SIM; k++) {
          if (VectorUtil.dot(planes, (rep * K_SIM + k) * dim, flat, v * dim, dim) > 0f) {
            code |= 1 << k;
          }
        }
        codes[v] = code;
        counts[code]++;
        for (int p = 0; p < D_PROJ; p++) {
          float x = VectorUtil.dot(projections, (rep * D_PROJ + p) * dim, flat, v * dim, dim);
          projected[v * D_PROJ + p] = x;
          out[base + code * D_PROJ + p] += x;
        }
      }
      if (!document) {
        continue;
      }
      for (int part = 0; part < PARTITIONS; part++) {
        int at = base + part * D_PROJ;
        if (counts[part] > 1) {
          float inv = 1f / counts[part];
          for (int p = 0; p < D_PROJ; p++) {
            out[at + p] *= inv;
          }
        } else if (counts[part] == 0) {
          int nearest = 0;
          for (int v = 1; v < n; v++) {
            if (Integer.bitCount(codes[v] ^ part) < Integer.bitCount(codes[nearest] ^ part)) {
              nearest = v;
            }
          }
          System.arraycopy(projected, nearest * D_PROJ, out, at, D_PROJ);
        }
      }
    }
    return out;
  }
}
