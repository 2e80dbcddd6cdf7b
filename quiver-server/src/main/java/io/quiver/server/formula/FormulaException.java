package io.quiver.server.formula;

/** A malformed formula, or one that cannot be evaluated for a point; the message starts with the JSON path. */
public final class FormulaException extends IllegalArgumentException {
  public FormulaException(String message) {
    super(message);
  }
}
