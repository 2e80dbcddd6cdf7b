package io.quiver.agent.store;

/**
 * The outcome of one use of a skill or pattern, as its feedback tool takes it: {@code success}, {@code reward} in
 * [0, 1], or both (at least one). A missing reward is 1 for success and 0 for failure; a missing success is
 * {@code reward >= 0.5}. {@code latencyMs} (≥ 0) is optional.
 */
public record Outcome(boolean success, double reward, Double latencyMs) {
  public Outcome {
    Inputs.unit(reward, "reward");
    if (latencyMs != null) {
      Inputs.nonNegative(latencyMs, "latency_ms");
    }
  }

  /** Resolves the tool's optional arguments as described above. */
  public static Outcome of(Boolean success, Double reward, Double latencyMs) {
    if (success == null && reward == null) {
      throw Inputs.invalid("success", "give success, reward, or both");
    }
    if (reward != null) {
      Inputs.unit(reward, "reward");
    }
    boolean s = success != null ? success : reward >= 0.5;
    double r = reward != null ? reward : (s ? 1 : 0);
    return new Outcome(s, r, latencyMs);
  }
}
