package io.quiver.payload;

/**
 * How many live points of a segment a filter is estimated to match: {@code min <= expected <= max}, with
 * {@code min == max} when the estimate is exact.
 */
public record Cardinality(int min, int expected, int max) {
  public Cardinality {
    if (min < 0 || min > expected || expected > max) {
      throw new IllegalArgumentException("need 0 <= min <= expected <= max, got " + min + ", " + expected + ", " + max);
    }
  }

  public static Cardinality exact(int n) {
    return new Cardinality(n, n, n);
  }

  public boolean isExact() {
    return min == max;
  }
}
