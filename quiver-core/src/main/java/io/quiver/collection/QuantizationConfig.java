package io.quiver.collection;

import java.util.Locale;
import java.util.Objects;

/**
 * Quantized codes for a collection's vectors: built when a segment is sealed, kept in RAM, and used by graph walks
 * in place of the full vectors, which stay in their memory-mapped file for reranking the candidates a walk keeps.
 * The mutable segment searches at full precision.
 *
 * @param kind the code: {@link Kind#INT8} (4x smaller), {@link Kind#FLOAT16} (2x), {@link Kind#BINARY} (32x),
 *     {@link Kind#PRODUCT} ({@code compression} x)
 * @param quantile INT8: the fraction of values kept inside the quantization range (Qdrant's {@code quantile})
 * @param compression PRODUCT: bytes of float32 vector per byte of code (4, 8, 16, 32 or 64, Qdrant's x4..x64)
 * @param oversampling a walk keeps {@code ceil(limit * oversampling)} candidates for reranking
 * @param rescore rerank the kept candidates with the full vectors (else codes' approximate scores are returned)
 */
public record QuantizationConfig(Kind kind, float quantile, int compression, double oversampling, boolean rescore) {
  /** The code of a quantized vector. */
  public enum Kind { INT8, FLOAT16, BINARY, PRODUCT }

  public QuantizationConfig {
    Objects.requireNonNull(kind, "kind");
    if (!(quantile > 0.5f && quantile <= 1f)) {
      throw new IllegalArgumentException("quantile must be in (0.5, 1], got " + quantile);
    }
    if (kind == Kind.PRODUCT && compression != 4 && compression != 8 && compression != 16 && compression != 32
        && compression != 64) {
      throw new IllegalArgumentException("product compression must be 4, 8, 16, 32 or 64, got " + compression);
    }
    if (!(oversampling >= 1) || Double.isInfinite(oversampling)) {
      throw new IllegalArgumentException("oversampling must be >= 1, got " + oversampling);
    }
  }

  public static QuantizationConfig int8(float quantile) {
    return new QuantizationConfig(Kind.INT8, quantile, 0, 2.0, true);
  }

  public static QuantizationConfig float16() {
    return new QuantizationConfig(Kind.FLOAT16, 0.99f, 0, 1.0, true);
  }

  public static QuantizationConfig binary() {
    return new QuantizationConfig(Kind.BINARY, 0.99f, 0, 3.0, true);
  }

  public static QuantizationConfig product(int compression) {
    return new QuantizationConfig(Kind.PRODUCT, 0.99f, compression, 3.0, true);
  }

  public QuantizationConfig withOversampling(double value) {
    return new QuantizationConfig(kind, quantile, compression, value, rescore);
  }

  public QuantizationConfig withRescore(boolean value) {
    return new QuantizationConfig(kind, quantile, compression, oversampling, value);
  }

  /** Lower-case name of the kind, as in collection.json. */
  public String kindName() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
