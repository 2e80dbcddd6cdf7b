package io.quiver.distance;

/**
 * The raw quantized-code kernels that {@link VectorizationProvider} hands out (behind the quantization package's
 * {@code QuantizedVectorUtil}): scoring a query against one fixed-size code inside a byte array
 * of codes. Callers check bounds; every method reads {@code len} elements from the given offsets.
 *
 * <p>Stored multi-byte values (float16 halves, packed bit words) are little-endian.
 */
public interface QuantizedKernels {

  /** Sum of q[i] * codes[off + i] over float query values and signed byte codes (an asymmetric int8 dot product). */
  float dotFloatInt8(float[] q, byte[] codes, int off, int len);

  /** Sum of a[i] * b[i] over signed bytes, exact in int (len up to 2^17 cannot overflow: |a[i] b[i]| <= 2^14). */
  int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len);

  /**
   * {@link #dotInt8} of the query bytes {@code q[0..len)} with the four records at {@code codes[o0..]}, ..,
   * {@code codes[o3..]}, into {@code out[0..3]}: a graph walk scores a node's neighbours together, and four records
   * read side by side keep four memory streams in flight.
   */
  default void dotInt8x4(byte[] q, byte[] codes, int o0, int o1, int o2, int o3, int len, int[] out) {
    out[0] = dotInt8(q, 0, codes, o0, len);
    out[1] = dotInt8(q, 0, codes, o1, len);
    out[2] = dotInt8(q, 0, codes, o2, len);
    out[3] = dotInt8(q, 0, codes, o3, len);
  }

  /** {@link #dotInt8x4} of eight records, at {@code codes[offs[from + j]..]}, into {@code out[0..7]}. */
  default void dotInt8x8(byte[] q, byte[] codes, int[] offs, int from, int len, int[] out) {
    for (int j = 0; j < 8; j++) {
      out[j] = dotInt8(q, 0, codes, offs[from + j], len);
    }
  }

  /** Sum of q[i] * h[i], where h[i] is the little-endian float16 at {@code codes[off + 2i]}. */
  float dotFloat16(float[] q, byte[] codes, int off, int len);

  /** Sum of (q[i] - h[i])^2, where h[i] is the little-endian float16 at {@code codes[off + 2i]}. */
  float squareDistanceFloat16(float[] q, byte[] codes, int off, int len);

  /**
   * {@link #dotFloat16} of four records at once (byte offsets {@code o0..o3}) into {@code out[0..4)}, or, with
   * {@code l2}, {@link #squareDistanceFloat16}: a graph walk's batch, read side by side so their misses overlap.
   */
  default void float16x4(float[] q, byte[] codes, int o0, int o1, int o2, int o3, int len, boolean l2, float[] out) {
    out[0] = l2 ? squareDistanceFloat16(q, codes, o0, len) : dotFloat16(q, codes, o0, len);
    out[1] = l2 ? squareDistanceFloat16(q, codes, o1, len) : dotFloat16(q, codes, o1, len);
    out[2] = l2 ? squareDistanceFloat16(q, codes, o2, len) : dotFloat16(q, codes, o2, len);
    out[3] = l2 ? squareDistanceFloat16(q, codes, o3, len) : dotFloat16(q, codes, o3, len);
  }

  /**
   * Sum over j in 0..3 of 2^j * popcount(planes[4w + j] &amp; code[w]), w in 0..words-1, where code word w is the
   * little-endian long at {@code codes[off + 8w]}: the inner product of a 4-bit query (stored as 4 bit planes,
   * interleaved word by word so that one word's four planes are adjacent) with a 1-bit code.
   */
  long int4BitDot(long[] planes, byte[] codes, int off, int words);

  /** Number of set bits of {@code codes[off + 8w]} XOR {@code q[w]} over {@code words} little-endian longs. */
  int hamming(long[] q, byte[] codes, int off, int words);

  /** Sum over j in 0..m-1 of table[j * 256 + (codes[off + j] &amp; 0xff)]: product-quantization lookup. */
  float adcSum(float[] table, byte[] codes, int off, int m);

  /** Human-readable name, for logs. */
  String name();
}
