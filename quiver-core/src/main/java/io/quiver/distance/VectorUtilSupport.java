package io.quiver.distance;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The raw kernels behind {@link VectorUtil}. Every method reads {@code len} elements of {@code a} from
 * {@code aOff} and of {@code b} from {@code bOff}; callers check bounds and lengths.
 *
 * <p>The multi-vector kernels also come in a {@link MemorySegment} form for memory-mapped vector files: the stored
 * vectors are little-endian float32 at byte offsets {@code o0..o7} of {@code s}; the segment bounds are checked. Each
 * performs exactly the arithmetic of its array twin: the two return identical floats when they run at the same JIT
 * tier (the Vector API's lane-reduction order differs between the interpreter and C2, so a cold kernel and a hot one
 * can differ in the last bit).
 */
public interface VectorUtilSupport {

  /** How the segment kernels read stored floats: the vector file's byte order, no alignment assumed. */
  ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Sum of a[i] * b[i]. */
  float dot(float[] a, int aOff, float[] b, int bOff, int len);

  /** Sum of (a[i] - b[i])^2. */
  float squareDistance(float[] a, int aOff, float[] b, int bOff, int len);

  /** Sum of |a[i] - b[i]|. */
  float l1Distance(float[] a, int aOff, float[] b, int bOff, int len);

  /** Cosine similarity dot(a,b) / (|a| |b|); 0 when either vector has norm 0. */
  float cosine(float[] a, int aOff, float[] b, int bOff, int len);

  /** Number of differing bits between two packed bit vectors of {@code len} longs. */
  int hamming(long[] a, int aOff, long[] b, int bOff, int len);

  /**
   * Squared L2 from {@code q} to four vectors at once, into {@code out[0..3]}. Loading the query once and walking four
   * vectors side by side keeps four memory streams and four FMA chains in flight, which a graph search (random
   * vectors, mostly cache misses) needs more than raw FLOPs.
   */
  default void squareDistance4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2, float[] b3,
      int o3, int len, float[] out) {
    out[0] = squareDistance(q, 0, b0, o0, len);
    out[1] = squareDistance(q, 0, b1, o1, len);
    out[2] = squareDistance(q, 0, b2, o2, len);
    out[3] = squareDistance(q, 0, b3, o3, len);
  }

  /**
   * Squared L2 from {@code q} to eight vectors {@code b[k]} at offsets {@code o[k]}, into {@code out[0..7]}: eight
   * memory streams in flight for the wide neighbour lists of graph level 0.
   */
  default void squareDistance8(float[] q, float[][] b, int[] o, int len, float[] out) {
    for (int k = 0; k < 8; k++) {
      out[k] = squareDistance(q, 0, b[k], o[k], len);
    }
  }

  /** Dot products of {@code q} with eight vectors, into {@code out[0..7]}; see {@link #squareDistance8}. */
  default void dot8(float[] q, float[][] b, int[] o, int len, float[] out) {
    for (int k = 0; k < 8; k++) {
      out[k] = dot(q, 0, b[k], o[k], len);
    }
  }

  /** Dot products of {@code q} with four vectors at once, into {@code out[0..3]}; see {@link #squareDistance4}. */
  default void dot4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2, float[] b3, int o3,
      int len, float[] out) {
    out[0] = dot(q, 0, b0, o0, len);
    out[1] = dot(q, 0, b1, o1, len);
    out[2] = dot(q, 0, b2, o2, len);
    out[3] = dot(q, 0, b3, o3, len);
  }

  /** {@link #squareDistance4} over vectors in a segment. */
  void squareDistance4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len, float[] out);

  /** {@link #dot4} over vectors in a segment. */
  void dot4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len, float[] out);

  /** {@link #squareDistance8} over vectors in a segment. */
  void squareDistance8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5, long o6,
      long o7, int len, float[] out);

  /** {@link #dot8} over vectors in a segment. */
  void dot8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5, long o6, long o7,
      int len, float[] out);

  /** Human-readable name of the implementation, for logs. */
  String name();
}
