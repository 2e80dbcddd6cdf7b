package io.quiver.agent.store;

import io.quiver.QuiverException;

/**
 * Argument checks shared by the agent stores. Each failure is a {@link QuiverException.InvalidInput} whose message
 * starts with the JSON path of the offending argument (as the MCP and REST layers name it), and is raised before
 * anything is written.
 */
public final class Inputs {
  private Inputs() {}

  public static QuiverException.InvalidInput invalid(String path, String message) {
    return new QuiverException.InvalidInput(path + ": " + message);
  }

  /** {@code value}, which must be non-null and not blank. */
  public static String text(String value, String path) {
    if (value == null || value.isBlank()) {
      throw invalid(path, "required, a non-empty string");
    }
    return value;
  }

  /** {@code value}, which must lie in [0, 1]. */
  public static double unit(double value, String path) {
    if (!(value >= 0 && value <= 1)) {
      throw invalid(path, "must be a number in [0, 1], got " + value);
    }
    return value;
  }

  /** {@code value}, which must be finite. */
  public static double finite(double value, String path) {
    if (!Double.isFinite(value)) {
      throw invalid(path, "must be a finite number, got " + value);
    }
    return value;
  }

  /** {@code value}, which must be finite and ≥ 0. */
  public static double nonNegative(double value, String path) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw invalid(path, "must be a finite number >= 0, got " + value);
    }
    return value;
  }

  /** {@code value}, which must be ≥ {@code min}. */
  public static long atLeast(long value, long min, String path) {
    if (value < min) {
      throw invalid(path, "must be >= " + min + ", got " + value);
    }
    return value;
  }
}
