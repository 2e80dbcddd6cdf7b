package io.quiver.distance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Plain-Java quantized kernels: the fallback without the Vector API, and the reference in tests. */
public final class ScalarQuantizedKernels implements QuantizedKernels {

  static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return s0 + s1 + s2 + s3;
  }

  @Override
  public float dotFloatInt8(float[] q, byte[] codes, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len - 3; i < upper; i += 4) {
      s0 += q[i] * codes[off + i];
      s1 += q[i + 1] * codes[off + i + 1];
      s2 += q[i + 2] * codes[off + i + 2];
      s3 += q[i + 3] * codes[off + i + 3];
    }
    for (; i < len; i++) {
      s0 += q[i] * codes[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotFloat16(float[] q, byte[] codes, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      int o = off + 2 * i;
      s0 = Math.fma(q[i], Float.float16ToFloat((short) SHORTS.get(codes, o)), s0);
      s1 = Math.fma(q[i + 1], Float.float16ToFloat((short) SHORTS.get(codes, o + 2)), s1);
      s2 = Math.fma(q[i + 2], Float.float16ToFloat((short) SHORTS.get(codes, o + 4)), s2);
      s3 = Math.fma(q[i + 3], Float.float16ToFloat((short) SHORTS.get(codes, o + 6)), s3);
    }
    for (; i < len; i++) {
      s0 = Math.fma(q[i], Float.float16ToFloat((short) SHORTS.get(codes, off + 2 * i)), s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squareDistanceFloat16(float[] q, byte[] codes, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int upper = len & ~3; i < upper; i += 4) {
      int o = off + 2 * i;
      float d0 = q[i] - Float.float16ToFloat((short) SHORTS.get(codes, o));
      float d1 = q[i + 1] - Float.float16ToFloat((short) SHORTS.get(codes, o + 2));
      float d2 = q[i + 2] - Float.float16ToFloat((short) SHORTS.get(codes, o + 4));
      float d3 = q[i + 3] - Float.float16ToFloat((short) SHORTS.get(codes, o + 6));
      s0 = Math.fma(d0, d0, s0);
      s1 = Math.fma(d1, d1, s1);
      s2 = Math.fma(d2, d2, s2);
      s3 = Math.fma(d3, d3, s3);
    }
    for (; i < len; i++) {
      float d = q[i] - Float.float16ToFloat((short) SHORTS.get(codes, off + 2 * i));
      s0 = Math.fma(d, d, s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public long int4BitDot(long[] planes, byte[] codes, int off, int words) {
    long p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (int w = 0, b = 0; w < words; w++, b += 4) {
      long c = (long) LONGS.get(codes, off + 8 * w);
      p0 += Long.bitCount(planes[b] & c);
      p1 += Long.bitCount(planes[b + 1] & c);
      p2 += Long.bitCount(planes[b + 2] & c);
      p3 += Long.bitCount(planes[b + 3] & c);
    }
    return p0 + (p1 << 1) + (p2 << 2) + (p3 << 3);
  }

  @Override
  public int hamming(long[] q, byte[] codes, int off, int words) {
    int d = 0;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(q[w] ^ (long) LONGS.get(codes, off + 8 * w));
    }
    return d;
  }

  @Override
  public float adcSum(float[] table, byte[] codes, int off, int m) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int j = 0;
    for (int upper = m & ~3; j < upper; j += 4) {
      int t = j << 8;
      s0 += table[t + (codes[off + j] & 0xff)];
      s1 += table[t + 256 + (codes[off + j + 1] & 0xff)];
      s2 += table[t + 512 + (codes[off + j + 2] & 0xff)];
      s3 += table[t + 768 + (codes[off + j + 3] & 0xff)];
    }
    for (; j < m; j++) {
      s0 += table[(j << 8) + (codes[off + j] & 0xff)];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public String name() {
    return "scalar";
  }
}
