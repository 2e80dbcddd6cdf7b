package io.quiver.quantization;

/**
 * The raw kernels behind {@link QuantizedVectorUtil}: scoring a query against one fixed-size code inside a byte array
 * of codes. Callers check bounds; every method reads {@code len} elements from the given offsets.
 *
 * <p>Stored multi-byte values (float16 halves, packed bit words) are little-endian.
 */
public interface QuantizedKernels {

  /** Sum of a[i] * b[i] over signed bytes, exact in int (len up to 2^17 cannot overflow: |a[i] b[i]| <= 2^14). */
  int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len);

  /** Sum of q[i] * h[i], where h[i] is the little-endian float16 at {@code codes[off + 2i]}. */
  float dotFloat16(float[] q, byte[] codes, int off, int len);

  /** Sum of (q[i] - h[i])^2, where h[i] is the little-endian float16 at {@code codes[off + 2i]}. */
  float squareDistanceFloat16(float[] q, byte[] codes, int off, int len);

  /**
   * Sum over j in 0..3 of 2^j * popcount(planes[j * words + w] &amp; code[w]), w in 0..words-1, where code word w is the
   * little-endian long at {@code codes[off + 8w]}: the inner product of a 4-bit query (stored as 4 bit planes) with a
   * 1-bit code.
   */
  long int4BitDot(long[] planes, byte[] codes, int off, int words);

  /** Number of set bits of {@code codes[off + 8w]} XOR {@code q[w]} over {@code words} little-endian longs. */
  int hamming(long[] q, byte[] codes, int off, int words);

  /** Sum over j in 0..m-1 of table[j * 256 + (codes[off + j] &amp; 0xff)]: product-quantization lookup. */
  float adcSum(float[] table, byte[] codes, int off, int m);

  /** Human-readable name, for logs. */
  String name();
}
