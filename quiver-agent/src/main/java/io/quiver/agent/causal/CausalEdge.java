package io.quiver.agent.causal;

/**
 * A stored causal edge: {@code cause} changes {@code effect} by {@code uplift} (effect under the cause minus effect
 * without it), believed with {@code confidence} in [0, 1] from {@code sampleSize} observations.
 *
 * @param ciLow lower end of the uplift's confidence interval, or null when not estimated from data
 * @param ciHigh upper end, or null
 * @param source {@code manual} (added), {@code estimated} (from recorded experiments) or {@code discovered}
 * @param createdAt epoch milliseconds
 */
public record CausalEdge(long id, CausalNode cause, CausalNode effect, double uplift, double confidence,
    long sampleSize, Double ciLow, Double ciHigh, String source, long createdAt) {
  /** The query order's key: {@code |uplift| · confidence}. */
  public double strength() {
    return Math.abs(uplift) * confidence;
  }
}
