package io.quiver.calibration;

import java.util.List;

/**
 * What a calibration produced: the thresholds (computed on the calibration queries only) and, when queries were
 * held out, the coverage those thresholds achieve on them.
 *
 * @param holdout null unless a held-out split was asked for
 */
public record CalibrationReport(Calibration calibration, Holdout holdout) {
  /**
   * The held-out split: its queries and pairs, the seed that drew it, and per threshold (in the order of
   * {@link Calibration#thresholds()}) the fraction of held-out pairs whose score passes it.
   */
  public record Holdout(long seed, int queries, int pairs, List<Double> coverage) {
    public Holdout {
      coverage = List.copyOf(coverage);
    }
  }
}
