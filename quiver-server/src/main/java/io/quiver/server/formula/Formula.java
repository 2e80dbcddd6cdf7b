package io.quiver.server.formula;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code {formula, defaults}} query. {@code conditions} are the filter conditions the expression refers to
 * by {@link Expression.Matches#id()}; {@code scoreDefaults} and {@code payloadDefaults} stand in for a missing
 * prefetch score and a missing payload value; {@code path} is where the formula sits in the request, for errors.
 */
public record Formula(Expression root, List<Filter> conditions, Map<Integer, Double> scoreDefaults,
    Map<String, JsonNode> payloadDefaults, String path) {
  public Formula {
    conditions = List.copyOf(conditions);
    scoreDefaults = Map.copyOf(scoreDefaults);
    payloadDefaults = Map.copyOf(payloadDefaults);
  }

  /** Whether evaluating needs the points' payloads. */
  public boolean readsPayload() {
    return readsPayload(root);
  }

  private static boolean readsPayload(Expression e) {
    return switch (e) {
      case Expression.Variable v -> true;
      case Expression.GeoDistance g -> true;
      case Expression.DatetimeKey d -> true;
      case Expression.Constant c -> false;
      case Expression.Score s -> false;
      case Expression.Matches m -> false;
      case Expression.DatetimeConstant d -> false;
      case Expression.Mult m -> m.factors().stream().anyMatch(Formula::readsPayload);
      case Expression.Sum s -> s.terms().stream().anyMatch(Formula::readsPayload);
      case Expression.Neg n -> readsPayload(n.arg());
      case Expression.Abs a -> readsPayload(a.arg());
      case Expression.Sqrt s -> readsPayload(s.arg());
      case Expression.Exp x -> readsPayload(x.arg());
      case Expression.Log10 l -> readsPayload(l.arg());
      case Expression.Ln l -> readsPayload(l.arg());
      case Expression.Div d -> readsPayload(d.left()) || readsPayload(d.right());
      case Expression.Pow p -> readsPayload(p.base()) || readsPayload(p.exponent());
      case Expression.Decay d -> readsPayload(d.x()) || d.target() != null && readsPayload(d.target());
    };
  }
}
