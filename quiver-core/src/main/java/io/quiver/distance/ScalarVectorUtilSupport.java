package io.quiver.distance;

import java.lang.foreign.MemorySegment;

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

  // Segment kernels: the array versions' arithmetic (the interface's multi-vector defaults call the single kernels
  // above), reading the stored vector from a segment.

  private static float dot(float[] q, MemorySegment s, long off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      long b = off + 4L * i;
      s0 = Math.fma(q[i], s.get(LE_FLOAT, b), s0);
      s1 = Math.fma(q[i + 1], s.get(LE_FLOAT, b + 4), s1);
      s2 = Math.fma(q[i + 2], s.get(LE_FLOAT, b + 8), s2);
      s3 = Math.fma(q[i + 3], s.get(LE_FLOAT, b + 12), s3);
    }
    for (; i < len; i++) {
      s0 = Math.fma(q[i], s.get(LE_FLOAT, off + 4L * i), s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static float squareDistance(float[] q, MemorySegment s, long off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      long b = off + 4L * i;
      float d0 = q[i] - s.get(LE_FLOAT, b);
      float d1 = q[i + 1] - s.get(LE_FLOAT, b + 4);
      float d2 = q[i + 2] - s.get(LE_FLOAT, b + 8);
      float d3 = q[i + 3] - s.get(LE_FLOAT, b + 12);
      s0 = Math.fma(d0, d0, s0);
      s1 = Math.fma(d1, d1, s1);
      s2 = Math.fma(d2, d2, s2);
      s3 = Math.fma(d3, d3, s3);
    }
    for (; i < len; i++) {
      float d = q[i] - s.get(LE_FLOAT, off + 4L * i);
      s0 = Math.fma(d, d, s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void squareDistance4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len,
      float[] out) {
    out[0] = squareDistance(q, s, o0, len);
    out[1] = squareDistance(q, s, o1, len);
    out[2] = squareDistance(q, s, o2, len);
    out[3] = squareDistance(q, s, o3, len);
  }

  @Override
  public void dot4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len, float[] out) {
    out[0] = dot(q, s, o0, len);
    out[1] = dot(q, s, o1, len);
    out[2] = dot(q, s, o2, len);
    out[3] = dot(q, s, o3, len);
  }

  @Override
  public void squareDistance8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5,
      long o6, long o7, int len, float[] out) {
    squareDistance4(q, s, o0, o1, o2, o3, len, out);
    out[4] = squareDistance(q, s, o4, len);
    out[5] = squareDistance(q, s, o5, len);
    out[6] = squareDistance(q, s, o6, len);
    out[7] = squareDistance(q, s, o7, len);
  }

  @Override
  public void dot8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5, long o6,
      long o7, int len, float[] out) {
    dot4(q, s, o0, o1, o2, o3, len, out);
    out[4] = dot(q, s, o4, len);
    out[5] = dot(q, s, o5, len);
    out[6] = dot(q, s, o6, len);
    out[7] = dot(q, s, o7, len);
  }

  @Override
  public String name() {
    return "scalar";
  }
}
