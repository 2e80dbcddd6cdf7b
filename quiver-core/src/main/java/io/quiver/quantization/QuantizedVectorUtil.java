package io.quiver.quantization;

import io.quiver.distance.QuantizedKernels;
import io.quiver.distance.VectorizationProvider;

/**
 * Static facade over the quantized kernels {@link VectorizationProvider} chose together with the float kernels
 * (including {@code -Dquiver.vectorization=scalar}): the Vector API kernels when the float kernels are the Panama
 * ones, the scalar ones otherwise.
 */
public final class QuantizedVectorUtil {

  private static final QuantizedKernels IMPL = VectorizationProvider.quantized();

  private QuantizedVectorUtil() {}

  /** The kernels in use. */
  public static QuantizedKernels kernels() {
    return IMPL;
  }

  /** The Vector API kernels, or {@code null} when this JVM cannot load them. For tests and benchmarks. */
  public static QuantizedKernels panamaOrNull() {
    return VectorizationProvider.panamaQuantizedOrNull();
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
