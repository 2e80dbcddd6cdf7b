package io.quiver.cli.bench.agent;

import java.util.Arrays;

/** Percentiles of a set of latencies in nanoseconds, by the nearest-rank rule (p99 of 100 values is the 99th). */
record LatencyStats(int count, double p50Ms, double p99Ms, double maxMs, double meanMs) {
  static final LatencyStats EMPTY = new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  static LatencyStats of(long[] nanos) {
    if (nanos.length == 0) {
      return EMPTY;
    }
    long[] s = nanos.clone();
    Arrays.sort(s);
    double sum = 0;
    for (long v : s) {
      sum += v;
    }
    return new LatencyStats(s.length, ms(rank(s, 0.50)), ms(rank(s, 0.99)), ms(s[s.length - 1]),
        sum / s.length / 1e6);
  }

  /** The nearest-rank percentile: the smallest value with at least fraction {@code p} of the values at or below. */
  static long rank(long[] sorted, double p) {
    int r = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, r - 1))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
