package io.quiver.distance;

/** Plain-Java kernels: the fallback when the Vector API is absent, and the reference in tests. */
public final class ScalarVectorUtilSupport implements VectorUtilSupport {

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    // Four independent accumulators let the CPU overlap the dependent adds.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
      s1 = Math.fma(a[aOff + i + 1], b[bOff + i + 1], s1);
      s2 = Math.fma(a[aOff + i + 2], b[bOff + i + 2], s2);
      s3 = Math.fma(a[aOff + i + 3], b[bOff + i + 3], s3);
    }
    for (; i < len; i++) {
      s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squareDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      float d0 = a[aOff + i] - b[bOff + i];
      float d1 = a[aOff + i + 1] - b[bOff + i + 1];
      float d2 = a[aOff + i + 2] - b[bOff + i + 2];
      float d3 = a[aOff + i + 3] - b[bOff + i + 3];
      s0 = Math.fma(d0, d0, s0);
      s1 = Math.fma(d1, d1, s1);
      s2 = Math.fma(d2, d2, s2);
      s3 = Math.fma(d3, d3, s3);
    }
    for (; i < len; i++) {
      float d = a[aOff + i] - b[bOff + i];
      s0 = Math.fma(d, d, s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float l1Distance(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      s0 += Math.abs(a[aOff + i] - b[bOff + i]);
      s1 += Math.abs(a[aOff + i + 1] - b[bOff + i + 1]);
      s2 += Math.abs(a[aOff + i + 2] - b[bOff + i + 2]);
      s3 += Math.abs(a[aOff + i + 3] - b[bOff + i + 3]);
    }
    for (; i < len; i++) {
      s0 += Math.abs(a[aOff + i] - b[bOff + i]);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float cosine(float[] a, int aOff, float[] b, int bOff, int len) {
    float dot = 0, na = 0, nb = 0;
    for (int i = 0; i < len; i++) {
      float x = a[aOff + i], y = b[bOff + i];
      dot = Math.fma(x, y, dot);
      na = Math.fma(x, x, na);
      nb = Math.fma(y, y, nb);
    }
    return cosineFrom(dot, na, nb);
  }

  static float cosineFrom(float dot, float normSqA, float normSqB) {
    double denom = Math.sqrt((double) normSqA * (double) normSqB);
    return denom == 0 ? 0f : (float) (dot / denom);
  }

  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int len) {
    int d = 0;
    for (int i = 0; i < len; i++) {
      d += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
    }
    return d;
  }

  @Override
  public String name() {
    return "scalar";
  }
}
