package io.quiver.distance;

import java.lang.foreign.MemorySegment;

/**
 * Static facade over the distance kernels, backed by the implementation {@link VectorizationProvider} chose at
 * start-up. Whole-array overloads check that lengths agree.
 */
public final class VectorUtil {

  private static final VectorUtilSupport IMPL = VectorizationProvider.get();

  private VectorUtil() {}

  public static float dot(float[] a, float[] b) {
    checkLength(a.length, b.length);
    return IMPL.dot(a, 0, b, 0, a.length);
  }

  public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    return IMPL.dot(a, aOff, b, bOff, len);
  }

  public static float squareDistance(float[] a, float[] b) {
    checkLength(a.length, b.length);
    return IMPL.squareDistance(a, 0, b, 0, a.length);
  }

  public static float squareDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    return IMPL.squareDistance(a, aOff, b, bOff, len);
  }

  /** See {@link VectorUtilSupport#squareDistance4}. */
  public static void squareDistance4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2,
      float[] b3, int o3, int len, float[] out) {
    IMPL.squareDistance4(q, b0, o0, b1, o1, b2, o2, b3, o3, len, out);
  }

  /** See {@link VectorUtilSupport#squareDistance8}. */
  public static void squareDistance8(float[] q, float[][] b, int[] o, int len, float[] out) {
    IMPL.squareDistance8(q, b, o, len, out);
  }

  /** See {@link VectorUtilSupport#dot8}. */
  public static void dot8(float[] q, float[][] b, int[] o, int len, float[] out) {
    IMPL.dot8(q, b, o, len, out);
  }

  /** See {@link VectorUtilSupport#dot4}. */
  public static void dot4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2, float[] b3, int o3,
      int len, float[] out) {
    IMPL.dot4(q, b0, o0, b1, o1, b2, o2, b3, o3, len, out);
  }

  /** See {@link VectorUtilSupport#squareDistance4(float[], MemorySegment, long, long, long, long, int, float[])}. */
  public static void squareDistance4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len,
      float[] out) {
    IMPL.squareDistance4(q, s, o0, o1, o2, o3, len, out);
  }

  /** See {@link VectorUtilSupport#dot4(float[], MemorySegment, long, long, long, long, int, float[])}. */
  public static void dot4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len, float[] out) {
    IMPL.dot4(q, s, o0, o1, o2, o3, len, out);
  }

  /** Eight-way squared L2 over vectors in a segment; see {@link VectorUtilSupport}. */
  public static void squareDistance8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4,
      long o5, long o6, long o7, int len, float[] out) {
    IMPL.squareDistance8(q, s, o0, o1, o2, o3, o4, o5, o6, o7, len, out);
  }

  /** Eight-way dot products over vectors in a segment; see {@link VectorUtilSupport}. */
  public static void dot8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5,
      long o6, long o7, int len, float[] out) {
    IMPL.dot8(q, s, o0, o1, o2, o3, o4, o5, o6, o7, len, out);
  }

  public static float l1Distance(float[] a, float[] b) {
    checkLength(a.length, b.length);
    return IMPL.l1Distance(a, 0, b, 0, a.length);
  }

  public static float l1Distance(float[] a, int aOff, float[] b, int bOff, int len) {
    return IMPL.l1Distance(a, aOff, b, bOff, len);
  }

  public static float cosine(float[] a, float[] b) {
    checkLength(a.length, b.length);
    return IMPL.cosine(a, 0, b, 0, a.length);
  }

  public static int hamming(long[] a, long[] b) {
    checkLength(a.length, b.length);
    return IMPL.hamming(a, 0, b, 0, a.length);
  }

  public static int hamming(long[] a, int aOff, long[] b, int bOff, int len) {
    return IMPL.hamming(a, aOff, b, bOff, len);
  }

  /** Scales {@code v} in place to unit L2 norm; returns the original norm (0 leaves {@code v} unchanged). */
  public static float normalize(float[] v) {
    float norm = (float) Math.sqrt(IMPL.dot(v, 0, v, 0, v.length));
    if (norm > 0) {
      float inv = 1f / norm;
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
    return norm;
  }

  /** Name of the active implementation. */
  public static String implementationName() {
    return IMPL.name();
  }

  private static void checkLength(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("vector lengths differ: " + a + " != " + b);
    }
  }
}
