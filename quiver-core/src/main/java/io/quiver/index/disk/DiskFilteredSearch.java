package io.quiver.index.disk;

import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;

/**
 * The filtered-search planner of a {@link DiskIndex}, for a caller that knows the filter's matches (a payload index's
 * list of ordinals). Its cost model counts block reads, the price of a disk search:
 * <ul>
 *   <li>few matches ({@link Strategy#SCAN_CODES}): score the RAM codes of every match and read blocks only for the
 *       shortlist ({@link DiskIndex#searchAmong}): about {@code L} reads, whatever the selectivity, plus one code
 *       comparison per match;
 *   <li>more ({@link Strategy#WALK}): the graph walk with the filter, its list size widened to {@code L / s} for a
 *       matching fraction {@code s} (capped), so that about {@code L} of the nodes it scores match; a walk that comes
 *       back with fewer than {@code k} results while more match is completed by the code scan.
 * </ul>
 * Either way a search never returns fewer than {@code min(k, live matches)} results. Immutable and thread-safe.
 */
public final class DiskFilteredSearch {
  /** How one filtered search runs. */
  public enum Strategy {
    /** Code scan of the matches, blocks read for the shortlist only. */
    SCAN_CODES,
    /** Graph walk with the filter and a widened list. */
    WALK
  }

  /**
   * The planner's decision for one search.
   *
   * @param strategy how it runs
   * @param listSize the list size it runs with (widened for a walk)
   */
  public record Plan(Strategy strategy, int listSize) {}

  /** Thresholds measured on 100,000 x 128 synthetic data (docs/benchmarks.md, "Filtered search on disk"). */
  public static final DiskFilteredSearch DEFAULT = builder().build();

  private final int scanMaxMatches;
  private final double scanMaxFraction;
  private final int maxListSize;
  private final Strategy forced;

  private DiskFilteredSearch(Builder b) {
    this.scanMaxMatches = b.scanMaxMatches;
    this.scanMaxFraction = b.scanMaxFraction;
    this.maxListSize = b.maxListSize;
    this.forced = b.forced;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The plan for {@code matches} matching ordinals out of {@code live}: a code scan when
   * {@code matches <= max(scanMaxMatches, scanMaxFraction * live)}, else a walk with list size
   * {@code min(maxListSize, ceil(max(k, L) * live / matches))} (never below {@code max(k, L)}).
   */
  public Plan plan(int matches, int live, int k, DiskSearchParams params) {
    int list = Math.max(k, params.listSize());
    Strategy s = forced != null ? forced
        : matches <= Math.max(scanMaxMatches, (long) (scanMaxFraction * live)) ? Strategy.SCAN_CODES : Strategy.WALK;
    if (s == Strategy.SCAN_CODES) {
      return new Plan(s, list);
    }
    double widened = Math.ceil((double) list * Math.max(live, 1) / Math.max(matches, 1));
    return new Plan(s, (int) Math.max(list, Math.min(Math.max(maxListSize, list), widened)));
  }

  /**
   * The k nearest live ordinals among the filter's matches, nearest first.
   *
   * @param accept the filter as a fast test (a bitset): what the walk checks on every node it scores
   * @param matches the matching ordinals, {@code matches[0..count)} (deleted ones are skipped)
   */
  public SearchResult search(DiskIndex index, float[] query, int k, DiskSearchParams params, OrdinalFilter accept,
      int[] matches, int count) {
    if (accept == null || matches == null) {
      throw new IllegalArgumentException("a filtered search needs the filter and its list of matches");
    }
    if (count < 0 || count > matches.length) {
      throw new IllegalArgumentException("count " + count + " outside 0.." + matches.length);
    }
    Plan plan = plan(count, index.size(), k, params);
    DiskSearchParams p = new DiskSearchParams(plan.listSize(), params.beamWidth(), params.rerank());
    if (plan.strategy() == Strategy.SCAN_CODES) {
      return index.searchAmong(query, k, matches, count, p);
    }
    SearchResult walked = index.search(query, k, p, accept);
    if (walked.size() >= Math.min(k, count)) {
      return walked;
    }
    SearchResult among = index.searchAmong(query, k, matches, count, params);
    return among.size() <= walked.size() ? walked
        : new SearchResult(among.ordinals(), among.distances(), walked.distanceComputations()
            + among.distanceComputations());
  }

  /** Thresholds of a {@link DiskFilteredSearch}. */
  public static final class Builder {
    private int scanMaxMatches = 20_000;
    private double scanMaxFraction = 0.0;
    private int maxListSize = 1_024;
    private Strategy forced;

    private Builder() {}

    /** Matches up to which the codes are scanned rather than the graph walked. */
    public Builder scanMaxMatches(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("scanMaxMatches must be >= 0, got " + n);
      }
      scanMaxMatches = n;
      return this;
    }

    /** Matching fraction of the live points up to which the codes are scanned (with {@link #scanMaxMatches}). */
    public Builder scanMaxFraction(double f) {
      if (!(f >= 0 && f <= 1)) {
        throw new IllegalArgumentException("scanMaxFraction must be in [0, 1], got " + f);
      }
      scanMaxFraction = f;
      return this;
    }

    /** The widest list a walk is given, however selective the filter. */
    public Builder maxListSize(int l) {
      if (l < 1) {
        throw new IllegalArgumentException("maxListSize must be >= 1, got " + l);
      }
      maxListSize = l;
      return this;
    }

    /** Always uses {@code s} (null: plan): for measuring each strategy at every selectivity. */
    public Builder force(Strategy s) {
      forced = s;
      return this;
    }

    public DiskFilteredSearch build() {
      return new DiskFilteredSearch(this);
    }
  }
}
