package io.quiver.server.formula;

import java.util.List;

/**
 * A parsed formula expression (Qdrant's {@code Expression}): immutable, evaluated per candidate point by
 * {@link FormulaEvaluator}. Every value is a double; constants keep the float precision Qdrant parses them with.
 */
public sealed interface Expression {
  /** A number. */
  record Constant(double value) implements Expression {}

  /** {@code $score} ({@code prefetch} 0) or {@code $score[i]}: the point's score in that prefetch's results. */
  record Score(int prefetch) implements Expression {}

  /** A payload key: its single numeric value, else the key's default. */
  record Variable(String key) implements Expression {}

  /** A filter condition: 1 when the point matches it, else 0; {@code id} indexes {@link Formula#conditions()}. */
  record Matches(int id) implements Expression {}

  /** Haversine distance in metres from {@code (lat, lon)} to the geo point at payload key {@code key}. */
  record GeoDistance(double lat, double lon, String key) implements Expression {}

  /** A datetime constant as POSIX seconds (microsecond fraction). */
  record DatetimeConstant(double seconds) implements Expression {}

  /** The datetime string at payload key {@code key}, as POSIX seconds. */
  record DatetimeKey(String key) implements Expression {}

  /** Product; 0 as soon as a factor is 0 (later factors are not evaluated). */
  record Mult(List<Expression> factors) implements Expression {
    public Mult {
      factors = List.copyOf(factors);
    }
  }

  /** Sum (0 when empty). */
  record Sum(List<Expression> terms) implements Expression {
    public Sum {
      terms = List.copyOf(terms);
    }
  }

  record Neg(Expression arg) implements Expression {}

  record Abs(Expression arg) implements Expression {}

  /**
   * {@code left / right}: 0 when {@code left} is 0 ({@code right} is not evaluated), {@code byZeroDefault} (when not
   * null) when {@code right} is 0; any other non-finite quotient is an error.
   */
  record Div(Expression left, Expression right, Double byZeroDefault) implements Expression {}

  /** Square root; a non-finite result (a negative argument) is an error. */
  record Sqrt(Expression arg) implements Expression {}

  /** {@code base ^ exponent}; a non-finite result is an error. */
  record Pow(Expression base, Expression exponent) implements Expression {}

  /** e to the argument; a non-finite result is an error. */
  record Exp(Expression arg) implements Expression {}

  /** Base-10 logarithm; a non-finite result (argument <= 0) is an error. */
  record Log10(Expression arg) implements Expression {}

  /** Natural logarithm; a non-finite result (argument <= 0) is an error. */
  record Ln(Expression arg) implements Expression {}

  /** The decay shapes; each maps |x - target| to [0, 1], 1 at the target and {@code midpoint} at {@code scale}. */
  enum DecayKind {
    /** {@code max(0, 1 - lambda |x - target|)}, lambda = (1 - midpoint) / scale. */
    LIN,
    /** {@code exp(lambda |x - target|)}, lambda = ln(midpoint) / scale. */
    EXP,
    /** {@code exp(lambda (x - target)^2)}, lambda = ln(midpoint) / scale^2. */
    GAUSS
  }

  /** A decay of {@code x} around {@code target} (0 when null), with the {@code lambda} its kind derives. */
  record Decay(DecayKind kind, Expression x, Expression target, double lambda) implements Expression {}
}
