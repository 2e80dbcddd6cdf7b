package io.quiver.server.formula;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.Values;
import java.time.Instant;
import java.util.List;

/**
 * Evaluates a {@link Formula} for one point, with Qdrant's semantics: double arithmetic; a missing prefetch score is
 * its default or 0; a payload variable is the single non-null value at its key (several values count as an array,
 * which is not a number), else its default, else an error; the operations that can leave the reals (div, sqrt,
 * pow, exp, log10, ln) fail on a non-finite result. An error names the path of the expression that failed.
 */
public final class FormulaEvaluator {
  /**
   * One point's inputs: its score in each prefetch ({@code null} where it is not in that prefetch's results), its
   * payload (null when the formula reads none), and whether it matches each of the formula's conditions.
   */
  public record Point(Float[] scores, JsonNode payload, boolean[] matches) {}

  /** An evaluation failure at a path relative to the expression where it is caught. */
  private static final class Failure extends RuntimeException {
    final String at;

    Failure(String at, String message) {
      super(message, null, false, false);
      this.at = at;
    }

    Failure under(String segment) {
      return new Failure(segment + at, getMessage());
    }
  }

  private final Formula formula;

  public FormulaEvaluator(Formula formula) {
    this.formula = formula;
  }

  /** The formula's value for {@code p}, as the 32-bit score it becomes. */
  public float score(Point p, String pointLabel) {
    try {
      return (float) eval(formula.root(), p);
    } catch (Failure f) {
      throw new FormulaException(formula.path() + f.at + ": " + f.getMessage() + " (point " + pointLabel + ")");
    }
  }

  private double eval(Expression e, Point p) {
    return switch (e) {
      case Expression.Constant c -> c.value();
      case Expression.Score s -> {
        Float v = s.prefetch() < p.scores().length ? p.scores()[s.prefetch()] : null;
        yield v != null ? v : formula.scoreDefaults().getOrDefault(s.prefetch(), 0.0);
      }
      case Expression.Variable v -> {
        JsonNode value = value(v.key(), p);
        if (!value.isNumber()) {
          throw new Failure("", "the value for \"" + v.key() + "\" is not a number: " + value);
        }
        yield value.doubleValue();
      }
      case Expression.Matches m -> p.matches()[m.id()] ? 1.0 : 0.0;
      case Expression.GeoDistance g -> {
        JsonNode value = value(g.key(), p);
        if (!value.isObject() || !value.path("lat").isNumber() || !value.path("lon").isNumber()) {
          throw new Failure("", "the value for \"" + g.key() + "\" is not a geo point {lat, lon}: " + value);
        }
        yield Values.haversineMeters(g.lon(), g.lat(), value.get("lon").doubleValue(), value.get("lat").doubleValue());
      }
      case Expression.DatetimeConstant d -> d.seconds();
      case Expression.DatetimeKey d -> {
        JsonNode value = value(d.key(), p);
        Instant t = value.isTextual() ? Values.parseDatetimeOrNull(value.textValue()) : null;
        if (t == null) {
          throw new Failure("", "the value for \"" + d.key() + "\" is not a datetime string: " + value);
        }
        yield FormulaParser.seconds(t);
      }
      case Expression.Mult m -> {
        double product = 1;
        for (int i = 0; i < m.factors().size(); i++) {
          double v = child(m.factors().get(i), p, ".mult[" + i + "]");
          if (v == 0) {
            yield 0;
          }
          product *= v;
        }
        yield product;
      }
      case Expression.Sum s -> {
        double sum = 0;
        for (int i = 0; i < s.terms().size(); i++) {
          sum += child(s.terms().get(i), p, ".sum[" + i + "]");
        }
        yield sum;
      }
      case Expression.Neg n -> -child(n.arg(), p, ".neg");
      case Expression.Abs a -> Math.abs(child(a.arg(), p, ".abs"));
      case Expression.Div d -> {
        double left = child(d.left(), p, ".div.left");
        if (left == 0) {
          yield 0;
        }
        double right = child(d.right(), p, ".div.right");
        if (right == 0 && d.byZeroDefault() != null) {
          yield d.byZeroDefault();
        }
        yield finite(left / right, ".div", left + " / " + right);
      }
      case Expression.Sqrt s -> {
        double v = child(s.arg(), p, ".sqrt");
        yield finite(Math.sqrt(v), ".sqrt", "sqrt(" + v + ")");
      }
      case Expression.Pow w -> {
        double base = child(w.base(), p, ".pow.base");
        double exponent = child(w.exponent(), p, ".pow.exponent");
        yield finite(Math.pow(base, exponent), ".pow", base + " ^ " + exponent);
      }
      case Expression.Exp x -> {
        double v = child(x.arg(), p, ".exp");
        yield finite(Math.exp(v), ".exp", "exp(" + v + ")");
      }
      case Expression.Log10 l -> {
        double v = child(l.arg(), p, ".log10");
        yield finite(Math.log10(v), ".log10", "log10(" + v + ")");
      }
      case Expression.Ln l -> {
        double v = child(l.arg(), p, ".ln");
        yield finite(Math.log(v), ".ln", "ln(" + v + ")");
      }
      case Expression.Decay d -> {
        String name = "." + d.kind().name().toLowerCase() + "_decay";
        double x = child(d.x(), p, name + ".x");
        double target = d.target() == null ? 0 : child(d.target(), p, name + ".target");
        double diff = x - target;
        yield switch (d.kind()) {
          case LIN -> Math.max(0, 1 - d.lambda() * Math.abs(diff));
          case EXP -> Math.exp(d.lambda() * Math.abs(diff));
          case GAUSS -> Math.exp(d.lambda() * diff * diff);
        };
      }
    };
  }

  private double child(Expression e, Point p, String segment) {
    try {
      return eval(e, p);
    } catch (Failure f) {
      throw f.under(segment);
    }
  }

  private static double finite(double v, String at, String what) {
    if (!Double.isFinite(v)) {
      throw new Failure(at, what + " = " + v + " is not a finite number");
    }
    return v;
  }

  /** The value for {@code key}: the point's (an array when several), else the default, else a failure. */
  private JsonNode value(String key, Point p) {
    List<JsonNode> values = PayloadPath.values(p.payload(), key).stream().filter(v -> !v.isNull()).toList();
    if (values.size() == 1) {
      return values.getFirst();
    }
    if (values.size() > 1) {
      return JsonNodeFactory.instance.arrayNode().addAll(values);
    }
    JsonNode dflt = formula.payloadDefaults().get(key);
    if (dflt == null) {
      throw new Failure("", "no value for \"" + key + "\" in the payload nor in the formula's defaults");
    }
    return dflt;
  }
}
