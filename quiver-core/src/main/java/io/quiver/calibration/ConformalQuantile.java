package io.quiver.calibration;

import io.quiver.QuiverException;
import java.util.Arrays;

/**
 * The split-conformal quantile. Given the scores s_1..s_n of n calibration pairs and a new pair whose score s is
 * exchangeable with them, let k = floor((n + 1) alpha) and t the k-th worst calibration score (the k-th smallest
 * when larger is better, the k-th largest for a distance). Then s is worse than t only if s is among the k worst of
 * the n + 1 scores, which happens with probability at most k / (n + 1) <= alpha: P(s passes t) >= 1 - alpha, and for
 * scores without ties also P(s passes t) < 1 - alpha + 1 / (n + 1). "Passes" is {@code s >= t} for similarities and
 * {@code s <= t} for distances; ties with t pass, which only raises coverage.
 */
public final class ConformalQuantile {
  /** Slack for (n + 1) alpha landing a rounding error below an integer (20 x 0.05 must give 1, not 0). */
  private static final double EPS = 1e-9;

  private ConformalQuantile() {}

  /** k = floor((n + 1) alpha): the rank of the threshold among the calibration scores, worst first. */
  public static int rank(int n, double alpha) {
    checkAlpha(alpha);
    return (int) Math.floor((n + 1) * alpha + EPS);
  }

  /** The fewest calibration pairs for which {@code alpha} has a finite threshold: ceil(1 / alpha) - 1. */
  public static int minPairs(double alpha) {
    checkAlpha(alpha);
    return (int) Math.ceil(1 / alpha - EPS) - 1;
  }

  /**
   * The threshold for miscoverage {@code alpha} over {@code scores}, in the metric's direction.
   *
   * @throws QuiverException.InvalidInput when alpha is not in (0, 1), or n < {@link #minPairs} (every threshold
   *     would then be -infinity: no finite cut-off keeps a relevant result with probability >= 1 - alpha)
   */
  public static float threshold(float[] scores, double alpha, boolean largerBetter) {
    int k = rank(scores.length, alpha);
    if (k < 1) {
      throw new QuiverException.InvalidInput("alpha " + alpha + " needs at least " + minPairs(alpha)
          + " calibration pairs (floor((n + 1) * alpha) >= 1), got " + scores.length);
    }
    float[] sorted = scores.clone();
    Arrays.sort(sorted);
    return largerBetter ? sorted[k - 1] : sorted[sorted.length - k];
  }

  /** Whether {@code score} is kept by {@code threshold}. */
  public static boolean passes(float score, float threshold, boolean largerBetter) {
    return largerBetter ? score >= threshold : score <= threshold;
  }

  /** The fraction of {@code scores} kept by {@code threshold} (NaN for none). */
  public static double coverage(float[] scores, float threshold, boolean largerBetter) {
    int kept = 0;
    for (float s : scores) {
      kept += passes(s, threshold, largerBetter) ? 1 : 0;
    }
    return (double) kept / scores.length;
  }

  private static void checkAlpha(double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new QuiverException.InvalidInput("alpha must be in (0, 1), got " + alpha);
    }
  }
}
