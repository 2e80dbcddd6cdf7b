package io.quiver.index;

/** Validation shared by every index: the one place the "bad vector" messages are written. */
public final class Vectors {
  private Vectors() {}

  /** Throws {@link IllegalArgumentException} unless {@code v} has {@code dimension} finite components. */
  public static void check(float[] v, int dimension) {
    if (v == null) {
      throw new IllegalArgumentException("vector is null");
    }
    if (v.length != dimension) {
      throw new IllegalArgumentException(
          "vector dimension " + v.length + " does not match the index dimension " + dimension);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException("vector component " + i + " is " + v[i] + "; only finite values are allowed");
      }
    }
  }
}
