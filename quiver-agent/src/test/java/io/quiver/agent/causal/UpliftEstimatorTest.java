package io.quiver.agent.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.testing.RandomizedTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Expected values are from scipy.stats 1.17 and from Newcombe (1998), Stat. Med. 17:873, table II. */
class UpliftEstimatorTest extends RandomizedTest {

  @Test
  void distributionFunctionsMatchPublishedValues() {
    assertThat(Distributions.studentQuantile(0.975, 10)).isCloseTo(2.228138851986274, within(1e-9));
    assertThat(Distributions.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-9));
    assertThat(Distributions.studentCdf(1.5, 3.7)).isCloseTo(0.8932009153989933, within(1e-10));
    assertThat(Distributions.normalCdf(-1.0)).isCloseTo(0.15865525393145707, within(1e-12));
  }

  @Test
  void welchIntervalMatchesHandComputedValues() {
    double[] treated = {12.1, 14.3, 13.8, 15.2, 11.9, 14.7};
    double[] control = {10.2, 11.8, 12.5, 9.9, 11.1, 12.0, 10.7};
    List<Observation> obs = new ArrayList<>();
    for (double t : treated) {
      obs.add(Observation.numeric(true, t));
    }
    for (double c : control) {
      obs.add(Observation.numeric(false, c));
    }
    Collections.shuffle(obs, random());
    UpliftEstimate u = UpliftEstimator.estimate(obs, 0.95);
    assertThat(u.method()).isEqualTo("welch");
    assertThat(u.uplift()).isCloseTo(2.495238095238097, within(1e-12));
    assertThat(u.ciLow()).isCloseTo(0.977111163581633, within(1e-8));
    assertThat(u.ciHigh()).isCloseTo(4.0133650268945615, within(1e-8));
    // 1 - the two-sided p-value of scipy.stats.ttest_ind(equal_var=False)
    assertThat(u.confidence()).isCloseTo(0.9951414389635725, within(1e-9));
    assertThat(u.sampleSize()).isEqualTo(13);
  }

  @Test
  void newcombeIntervalMatchesThePublishedExample() {
    UpliftEstimate u = UpliftEstimator.newcombe(56, 70, 48, 80, 0.95);
    assertThat(u.uplift()).isCloseTo(0.2, within(1e-12));
    assertThat(u.ciLow()).isCloseTo(0.0524, within(5e-5));
    assertThat(u.ciHigh()).isCloseTo(0.3339, within(5e-5));
    assertThat(u.ciLow()).isCloseTo(0.052431472402365065, within(1e-9));
    assertThat(u.ciHigh()).isCloseTo(0.333872654036906, within(1e-9));
  }

  @Test
  void binaryConfidenceIsTheLargestLevelExcludingZero() {
    List<Observation> obs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      obs.add(Observation.success(true, i < 9));
      obs.add(Observation.success(false, i < 3));
    }
    UpliftEstimate u = UpliftEstimator.estimate(obs, 0.95);
    assertThat(u.method()).isEqualTo("newcombe");
    assertThat(u.uplift()).isCloseTo(0.6, within(1e-12));
    assertThat(u.ciLow()).isCloseTo(0.17052272393450302, within(1e-9));
    assertThat(u.ciHigh()).isCloseTo(0.8090179735354881, within(1e-9));
    assertThat(u.confidence()).isCloseTo(0.9950365985824897, within(1e-7));
  }

  @Test
  void welchConfidenceIsTheLevelAtWhichTheIntervalTouchesZero() {
    Random r = random();
    for (int round = 0; round < atLeast(20); round++) {
      int n1 = 2 + r.nextInt(20);
      int n2 = 2 + r.nextInt(20);
      double shift = r.nextGaussian();
      double[] a = new double[n1];
      double[] b = new double[n2];
      for (int i = 0; i < n1; i++) {
        a[i] = shift + r.nextGaussian();
      }
      for (int i = 0; i < n2; i++) {
        b[i] = r.nextGaussian() * (0.5 + r.nextDouble());
      }
      UpliftEstimate u = UpliftEstimator.welch(a, b, 0.9);
      if (u.confidence() > 1e-6 && u.confidence() < 1 - 1e-9) {
        UpliftEstimate atConfidence = UpliftEstimator.welch(a, b, u.confidence());
        double nearEnd = u.uplift() > 0 ? atConfidence.ciLow() : atConfidence.ciHigh();
        assertThat(nearEnd).isCloseTo(0, within(1e-6 * (1 + Math.abs(u.uplift()))));
      }
      assertThat(u.ciLow()).isLessThanOrEqualTo(u.uplift());
      assertThat(u.ciHigh()).isGreaterThanOrEqualTo(u.uplift());
    }
  }

  @Test
  void tooFewObservationsAreRejected() {
    assertThatThrownBy(() -> UpliftEstimator.estimate(List.of(Observation.numeric(true, 1),
        Observation.numeric(true, 2), Observation.numeric(false, 1)), 0.95)).hasMessageStartingWith("observations:");
    assertThatThrownBy(() -> UpliftEstimator.estimate(List.of(Observation.success(true, true)), 0.95))
        .hasMessageStartingWith("observations:");
    assertThatThrownBy(() -> Observation.numeric(true, Double.NaN)).hasMessageStartingWith("outcome:");
    assertThatThrownBy(() -> UpliftEstimator.estimate(List.of(), 1.0)).hasMessageStartingWith("level:");
  }
}
