package io.quiver.distance;

import java.util.Locale;

/**
 * Similarity metrics over float vectors.
 *
 * <p><b>Score convention.</b> Inside Quiver every metric is a <em>distance: lower is closer</em>, and every index
 * orders and returns results by ascending distance:
 * <ul>
 *   <li>{@link #L2}: squared Euclidean distance, sum (a[i]-b[i])^2 (the square root is never taken);</li>
 *   <li>{@link #DOT}: negative inner product, -a.b;</li>
 *   <li>{@link #COSINE}: 1 - cos(a, b), in [0, 2]; indexes normalise vectors on insert so this is 1 - a.b;</li>
 *   <li>{@link #L1}: Manhattan distance, sum |a[i]-b[i]|.</li>
 * </ul>
 * Hamming distance over packed bits is {@link VectorUtil#hamming(long[], long[])}. APIs that speak another
 * convention (Qdrant's "higher score is better" for Dot and Cosine) convert at their edge with {@link #toScore}.
 */
public enum Metric {
  L2,
  DOT,
  COSINE,
  L1;

  /** Distance between two vectors of equal length, by this metric. Cosine is computed in full here. */
  public float distance(float[] a, float[] b) {
    return switch (this) {
      case L2 -> VectorUtil.squareDistance(a, b);
      case DOT -> -VectorUtil.dot(a, b);
      case COSINE -> 1f - VectorUtil.cosine(a, b);
      case L1 -> VectorUtil.l1Distance(a, b);
    };
  }

  /**
   * Distance between {@code a[aOff..aOff+dim)} and {@code b[bOff..bOff+dim)} as indexes store them: cosine vectors
   * are already normalised, so cosine is 1 - a.b here.
   */
  public float storedDistance(float[] a, int aOff, float[] b, int bOff, int dim) {
    return switch (this) {
      case L2 -> VectorUtil.squareDistance(a, aOff, b, bOff, dim);
      case DOT -> -VectorUtil.dot(a, aOff, b, bOff, dim);
      case COSINE -> 1f - VectorUtil.dot(a, aOff, b, bOff, dim);
      case L1 -> VectorUtil.l1Distance(a, aOff, b, bOff, dim);
    };
  }

  /** Whether vectors are normalised to unit length on insert (and queries likewise). */
  public boolean normalizes() {
    return this == COSINE;
  }

  /** Converts a distance into the user-facing score: similarity for DOT and COSINE, Euclidean distance for L2. */
  public float toScore(float distance) {
    return switch (this) {
      case L2 -> (float) Math.sqrt(distance);
      case DOT -> -distance;
      case COSINE -> 1f - distance;
      case L1 -> distance;
    };
  }

  /** Parses {@code l2|euclid|euclidean|dot|cosine|l1|manhattan}, case-insensitively. */
  public static Metric parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "l2", "euclid", "euclidean" -> L2;
      case "dot", "ip", "inner_product" -> DOT;
      case "cosine", "cos", "angular" -> COSINE;
      case "l1", "manhattan" -> L1;
      default -> throw new IllegalArgumentException(
          "unknown metric '" + name + "': expected one of l2, dot, cosine, l1");
    };
  }
}
