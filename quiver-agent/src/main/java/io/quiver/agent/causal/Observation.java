package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;

/**
 * One unit of a recorded experiment: whether it received the cause ({@code treated}) and its outcome, either a
 * success (stored as 1 or 0, {@code binary}) or a finite number.
 */
public record Observation(boolean treated, double outcome, boolean binary) {
  public Observation {
    Inputs.finite(outcome, "outcome");
    if (binary && outcome != 0 && outcome != 1) {
      throw Inputs.invalid("outcome", "a success outcome is 0 or 1, got " + outcome);
    }
  }

  public static Observation success(boolean treated, boolean success) {
    return new Observation(treated, success ? 1 : 0, true);
  }

  public static Observation numeric(boolean treated, double outcome) {
    return new Observation(treated, outcome, false);
  }
}
