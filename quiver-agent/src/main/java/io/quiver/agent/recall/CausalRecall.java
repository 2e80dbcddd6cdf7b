package io.quiver.agent.recall;

import io.quiver.QuiverException;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeHit;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.collection.Collection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Causal recall over every stored episode: the {@code k} of highest utility {@code U = alpha·similarity +
 * beta·uplift − gamma·latencyNorm}, with the weights of each call.
 *
 * <p><b>Exactness.</b> Candidates are the exact top {@code N} episodes by similarity, {@code N = max(8k, 256)} at
 * first (every episode when the store holds at most 1024). Every candidate is scored, so the ranking among candidates
 * is exact. An episode outside them is at most as similar as the least similar candidate, {@code s_N}, and its
 * uplift is within the source's {@link UpliftSource#bound() bound} {@code B} and its latency term in [0, 1), so its
 * utility is at most {@code alpha·s_N + |beta|·B + max(0, −gamma)}. When the k-th best candidate reaches that bound,
 * no episode outside can displace the answer; otherwise {@code N} is multiplied by 4 and the search repeated, up to
 * every stored episode. The answer is therefore always the true top k over all episodes (ties at equal utility broken
 * by smaller id), and the {@link Certificate} records the bound that proves it.
 *
 * <p>When the source lists every episode of non-zero uplift ({@link UpliftSource#nonZero}, at most
 * {@value #MAX_LISTED}), a listed episode outside the candidates joins them when its own bound {@code alpha·s_N +
 * beta·u + max(0, −gamma)} reaches the k-th utility among them; the others cannot enter the answer, and an episode
 * not listed is known to have uplift 0, so the bound's uplift term {@code |beta|·B} drops to 0. Without it a positive
 * beta rarely lets the bound be met before every episode is scored.
 */
public final class CausalRecall {
  private static final int SMALL_STORE = 1024;
  private static final int MIN_CANDIDATES = 256;
  private static final int CANDIDATE_FACTOR = 8;
  /** Largest k: deeper recalls are listings. */
  public static final int MAX_K = 1000;
  /** Most episodes with a known non-zero uplift scored directly; beyond, their uplift is bounded instead. */
  static final int MAX_LISTED = 4096;

  private final EpisodeStore episodes;
  private final UpliftSource uplift;

  public CausalRecall(EpisodeStore episodes, UpliftSource uplift) {
    this.episodes = episodes;
    this.uplift = uplift;
  }

  /** Where the uplifts come from. */
  public UpliftSource upliftSource() {
    return uplift;
  }

  /** Recalls for {@code request}; arguments are checked before anything is read. */
  public RecallResult recall(RecallRequest r) {
    check(r);
    float[] query = episodes.embed(r.query());
    long stored = episodes.count();
    double bound = uplift.bound();
    if (!(bound >= 0) || Double.isInfinite(bound)) {
      throw new IllegalStateException("uplift source bound must be a finite number >= 0, got " + bound);
    }
    Map<Long, Double> known = uplift.nonZero();
    if (known != null && known.size() > MAX_LISTED) {
      known = null; // too many to score directly: bound them instead
    }
    int n = stored <= SMALL_STORE ? (int) Math.max(stored, 1)
        : (int) Math.min(stored, Math.max((long) CANDIDATE_FACTOR * r.k(), MIN_CANDIDATES));
    while (true) {
      n = Math.min(n, Collection.MAX_RESULT_WINDOW);
      List<EpisodeHit> nearest = episodes.nearest(query, n, EpisodeFilter.ALL);
      double floor = nearest.isEmpty() ? 1 : nearest.get(nearest.size() - 1).similarity();
      boolean exhaustive = nearest.size() < n || nearest.size() >= stored;
      List<RecallHit> scored = new ArrayList<>(nearest.size());
      for (EpisodeHit h : nearest) {
        scored.add(score(h, r, bound, known));
      }
      double outsideBound = bound;
      if (known != null) {
        // a listed episode outside the nearest is at most alpha·floor + beta·u + max(0, -gamma): scored when that
        // can reach the k-th utility so far (which only rises), so every episode left out is below the answer or
        // has uplift 0; the 1e-12 covers the bound and the utility being rounded differently
        scored.sort(Comparator.comparingDouble(RecallHit::utility).reversed());
        double kth = scored.size() >= r.k() ? scored.get(r.k() - 1).utility() : Double.NEGATIVE_INFINITY;
        Set<Long> seen = new HashSet<>();
        nearest.forEach(h -> seen.add(h.episode().id()));
        double reach = r.alpha() * floor + Math.max(0, -r.gamma());
        List<Long> extra = known.entrySet().stream()
            .filter(e -> !seen.contains(e.getKey()) && reach + r.beta() * e.getValue() >= kth - 1e-12)
            .map(Map.Entry::getKey).toList();
        for (EpisodeHit h : episodes.score(query, extra)) {
          scored.add(score(h, r, bound, known));
        }
        outsideBound = 0;
      }
      int candidates = scored.size();
      scored.sort(Comparator.comparingDouble(RecallHit::utility).reversed().thenComparingLong(RecallHit::id));
      List<RecallHit> top = scored.subList(0, Math.min(r.k(), scored.size()));
      double utilityBound = r.alpha() * floor + Math.abs(r.beta()) * outsideBound + Math.max(0, -r.gamma());
      boolean proven = exhaustive || (top.size() == r.k() && top.get(top.size() - 1).utility() >= utilityBound);
      if (proven || n >= Collection.MAX_RESULT_WINDOW) {
        Certificate c = Certificates.of(r, top, candidates, stored, floor, outsideBound, utilityBound,
            exhaustive, proven, episodes.embedder().name());
        return new RecallResult(List.copyOf(top), c);
      }
      n = (int) Math.min((long) n * 4, stored);
    }
  }

  private RecallHit score(EpisodeHit h, RecallRequest r, double bound, Map<Long, Double> known) {
    long id = h.episode().id();
    double u = known != null ? known.getOrDefault(id, 0.0) : uplift.uplift(id);
    if (!(Math.abs(u) <= bound)) {
      throw new IllegalStateException("uplift " + u + " of episode #" + id + " is outside the source's bound +-"
          + bound);
    }
    double latency = h.episode().latencyMs();
    double norm = r.latencyNorm(latency);
    double utility = r.alpha() * h.similarity() + r.beta() * u - r.gamma() * norm;
    return new RecallHit(id, RecallHit.EPISODE, h.similarity(), u, latency, norm, utility, h.episode());
  }

  private static void check(RecallRequest r) {
    if (r.query() == null || r.query().isBlank()) {
      throw new QuiverException.InvalidInput("query must be a non-blank string");
    }
    if (r.k() < 1 || r.k() > MAX_K) {
      throw new QuiverException.InvalidInput("k must be in 1.." + MAX_K + ", got " + r.k());
    }
    if (!(r.alpha() >= 0) || Double.isInfinite(r.alpha())) {
      throw new QuiverException.InvalidInput("alpha must be a finite number >= 0, got " + r.alpha());
    }
    if (!Double.isFinite(r.beta())) {
      throw new QuiverException.InvalidInput("beta must be a finite number, got " + r.beta());
    }
    if (!Double.isFinite(r.gamma())) {
      throw new QuiverException.InvalidInput("gamma must be a finite number, got " + r.gamma());
    }
    if (!(r.latencyScaleMs() > 0) || Double.isInfinite(r.latencyScaleMs())) {
      throw new QuiverException.InvalidInput("latency_scale_ms must be a finite number > 0, got "
          + r.latencyScaleMs());
    }
  }
}
