package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;

/**
 * A {@code causal_query}: edges from {@code cause} and/or to {@code effect} (null: any; both given: both must hold)
 * with {@code confidence >= minConfidence} and {@code |uplift| >= minUplift}, at most {@code limit} of them.
 */
public record EdgeQuery(CausalNode cause, CausalNode effect, double minConfidence, double minUplift, int limit) {
  public EdgeQuery {
    Inputs.unit(minConfidence, "min_confidence");
    Inputs.nonNegative(minUplift, "min_uplift");
    Inputs.atLeast(limit, 1, "limit");
  }

  /** AgentDB's defaults: min_confidence 0.5, min_uplift 0, limit 10. */
  public static EdgeQuery of(CausalNode cause, CausalNode effect) {
    return new EdgeQuery(cause, effect, 0.5, 0, 10);
  }
}
