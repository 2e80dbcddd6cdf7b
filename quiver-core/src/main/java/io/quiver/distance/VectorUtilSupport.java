package io.quiver.distance;

/**
 * The raw kernels behind {@link VectorUtil}. Every method reads {@code len} elements of {@code a} from
 * {@code aOff} and of {@code b} from {@code bOff}; callers check bounds and lengths.
 */
public interface VectorUtilSupport {

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

  /** Human-readable name of the implementation, for logs. */
  String name();
}
