package io.quiver.agent.learning;

import io.quiver.calibration.ConformalQuantile;
import java.util.ArrayDeque;

/**
 * The latest held-out residuals of a session (oldest dropped first), and the conformal interval they calibrate.
 * Residuals are absolute errors (smaller is better), so the threshold is {@link ConformalQuantile}'s distance
 * direction: the ceil((n + 1)(1 - alpha))-th smallest of n.
 */
final class ResidualWindow {
  private final int capacity;
  private final ArrayDeque<Double> residuals = new ArrayDeque<>();

  ResidualWindow(int capacity) {
    this.capacity = capacity;
  }

  void add(double residual) {
    residuals.addLast(residual);
    while (residuals.size() > capacity) {
      residuals.removeFirst();
    }
  }

  int size() {
    return residuals.size();
  }

  ConformalInterval interval(double value, double alpha) {
    int n = residuals.size();
    int need = ConformalQuantile.minPairs(alpha);
    if (n < need) {
      return ConformalInterval.unavailable(alpha, n, "alpha " + alpha + " needs at least " + need
          + " held-out feedback residuals, the session has " + n);
    }
    float[] scores = new float[n];
    int i = 0;
    for (double r : residuals) {
      scores[i++] = (float) r;
    }
    double half = ConformalQuantile.threshold(scores, alpha, false);
    return new ConformalInterval(true, value - half, value + half, half, alpha, n, null);
  }
}
