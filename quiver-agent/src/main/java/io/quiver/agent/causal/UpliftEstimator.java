package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;
import java.util.List;

/**
 * Uplift from observations, {@code mean(treated) − mean(control)}, with a confidence interval:
 * <ul>
 *   <li>all outcomes successes (binary): Newcombe's hybrid score interval (method 10 of Newcombe 1998, built from the
 *       two groups' Wilson intervals), which stays inside [−1, 1] and behaves at 0% and 100%; needs ≥ 1 observation
 *       per group;
 *   <li>otherwise (numbers, or a mix, successes counting 1 and 0): Welch's t interval with Welch–Satterthwaite degrees
 *       of freedom; needs ≥ 2 observations per group.
 * </ul>
 * The confidence is the largest level whose interval excludes 0 (found by bisection for Newcombe's interval; for
 * Welch's it is {@code 1 − p}, p the two-sided Welch test's). A group with no spread gives a zero-width Welch
 * interval: confidence 1 if the means differ, else 0.
 */
public final class UpliftEstimator {
  private UpliftEstimator() {}

  /** Estimates the uplift at confidence {@code level} (in (0, 1), e.g. 0.95). */
  public static UpliftEstimate estimate(List<Observation> observations, double level) {
    if (!(level > 0 && level < 1)) {
      throw Inputs.invalid("level", "must be in (0, 1), got " + level);
    }
    long s1 = 0;
    long s2 = 0;
    boolean binary = true;
    int n1 = 0;
    int n2 = 0;
    for (Observation o : observations) {
      binary &= o.binary();
      if (o.treated()) {
        n1++;
        s1 += o.outcome() == 1 ? 1 : 0;
      } else {
        n2++;
        s2 += o.outcome() == 1 ? 1 : 0;
      }
    }
    if (binary) {
      if (n1 < 1 || n2 < 1) {
        throw Inputs.invalid("observations", "need at least 1 treated and 1 control observation, have " + n1
            + " and " + n2);
      }
      return newcombe(s1, n1, s2, n2, level);
    }
    double[] treated = new double[n1];
    double[] control = new double[n2];
    int i = 0;
    int j = 0;
    for (Observation o : observations) {
      if (o.treated()) {
        treated[i++] = o.outcome();
      } else {
        control[j++] = o.outcome();
      }
    }
    return welch(treated, control, level);
  }

  /** Welch's interval for {@code mean(treated) − mean(control)}. */
  public static UpliftEstimate welch(double[] treated, double[] control, double level) {
    if (treated.length < 2 || control.length < 2) {
      throw Inputs.invalid("observations", "Welch's interval needs at least 2 treated and 2 control observations,"
          + " have " + treated.length + " and " + control.length);
    }
    double m1 = mean(treated);
    double m2 = mean(control);
    double a = variance(treated, m1) / treated.length;
    double b = variance(control, m2) / control.length;
    double d = m1 - m2;
    double se = Math.sqrt(a + b);
    if (se == 0) {
      return new UpliftEstimate(d, d, d, level, treated.length, control.length, d != 0 ? 1 : 0, "welch");
    }
    double df = (a + b) * (a + b) / (a * a / (treated.length - 1) + b * b / (control.length - 1));
    double t = Distributions.studentQuantile((1 + level) / 2, df);
    double p = 2 * (1 - Distributions.studentCdf(Math.abs(d) / se, df));
    return new UpliftEstimate(d, d - t * se, d + t * se, level, treated.length, control.length, 1 - p, "welch");
  }

  /** Newcombe's hybrid score interval for {@code s1/n1 − s2/n2}. */
  public static UpliftEstimate newcombe(long s1, long n1, long s2, long n2, double level) {
    double[] ci = newcombeInterval(s1, n1, s2, n2, Distributions.normalQuantile((1 + level) / 2));
    double d = (double) s1 / n1 - (double) s2 / n2;
    return new UpliftEstimate(d, ci[0], ci[1], level, n1, n2, newcombeConfidence(s1, n1, s2, n2), "newcombe");
  }

  /** The largest level whose Newcombe interval excludes 0: intervals widen with the level, so bisect on it. */
  private static double newcombeConfidence(long s1, long n1, long s2, long n2) {
    if (!excludesZero(newcombeInterval(s1, n1, s2, n2, Distributions.normalQuantile(0.5 + 1e-9)))) {
      return 0;
    }
    double lo = 1e-9;
    double hi = 1 - 1e-12;
    if (excludesZero(newcombeInterval(s1, n1, s2, n2, Distributions.normalQuantile((1 + hi) / 2)))) {
      return hi;
    }
    for (int i = 0; i < 60; i++) {
      double mid = 0.5 * (lo + hi);
      if (excludesZero(newcombeInterval(s1, n1, s2, n2, Distributions.normalQuantile((1 + mid) / 2)))) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static boolean excludesZero(double[] ci) {
    return ci[0] > 0 || ci[1] < 0;
  }

  static double[] newcombeInterval(long s1, long n1, long s2, long n2, double z) {
    double p1 = (double) s1 / n1;
    double p2 = (double) s2 / n2;
    double[] w1 = wilson(p1, n1, z);
    double[] w2 = wilson(p2, n2, z);
    double d = p1 - p2;
    return new double[] {d - Math.sqrt(sq(p1 - w1[0]) + sq(w2[1] - p2)),
        d + Math.sqrt(sq(w1[1] - p1) + sq(p2 - w2[0]))};
  }

  /** Wilson's score interval for a proportion {@code p} of {@code n}. */
  static double[] wilson(double p, long n, double z) {
    double z2 = z * z;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  private static double sq(double x) {
    return x * x;
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static double variance(double[] x, double mean) {
    double s = 0;
    for (double v : x) {
      s += (v - mean) * (v - mean);
    }
    return s / (x.length - 1);
  }
}
