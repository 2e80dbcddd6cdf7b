package io.quiver.cli.bench.disk;

import io.quiver.index.OrdinalFilter;
import java.util.Arrays;

/**
 * The keyword labels of bench-disk's filtered searches: for a selectivity level {@code s}, row {@code r} carries the
 * label with probability {@code s}, decided by a hash of (seed, s, r) alone, so labels are uncorrelated with the
 * vectors and the same in every process and for every list of levels.
 */
final class FilterLabels {
  private FilterLabels() {}

  /** The rows of {@code 0..n-1} labelled at level {@code selectivity} under {@code seed}. */
  static RowFilter level(long seed, double selectivity, int n) {
    if (!(selectivity > 0 && selectivity <= 1)) {
      throw new IllegalArgumentException("a filter selectivity must be in (0, 1], got " + selectivity);
    }
    long[] words = new long[(n + 63) >>> 6];
    int[] rows = new int[Math.max(16, (int) Math.min(n, 1.1 * selectivity * n + 64))];
    int count = 0;
    long levelKey = mix(seed ^ mix(Double.doubleToLongBits(selectivity)));
    for (int r = 0; r < n; r++) {
      double u = (mix(levelKey + r * 0x9e3779b97f4a7c15L) >>> 11) * 0x1.0p-53;
      if (u < selectivity) {
        words[r >>> 6] |= 1L << r;
        if (count == rows.length) {
          rows = Arrays.copyOf(rows, Math.min(n, count * 2));
        }
        rows[count++] = r;
      }
    }
    return new RowFilter(selectivity, new OrdinalFilter.Bits(words), Arrays.copyOf(rows, count));
  }

  /** SplitMix64's finaliser: every input bit flips about half the output bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
