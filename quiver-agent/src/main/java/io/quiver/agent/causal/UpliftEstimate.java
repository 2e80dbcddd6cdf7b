package io.quiver.agent.causal;

/**
 * An uplift estimated from observations: {@code uplift = mean(treated) − mean(control)} with its {@code level}
 * confidence interval [{@code ciLow}, {@code ciHigh}], and {@code confidence}: the largest level whose interval
 * excludes 0 (0 when the interval at any level contains 0; for Welch's interval this is 1 − the two-sided p-value).
 *
 * @param method {@code welch} (numeric outcomes: Welch's t interval) or {@code newcombe} (success outcomes:
 *     Newcombe's hybrid score interval from two Wilson intervals)
 */
public record UpliftEstimate(double uplift, double ciLow, double ciHigh, double level, long treatedCount,
    long controlCount, double confidence, String method) {
  public long sampleSize() {
    return treatedCount + controlCount;
  }
}
