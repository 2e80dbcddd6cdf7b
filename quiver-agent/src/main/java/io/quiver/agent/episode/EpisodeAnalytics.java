package io.quiver.agent.episode;

import io.quiver.collection.Collection;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Aggregates over stored episodes: per-task outcome statistics and critique summaries. */
final class EpisodeAnalytics {
  private static final List<String> STATS_KEYS = List.of(EpisodeSchema.TASK, EpisodeSchema.SUCCESS,
      EpisodeSchema.REWARD, EpisodeSchema.LATENCY);

  private final EpisodeReader reader;

  EpisodeAnalytics(EpisodeReader reader) {
    this.reader = reader;
  }

  /**
   * Outcomes per task (episodes grouped by exact task text) over every stored episode: attempts, successes, success
   * rate, mean reward and mean latency. With {@code task} only that task's row (none when it has no episode);
   * otherwise the {@code limit} tasks with most attempts (ties by task text).
   */
  List<TaskStats> taskStats(String task, int limit) {
    Filter f = task == null ? null : EpisodeFilters.toFilter(EpisodeFilter.builder().task(task).build());
    final class Acc {
      long n;
      long ok;
      double reward;
      double latency;
    }
    Map<String, Acc> byTask = new HashMap<>();
    reader.forEach(f, STATS_KEYS, e -> {
      Acc a = byTask.computeIfAbsent(e.task(), t -> new Acc());
      a.n++;
      a.ok += e.success() ? 1 : 0;
      a.reward += e.reward();
      a.latency += e.latencyMs();
    });
    List<TaskStats> out = new ArrayList<>();
    byTask.forEach((t, a) -> out.add(new TaskStats(t, a.n, a.ok, (double) a.ok / a.n, a.reward / a.n,
        a.latency / a.n)));
    out.sort(Comparator.comparingLong(TaskStats::attempts).reversed().thenComparing(TaskStats::task));
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  /**
   * The critiques of the {@code k} failures and the {@code k} successes most similar to {@code task} that have a
   * critique (exact top k of each among episodes with a non-empty critique).
   */
  CritiqueSummary critiques(String task, int k) {
    float[] q = reader.embed(task);
    return new CritiqueSummary(task, withCritique(q, k, false), withCritique(q, k, true));
  }

  private List<EpisodeHit> withCritique(float[] q, int k, boolean successes) {
    EpisodeFilter f = EpisodeFilter.builder().onlySuccesses(successes).onlyFailures(!successes).build();
    // episodes without a critique are skipped, so ask for more until k with one are found or the matches run out
    int n = k;
    while (true) {
      List<EpisodeHit> hits = reader.nearest(q, n, f, -1);
      List<EpisodeHit> out = hits.stream().filter(h -> !h.episode().critique().isBlank()).limit(k).toList();
      if (out.size() == k || hits.size() < n || n >= Collection.MAX_RESULT_WINDOW) {
        return out;
      }
      n = Math.min(Collection.MAX_RESULT_WINDOW, n * 4);
    }
  }
}
