package io.quiver.quantization;

import io.quiver.distance.Metric;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A trained vector codec: turns float vectors into fixed-size code records and scores queries against them.
 *
 * <p><b>Codes.</b> A segment's codes are one contiguous {@code byte[]}: the record of ordinal {@code i} is
 * {@code codes[i * bytesPerVector() .. (i + 1) * bytesPerVector())}. Records hold the code and any per-vector
 * correction terms (little-endian floats), and need nothing else but the trained parameters to be scored.
 *
 * <p><b>Metric.</b> Scores are approximate distances in {@link Metric}'s convention: L2 squared Euclidean, DOT
 * {@code -a.b}, COSINE {@code 1 - a.b} of the normalised vectors (vectors and queries are normalised here, so callers
 * may pass them raw or normalised). L1 is not supported.
 *
 * <p><b>Persistence.</b> {@link #write} stores the trained parameters; {@link Quantizers#read} reads any of them back.
 */
public interface VectorQuantizer {

  int dimension();

  Metric metric();

  /** Size of one code record in bytes. */
  int bytesPerVector();

  /** Writes the code record of {@code v} at {@code dst[off .. off + bytesPerVector())}. */
  void encode(float[] v, byte[] dst, int off);

  /** Encodes {@code vectors} into one contiguous array of records, ordinal {@code i} at {@code i * bytesPerVector()}. */
  default byte[] encodeAll(float[][] vectors) {
    int bpv = bytesPerVector();
    long total = (long) bpv * vectors.length;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("codes of " + vectors.length + " vectors exceed one array: " + total);
    }
    byte[] codes = new byte[(int) total];
    for (int i = 0; i < vectors.length; i++) {
      encode(vectors[i], codes, i * bpv);
    }
    return codes;
  }

  /** A scorer of {@code query} against the records in {@code codes}; created once per query. */
  QuantizedScorer scorer(float[] query, byte[] codes);

  /**
   * Scorers over one fixed array of {@code codes} (a sealed segment's): per-record terms that do not depend on the
   * query are derived here once, so that each query's {@link Scorers#scorer} only prepares the query.
   */
  default Scorers bind(byte[] codes) {
    return new Scorers() {
      @Override
      public QuantizedScorer scorer(float[] query) {
        return VectorQuantizer.this.scorer(query, codes);
      }

      @Override
      public long ramBytes() {
        return 0;
      }
    };
  }

  /** Per-query scorers over codes bound by {@link #bind}. Thread-safe; each scorer it returns is not. */
  interface Scorers {
    QuantizedScorer scorer(float[] query);

    /** Heap bytes of the derived per-record terms (beyond the codes themselves). */
    long ramBytes();
  }

  /** Approximate reconstruction of the vector of a record (normalised for COSINE); for tests and diagnostics. */
  float[] decode(byte[] codes, int off);

  /** Writes the trained parameters in the versioned format of {@link Quantizers}. */
  void write(OutputStream out) throws IOException;
}
