package io.quiver.server.formula;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Qdrant's {@code FormulaQuery} ({@code {formula: Expression, defaults: {...}}}) into a {@link Formula}. An
 * expression is a number, a variable ({@code "$score"}, {@code "$score[i]"}, or a payload key), a filter condition,
 * or an object with exactly one operator key. Every error names the JSON path of the offending part.
 */
public final class FormulaParser {
  private static final Pattern SCORE = Pattern.compile("\\$score(?:\\[(\\d{1,9})])?");
  /** The keys that make an object a filter condition (or a nested filter) rather than an operator. */
  private static final Set<String> CONDITION_KEYS = Set.of("key", "is_empty", "is_null", "has_id", "has_vector",
      "nested", "must", "should", "must_not", "min_should");
  private static final String OPERATORS = "sum, mult, neg, abs, div, sqrt, pow, exp, log10, ln, geo_distance, "
      + "datetime, datetime_key, lin_decay, exp_decay, gauss_decay, or a filter condition";

  private final List<Filter> conditions = new ArrayList<>();

  private FormulaParser() {}

  /** The formula query {@code q} (an object with {@code formula} and optional {@code defaults}) at {@code path}. */
  public static Formula parse(JsonNode q, String path) {
    if (q == null || !q.isObject()) {
      throw new FormulaException(path + ": expected {formula, defaults}, got " + q);
    }
    for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("formula") && !f.equals("defaults")) {
        throw new FormulaException(path + "." + f + ": unknown field; expected formula or defaults");
      }
    }
    JsonNode formula = q.get("formula");
    if (formula == null || formula.isNull()) {
      throw new FormulaException(path + ".formula: required");
    }
    FormulaParser p = new FormulaParser();
    Expression root = p.expression(formula, path + ".formula");
    Map<Integer, Double> scoreDefaults = new HashMap<>();
    Map<String, JsonNode> payloadDefaults = new HashMap<>();
    JsonNode defaults = q.get("defaults");
    if (defaults != null && !defaults.isNull()) {
      if (!defaults.isObject()) {
        throw new FormulaException(path + ".defaults: expected an object of variable -> value, got " + defaults);
      }
      for (var e : defaults.properties()) {
        String at = path + ".defaults." + e.getKey();
        Expression v = variable(e.getKey(), at);
        if (v instanceof Expression.Score s) {
          if (e.getValue().isNumber()) { // as Qdrant: a non-number default score counts as no default
            scoreDefaults.put(s.prefetch(), e.getValue().doubleValue());
          }
        } else {
          payloadDefaults.put(((Expression.Variable) v).key(), e.getValue());
        }
      }
    }
    return new Formula(root, p.conditions, scoreDefaults, payloadDefaults, path + ".formula");
  }

  private Expression expression(JsonNode n, String path) {
    if (n == null || n.isNull()) {
      throw new FormulaException(path + ": expected an expression, got null");
    }
    if (n.isNumber()) {
      return new Expression.Constant(finiteFloat(n, path));
    }
    if (n.isTextual()) {
      return variable(n.textValue(), path);
    }
    if (!n.isObject() || n.isEmpty()) {
      throw new FormulaException(path + ": expected a number, a variable name or an object (" + OPERATORS
          + "), got " + n);
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      if (CONDITION_KEYS.contains(it.next())) { // in any position: {"match": ..., "key": ...} is a condition too
        return condition(n, path);
      }
    }
    String op = n.fieldNames().next();
    if (n.size() != 1) {
      throw new FormulaException(path + ": an operator object has exactly one key, got " + n.size());
    }
    JsonNode a = n.get(op);
    String at = path + "." + op;
    return switch (op) {
      case "sum" -> new Expression.Sum(list(a, at));
      case "mult" -> new Expression.Mult(list(a, at));
      case "neg" -> new Expression.Neg(expression(a, at));
      case "abs" -> new Expression.Abs(expression(a, at));
      case "sqrt" -> new Expression.Sqrt(expression(a, at));
      case "exp" -> new Expression.Exp(expression(a, at));
      case "log10" -> new Expression.Log10(expression(a, at));
      case "ln" -> new Expression.Ln(expression(a, at));
      case "div" -> {
        object(a, at, "left", "right", "by_zero_default");
        JsonNode dflt = a.get("by_zero_default");
        yield new Expression.Div(expression(required(a, "left", at), at + ".left"),
            expression(required(a, "right", at), at + ".right"),
            dflt == null || dflt.isNull() ? null : finiteFloat(dflt, at + ".by_zero_default"));
      }
      case "pow" -> {
        object(a, at, "base", "exponent");
        yield new Expression.Pow(expression(required(a, "base", at), at + ".base"),
            expression(required(a, "exponent", at), at + ".exponent"));
      }
      case "geo_distance" -> {
        object(a, at, "origin", "to");
        JsonNode origin = required(a, "origin", at);
        object(origin, at + ".origin", "lat", "lon");
        double lat = number(required(origin, "lat", at + ".origin"), at + ".origin.lat");
        double lon = number(required(origin, "lon", at + ".origin"), at + ".origin.lon");
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
          throw new FormulaException(at + ".origin: lat must be in [-90, 90] and lon in [-180, 180], got " + origin);
        }
        yield new Expression.GeoDistance(lat, lon, key(required(a, "to", at), at + ".to"));
      }
      case "datetime" -> {
        Instant t = a != null && a.isTextual() ? Values.parseDatetimeOrNull(a.textValue()) : null;
        if (t == null) {
          throw new FormulaException(at + ": expected an RFC 3339 datetime string, got " + a);
        }
        yield new Expression.DatetimeConstant(seconds(t));
      }
      case "datetime_key" -> new Expression.DatetimeKey(key(a, at));
      case "lin_decay" -> decay(Expression.DecayKind.LIN, a, at);
      case "exp_decay" -> decay(Expression.DecayKind.EXP, a, at);
      case "gauss_decay" -> decay(Expression.DecayKind.GAUSS, a, at);
      default -> throw new FormulaException(path + ": unknown expression `" + op + "`; expected a number, a "
          + "variable name, or one of " + OPERATORS);
    };
  }

  /** POSIX seconds with the microsecond fraction. */
  static double seconds(Instant t) {
    return t.getEpochSecond() + (t.getNano() / 1000) / 1e6;
  }

  private Expression decay(Expression.DecayKind kind, JsonNode a, String at) {
    object(a, at, "x", "target", "scale", "midpoint");
    Expression x = expression(required(a, "x", at), at + ".x");
    JsonNode t = a.get("target");
    Expression target = t == null || t.isNull() ? null : expression(t, at + ".target");
    JsonNode s = a.get("scale");
    JsonNode m = a.get("midpoint");
    double scale = s == null || s.isNull() ? 1.0 : finiteFloat(s, at + ".scale");
    double midpoint = m == null || m.isNull() ? 0.5 : finiteFloat(m, at + ".midpoint");
    if (kind == Expression.DecayKind.LIN ? midpoint < 0 || midpoint > 1 : midpoint <= 0 || midpoint >= 1) {
      throw new FormulaException(at + ".midpoint: " + (kind == Expression.DecayKind.LIN
          ? "linear decay midpoint must be in [0, 1]" : "decay midpoint must be in (0, 1)") + ", got " + midpoint);
    }
    if (scale <= 0) {
      throw new FormulaException(at + ".scale: must be positive, got " + scale);
    }
    double lambda = switch (kind) {
      case LIN -> (1 - midpoint) / scale;
      case EXP -> Math.log(midpoint) / scale;
      case GAUSS -> Math.log(midpoint) / (scale * scale);
    };
    return new Expression.Decay(kind, x, target, lambda);
  }

  private List<Expression> list(JsonNode a, String at) {
    if (a == null || !a.isArray()) {
      throw new FormulaException(at + ": expected an array of expressions, got " + a);
    }
    List<Expression> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(expression(a.get(i), at + "[" + i + "]"));
    }
    return out;
  }

  private Expression condition(JsonNode n, String path) {
    ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
    wrapper.putArray("must").add(n);
    Filter f;
    try {
      f = FilterParser.parse(wrapper);
    } catch (IllegalArgumentException e) { // FilterParseException and value errors
      throw new FormulaException(path + ": invalid condition: " + e.getMessage());
    }
    conditions.add(f);
    return new Expression.Matches(conditions.size() - 1);
  }

  /** A variable name: {@code $score}, {@code $score[i]}, or a payload key. */
  static Expression variable(String name, String path) {
    if (name.startsWith("$")) {
      Matcher m = SCORE.matcher(name);
      if (!m.matches()) {
        throw new FormulaException(path + ": invalid reserved variable \"" + name + "\"; expected $score or "
            + "$score[i]");
      }
      return new Expression.Score(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
    }
    return new Expression.Variable(key(name, path));
  }

  private static String key(JsonNode n, String path) {
    if (n == null || !n.isTextual()) {
      throw new FormulaException(path + ": expected a payload key, got " + n);
    }
    return key(n.textValue(), path);
  }

  private static String key(String k, String path) {
    if (!PayloadPath.isValidKey(k)) {
      throw new FormulaException(path + ": invalid payload key \"" + k + "\"");
    }
    return k;
  }

  private static JsonNode required(JsonNode parent, String field, String path) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      throw new FormulaException(path + "." + field + ": required");
    }
    return v;
  }

  private static void object(JsonNode n, String path, String... fields) {
    if (n == null || !n.isObject()) {
      throw new FormulaException(path + ": expected an object with " + String.join(", ", fields) + ", got " + n);
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of(fields).contains(f)) {
        throw new FormulaException(path + "." + f + ": unknown field; expected " + String.join(", ", fields));
      }
    }
  }

  private static double number(JsonNode n, String path) {
    if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
      throw new FormulaException(path + ": expected a number, got " + n);
    }
    return n.doubleValue();
  }

  /** A number as Qdrant reads it: a 32-bit float, widened. */
  private static double finiteFloat(JsonNode n, String path) {
    float f = (float) number(n, path);
    if (!Float.isFinite(f)) {
      throw new FormulaException(path + ": " + n + " is out of the 32-bit float range");
    }
    return f;
  }
}
