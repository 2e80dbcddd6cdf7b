package io.quiver.quantization;

import io.quiver.distance.Metric;
import io.quiver.distance.QuantizedKernels;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * IEEE half-precision storage: each coordinate as the little-endian float16 of {@link Float#floatToFloat16}, scored
 * against a float32 query by {@link QuantizedKernels#dotFloat16} / {@link QuantizedKernels#squareDistanceFloat16}.
 * Nothing to train. Values beyond the half range are clamped to +-65504 (never stored as infinity, which the Vector
 * API decoding would not reproduce); NaN is rejected. Relative error per coordinate is at most 2^-11 for normal
 * halves (|x| &gt;= 2^-14), absolute error at most 2^-25 below that.
 *
 * <p><b>Record</b>: {@code 2 * dim} bytes. <b>Body</b> of the serialized form: empty (metric and dimension are in the
 * header).
 */
public final class Float16Codec implements VectorQuantizer {

  /** Largest finite float16. */
  public static final float MAX = 65504f;

  private final Metric metric;
  private final int dim;

  public Float16Codec(Metric metric, int dim) {
    Quantizers.checkMetric(metric);
    if (dim <= 0) {
      throw new IllegalArgumentException("dimension must be positive: " + dim);
    }
    this.metric = metric;
    this.dim = dim;
  }

  @Override
  public int dimension() {
    return dim;
  }

  @Override
  public Metric metric() {
    return metric;
  }

  @Override
  public int bytesPerVector() {
    return 2 * dim;
  }

  /** The float16 bits of {@code x}, clamped to the finite range. */
  public static short toHalf(float x) {
    if (Float.isNaN(x)) {
      throw new IllegalArgumentException("NaN cannot be stored");
    }
    return Float.floatToFloat16(Math.max(-MAX, Math.min(MAX, x)));
  }

  @Override
  public void encode(float[] v, byte[] dst, int off) {
    float[] p = Quantizers.prepare(metric, v, dim);
    for (int i = 0; i < dim; i++) {
      LittleEndian.SHORTS.set(dst, off + 2 * i, toHalf(p[i]));
    }
  }

  @Override
  public float[] decode(byte[] codes, int off) {
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = Float.float16ToFloat((short) LittleEndian.SHORTS.get(codes, off + 2 * i));
    }
    return out;
  }

  @Override
  public QuantizedScorer scorer(float[] query, byte[] codes) {
    float[] q = Quantizers.prepare(metric, query, dim);
    return new Scorer(q, codes);
  }

  /** L2: the squared distance; DOT: minus the dot; COSINE: one minus the dot (of unit vectors). */
  private final class Scorer implements QuantizedScorer {
    private final float[] q;
    private final byte[] codes;
    private final QuantizedKernels k = QuantizedVectorUtil.kernels();
    private final int bpv = 2 * dim;
    private final boolean l2 = metric == Metric.L2;
    private final float base = metric == Metric.COSINE ? 1f : 0f;
    private final float[] four = new float[4];

    Scorer(float[] q, byte[] codes) {
      this.q = q;
      this.codes = codes;
    }

    private float finish(float raw) {
      return l2 ? raw : base - raw;
    }

    @Override
    public float score(int ord) {
      int off = ord * bpv;
      return finish(l2 ? k.squareDistanceFloat16(q, codes, off, dim) : k.dotFloat16(q, codes, off, dim));
    }

    /** Four records at a time, side by side (their cache misses overlap), the rest one by one. */
    @Override
    public void score(int[] ords, int count, float[] out) {
      float[] f = four;
      int i = 0;
      for (; i + 4 <= count; i += 4) {
        k.float16x4(q, codes, ords[i] * bpv, ords[i + 1] * bpv, ords[i + 2] * bpv, ords[i + 3] * bpv, dim, l2, f);
        out[i] = finish(f[0]);
        out[i + 1] = finish(f[1]);
        out[i + 2] = finish(f[2]);
        out[i + 3] = finish(f[3]);
      }
      for (; i < count; i++) {
        out[i] = score(ords[i]);
      }
    }
  }

  @Override
  public void write(OutputStream out) throws IOException {
    Quantizers.write(out, Quantizers.KIND_FLOAT16, metric, dim, body -> {});
  }

  static Float16Codec readBody(Metric metric, int dim, DataInputStream in) {
    return new Float16Codec(metric, dim);
  }
}
