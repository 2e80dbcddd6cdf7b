package io.quiver.collection;

/**
 * Int8 codes of one sealed segment's vector field with, per vector, how far the code can be from the vector: what
 * {@link BoundedScan} needs to skip most exact distances without losing any point of the exact top k.
 *
 * <p>Vector {@code v} (as stored) is coded with its own scale {@code s = max|v_i| / 127} as {@code c_i =
 * round(v_i / s)}, so {@code v^ = s·c} and the record keeps {@code s}, {@code err = |v - v^|} and {@code |v^|}, the
 * last two rounded up. For a query {@code q} coded the same way ({@code q^}, {@code errQ}), {@code q·v − q^·v^ =
 * q·(v − v^) + (q − q^)·v^}, so {@code |q·v − q^·v^| <= |q|·err + errQ·|v^|}; {@code q^·v^} is {@code sQ·s} times an
 * int dot product, exact. Built once per segment and field from the stored vectors, in RAM only (a quarter of the
 * float vectors' bytes plus 12 bytes a vector), and dropped with the segment.
 */
final class ExactScanCodes {
  final int dim;
  final byte[] codes;
  final float[] scale;
  final float[] err;
  final float[] norm;

  private ExactScanCodes(int dim, byte[] codes, float[] scale, float[] err, float[] norm) {
    this.dim = dim;
    this.codes = codes;
    this.scale = scale;
    this.err = err;
    this.norm = norm;
  }

  /** Whether a segment of {@code ordinals} vectors of {@code dim} fits one array of codes. */
  static boolean fits(long ordinals, int dim) {
    return ordinals * dim <= Integer.MAX_VALUE - 64;
  }

  /** The codes of field {@code name} of {@code s}; an ordinal without a vector gets a zero record. */
  static ExactScanCodes build(Segment s, String name, int dim) {
    int n = s.ordinals();
    byte[] codes = new byte[n * dim];
    float[] scale = new float[n];
    float[] err = new float[n];
    float[] norm = new float[n];
    for (int ord = 0; ord < n; ord++) {
      if (!s.hasVector(name, ord)) {
        continue;
      }
      float[] v = s.vector(name, ord);
      float sc = encode(v, codes, ord * dim);
      scale[ord] = sc;
      double e2 = 0;
      double n2 = 0;
      for (int i = 0; i < dim; i++) {
        double approx = (double) sc * codes[ord * dim + i];
        double r = v[i] - approx;
        e2 += r * r;
        n2 += approx * approx;
      }
      err[ord] = Math.nextUp((float) Math.sqrt(e2));
      norm[ord] = Math.nextUp((float) Math.sqrt(n2));
    }
    return new ExactScanCodes(dim, codes, scale, err, norm);
  }

  /** Writes the codes of {@code v} at {@code out[off..]} and returns its scale (0 for a zero vector). */
  static float encode(float[] v, byte[] out, int off) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    if (!(max > 0) || !Float.isFinite(max)) {
      return 0;
    }
    float sc = max / 127f;
    for (int i = 0; i < v.length; i++) {
      out[off + i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / sc)));
    }
    return sc;
  }

  long ramBytes() {
    return codes.length + 12L * scale.length;
  }
}
