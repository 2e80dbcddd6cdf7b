package io.quiver.quantization;

import io.quiver.distance.VectorUtil;

/**
 * Static facade over the quantized kernels. It follows the choice {@link io.quiver.distance.VectorizationProvider}
 * made for the float kernels (including {@code -Dquiver.vectorization=scalar}): Vector API kernels when the float
 * kernels are the Panama ones, the scalar ones otherwise.
 */
public final class QuantizedVectorUtil {

  private static final QuantizedKernels IMPL = choose();

  private QuantizedVectorUtil() {}

  private static QuantizedKernels choose() {
    if (VectorUtil.implementationName().startsWith("panama")) {
      try {
        return new PanamaQuantizedKernels();
      } catch (LinkageError | RuntimeException e) {
        return new ScalarQuantizedKernels();
      }
    }
    return new ScalarQuantizedKernels();
  }

  /** The kernels in use. */
  public static QuantizedKernels kernels() {
    return IMPL;
  }

  /** The Vector API kernels, or {@code null} when this JVM cannot load them. For tests and benchmarks. */
  public static QuantizedKernels panamaOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    return new PanamaQuantizedKernels();
  }

  public static int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    return IMPL.dotInt8(a, aOff, b, bOff, len);
  }

  public static float dotFloat16(float[] q, byte[] codes, int off, int len) {
    return IMPL.dotFloat16(q, codes, off, len);
  }

  public static float squareDistanceFloat16(float[] q, byte[] codes, int off, int len) {
    return IMPL.squareDistanceFloat16(q, codes, off, len);
  }

  public static long int4BitDot(long[] planes, byte[] codes, int off, int words) {
    return IMPL.int4BitDot(planes, codes, off, words);
  }

  public static int hamming(long[] q, byte[] codes, int off, int words) {
    return IMPL.hamming(q, codes, off, words);
  }

  public static float adcSum(float[] table, byte[] codes, int off, int m) {
    return IMPL.adcSum(table, codes, off, m);
  }

  public static String implementationName() {
    return IMPL.name();
  }
}
