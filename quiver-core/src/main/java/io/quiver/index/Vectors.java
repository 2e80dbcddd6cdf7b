package io.quiver.index;

/**
 * Validation of vectors shared by every index and by collections: the one place the "bad vector" messages are
 * written.
 */
public final class Vectors {
  private Vectors() {}

  /** Throws {@link IllegalArgumentException} unless {@code v} has {@code dimension} finite components. */
  public static void check(float[] v, int dimension) {
    String problem = problem(v, dimension, "the index dimension");
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * What is wrong with {@code v} as a vector of {@code dimension} finite components, or null when nothing is;
   * {@code expected} names the dimension it must match (e.g. "the index dimension").
   */
  public static String problem(float[] v, int dimension, String expected) {
    if (v == null) {
      return "vector is missing";
    }
    if (v.length != dimension) {
      return "vector dimension " + v.length + " does not match " + expected + " " + dimension;
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return "vector component " + i + " is " + v[i] + "; only finite values are allowed";
      }
    }
    return null;
  }
}
