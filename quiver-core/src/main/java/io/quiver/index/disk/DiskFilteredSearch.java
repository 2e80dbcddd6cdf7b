package io.quiver.index.disk;

import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;

/**
 * The filtered-search planner of a {@link DiskIndex}, for a caller that knows the filter's matches (a payload index's
 * list of ordinals). Two strategies, costed in code comparisons with a block read (and its expansion) worth
 * {@link Builder#blockCost} of them:
 * <ul>
 *   <li>{@link Strategy#SCAN_CODES}: score the RAM code of every match and read blocks only for the shortlist
 *       ({@link DiskIndex#searchAmong}): {@code m + L * blockCost} for {@code m} matches and list size {@code L};
 *   <li>{@link Strategy#WALK}: the graph walk with the filter, its list widened to {@code L' = min(maxListSize,
 *       L / s)} for a matching fraction {@code s}, so that about {@code L} of the nodes it scores match:
 *       {@code L' * blockCost} (a walk reads about {@code 0.9 L'} blocks). A walk that comes back with fewer than
 *       {@code k} results while more match is completed by the code scan.
 * </ul>
 * The cheaper one runs: few matches scan, many walk; at {@code L = 64} and the default block cost the two cross near
 * 30% of 100,000 points and 9% of 1,000,000. Either way a search never returns fewer than {@code min(k, live
 * matches)} results. Immutable and thread-safe.
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

  /** The default costs, measured on 100,000 x 128 synthetic data with the index in the page cache. */
  public static final DiskFilteredSearch DEFAULT = builder().build();

  private final double blockCost;
  private final int maxListSize;
  private final Strategy forced;

  private DiskFilteredSearch(Builder b) {
    this.blockCost = b.blockCost;
    this.maxListSize = b.maxListSize;
    this.forced = b.forced;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The plan for {@code matches} matching ordinals out of {@code live}, with {@code L = max(k, listSize)}: the cheaper
   * of a code scan (list {@code L}) and a walk with list {@code min(maxListSize, ceil(L * live / matches))} (never
   * below {@code L}).
   */
  public Plan plan(int matches, int live, int k, DiskSearchParams params) {
    int list = Math.max(k, params.listSize());
    double widened = Math.ceil((double) list * Math.max(live, 1) / Math.max(matches, 1));
    int walkList = (int) Math.max(list, Math.min(Math.max(maxListSize, list), widened));
    Strategy s = forced;
    if (s == null) {
      double scanCost = matches + list * blockCost;
      double walkCost = walkList * blockCost;
      s = scanCost <= walkCost ? Strategy.SCAN_CODES : Strategy.WALK;
    }
    return new Plan(s, s == Strategy.SCAN_CODES ? list : walkList);
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
    DiskSearchParams p = new DiskSearchParams(plan.listSize(), params.beamWidth(), params.rerank(),
        params.entrySamples());
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

  /** Costs and limits of a {@link DiskFilteredSearch}. */
  public static final class Builder {
    /**
     * Warm, 100,000 x 128: a walk's block read with its expansion (scoring the neighbours' and page-mates' codes)
     * took 6.5 us (116 reads in 0.76 ms at list 128), scoring one match's code in the scan 15 to 50 ns.
     */
    private double blockCost = 200;
    private int maxListSize = 1_024;
    private Strategy forced;

    private Builder() {}

    /**
     * What one block read costs, in code comparisons: higher when reads miss the page cache (a cold 4 KiB read here
     * is ~70 us), which moves the choice towards the scan.
     */
    public Builder blockCost(double c) {
      if (!(c > 0) || Double.isInfinite(c)) {
        throw new IllegalArgumentException("blockCost must be > 0, got " + c);
      }
      blockCost = c;
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
