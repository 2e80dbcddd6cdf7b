package io.quiver.collection;

/**
 * Thresholds of the filtered-search planner, per collection. For each segment the planner estimates how many live
 * points the filter accepts ({@code m}, exact from payload indexes, sampled otherwise) out of {@code n}, then:
 * <ul>
 *   <li>{@code m <= max(exactMaxMatches, exactMaxFraction * n)}: {@link SearchStrategy#EXACT};
 *   <li>{@code m / n <= acornMaxSelectivity}: {@link SearchStrategy#ACORN};
 *   <li>otherwise {@link SearchStrategy#ROUTE_THROUGH}.
 * </ul>
 * A graph search may compute at most {@code visitBudget * m} distances (at least {@code 4 * ef}); past that it stops
 * and the segment is scanned exactly, as the scan would then be cheaper. A graph search returning fewer than the
 * wanted number of points is also completed by an exact scan, so results are never short.
 *
 * @param exactMaxMatches matches up to which a segment is always scanned exactly
 * @param exactMaxFraction matching fraction of the segment up to which it is scanned exactly
 * @param acornMaxSelectivity matching fraction up to which ACORN traversal is used rather than route-through
 * @param visitBudget graph distance computations allowed per estimated match before falling back to a scan
 */
public record PlannerConfig(int exactMaxMatches, double exactMaxFraction, double acornMaxSelectivity,
    double visitBudget) {
  /** Defaults measured on Fashion-MNIST and synthetic filters (docs/benchmarks.md, "Filtered search"). */
  public static final PlannerConfig DEFAULT = new PlannerConfig(2_048, 0.01, 0.5, 1.0);

  public PlannerConfig {
    if (exactMaxMatches < 0) {
      throw new IllegalArgumentException("exactMaxMatches must be >= 0, got " + exactMaxMatches);
    }
    if (!(exactMaxFraction >= 0 && exactMaxFraction <= 1)) {
      throw new IllegalArgumentException("exactMaxFraction must be in [0, 1], got " + exactMaxFraction);
    }
    if (!(acornMaxSelectivity >= 0 && acornMaxSelectivity <= 1)) {
      throw new IllegalArgumentException("acornMaxSelectivity must be in [0, 1], got " + acornMaxSelectivity);
    }
    if (!(visitBudget > 0) || Double.isInfinite(visitBudget)) {
      throw new IllegalArgumentException("visitBudget must be > 0, got " + visitBudget);
    }
  }

  /** The strategy for a segment of {@code live} points of which about {@code matches} pass the filter. */
  SearchStrategy choose(long matches, long live) {
    if (matches <= Math.max(exactMaxMatches, (long) (exactMaxFraction * live))) {
      return SearchStrategy.EXACT;
    }
    return live > 0 && (double) matches / live <= acornMaxSelectivity ? SearchStrategy.ACORN
        : SearchStrategy.ROUTE_THROUGH;
  }
}
