package io.quiver.agent.learning;

/**
 * A split-conformal interval around a predicted value, from the session's held-out residuals: each feedback's
 * residual |target - Q(s, a)| is measured with the table as it stood before that feedback was learned from, the
 * latest {@code calibrationWindow} of them are the calibration set, and the half-width is their
 * ceil((n + 1)(1 - alpha))-th smallest ({@code io.quiver.calibration.ConformalQuantile}). For a new feedback
 * exchangeable with the calibration ones, P(target in [lower, upper]) >= 1 - alpha. The target is the one-step
 * return (reward + gamma V(next state)); a bandit's is the reward. While the policy learns the residuals drift, so
 * exchangeability holds only approximately; the newest window tracks the drift.
 *
 * @param available false when there are too few calibration points for {@code alpha} (then the bounds are NaN and
 *     {@code reason} says how many are needed)
 */
public record ConformalInterval(boolean available, double lower, double upper, double halfWidth, double alpha,
    int calibrationPoints, String reason) {
  static ConformalInterval unavailable(double alpha, int points, String reason) {
    return new ConformalInterval(false, Double.NaN, Double.NaN, Double.NaN, alpha, points, reason);
  }

  /** Whether {@code x} lies in the interval (never for an unavailable one). */
  public boolean contains(double x) {
    return available && x >= lower && x <= upper;
  }
}
