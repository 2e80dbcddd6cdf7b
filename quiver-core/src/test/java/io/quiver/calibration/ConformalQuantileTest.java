package io.quiver.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.QuiverException;
import io.quiver.testing.RandomizedTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConformalQuantileTest extends RandomizedTest {
  @Test
  void rankIsFloorOfNPlusOneTimesAlpha() {
    assertThat(ConformalQuantile.rank(19, 0.05)).isEqualTo(1);
    assertThat(ConformalQuantile.rank(18, 0.05)).isZero();
    assertThat(ConformalQuantile.rank(99, 0.1)).isEqualTo(10);
    assertThat(ConformalQuantile.rank(150, 0.2)).isEqualTo(30);
    assertThat(ConformalQuantile.minPairs(0.05)).isEqualTo(19);
    assertThat(ConformalQuantile.minPairs(0.1)).isEqualTo(9);
    assertThat(ConformalQuantile.minPairs(0.2)).isEqualTo(4);
    assertThat(ConformalQuantile.minPairs(0.3)).isEqualTo(3);
    for (double alpha : new double[] {0.01, 0.05, 0.1, 0.2, 0.3, 0.37, 0.5}) {
      int min = ConformalQuantile.minPairs(alpha);
      assertThat(ConformalQuantile.rank(min, alpha)).as("alpha %s", alpha).isEqualTo(1);
      assertThat(ConformalQuantile.rank(min - 1, alpha)).as("alpha %s", alpha).isZero();
    }
  }

  @Test
  void tooFewPairsOrABadAlphaAreRefused() {
    assertThatThrownBy(() -> ConformalQuantile.threshold(new float[18], 0.05, true))
        .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("at least 19 calibration pairs")
        .hasMessageContaining("got 18");
    assertThatThrownBy(() -> ConformalQuantile.threshold(new float[100], 0, true))
        .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("alpha must be in (0, 1)");
    assertThatThrownBy(() -> ConformalQuantile.threshold(new float[100], 1, true))
        .isInstanceOf(QuiverException.InvalidInput.class);
    assertThatThrownBy(() -> ConformalQuantile.threshold(new float[100], Double.NaN, true))
        .isInstanceOf(QuiverException.InvalidInput.class);
  }

  @Test
  void thresholdIsTheKthWorstScoreInTheMetricsDirection() {
    float[] scores = {0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.2f, 0.8f, 0.4f, 0.6f}; // n = 9
    // alpha 0.2: k = floor(10 * 0.2) = 2
    assertThat(ConformalQuantile.threshold(scores, 0.2, true)).isEqualTo(0.2f);
    assertThat(ConformalQuantile.threshold(scores, 0.2, false)).isEqualTo(0.8f);
    assertThat(ConformalQuantile.coverage(scores, 0.2f, true)).isEqualTo(8 / 9.0);
    assertThat(ConformalQuantile.coverage(scores, 0.8f, false)).isEqualTo(8 / 9.0);
    assertThat(scores[0]).as("the input is not reordered").isEqualTo(0.9f);
  }

  /**
   * For continuous exchangeable scores the coverage of a fresh score, averaged over calibration sets, is exactly
   * 1 - k / (n + 1) (>= 1 - alpha). Given the calibration set it is Beta(n + 1 - k, k) distributed; each trial
   * estimates it from m fresh scores (binomial noise at most 1 / (4m)). The mean over T trials is then within 4
   * standard errors of that value except with probability about 6e-5 per level.
   */
  @Test
  void coverageOnExchangeableDataIsAtLeastOneMinusAlphaOnAverage() {
    Random rnd = random();
    for (double alpha : new double[] {0.05, 0.1, 0.2}) {
      boolean largerBetter = rnd.nextBoolean();
      int n = ConformalQuantile.minPairs(alpha) + rnd.nextInt(300);
      int trials = atLeast(400);
      int m = 200;
      double shift = rnd.nextGaussian();
      double spread = 0.1 + rnd.nextDouble();
      boolean skewed = rnd.nextBoolean();
      double sum = 0;
      for (int t = 0; t < trials; t++) {
        float[] cal = new float[n];
        for (int i = 0; i < n; i++) {
          cal[i] = draw(rnd, shift, spread, skewed);
        }
        float threshold = ConformalQuantile.threshold(cal, alpha, largerBetter);
        int kept = 0;
        for (int i = 0; i < m; i++) {
          kept += ConformalQuantile.passes(draw(rnd, shift, spread, skewed), threshold, largerBetter) ? 1 : 0;
        }
        sum += (double) kept / m;
      }
      double mean = sum / trials;
      int k = ConformalQuantile.rank(n, alpha);
      double a = n + 1 - k;
      double expected = a / (n + 1);
      double betaVariance = a * k / ((n + 1.0) * (n + 1.0) * (n + 2.0));
      double se = Math.sqrt((betaVariance + 0.25 / m) / trials);
      assertThat(expected).isGreaterThanOrEqualTo(1 - alpha);
      assertThat(mean).as("alpha %s, n %d, %d trials, larger better %s: mean coverage", alpha, n, trials,
          largerBetter).isBetween(expected - 4 * se, expected + 4 * se).isGreaterThanOrEqualTo(1 - alpha - 4 * se);
    }
  }

  private static float draw(Random rnd, double shift, double spread, boolean skewed) {
    double x = skewed ? -Math.log(1 - rnd.nextDouble()) : rnd.nextGaussian();
    return (float) (shift + spread * x);
  }
}
