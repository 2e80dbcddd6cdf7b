package io.quiver.agent.learning;

import io.quiver.QuiverException;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Success rate, rewards, groups and trend of the transitions in a time window (exact filters on ts, session). */
final class LearningMetrics {
  static final int TREND_BUCKETS = 4;
  private static final long DAY_MS = 86_400_000L;

  private LearningMetrics() {}

  static MetricsReport compute(LearningStore store, long now, String sessionId, Double days, boolean trends,
      String groupBy) {
    double d = days == null ? 7 : days;
    if (!(d > 0 && d <= 36_500)) {
      throw new QuiverException.InvalidInput("time_window_days must be in (0, 36500], got " + d);
    }
    String g = groupBy == null ? "task" : groupBy;
    Function<Transition, String> key = switch (g) {
      case "session" -> Transition::sessionId;
      case "task", "state" -> Transition::stateText;
      case "skill", "action" -> Transition::action;
      default -> throw new QuiverException.InvalidInput("group_by must be one of task, session, skill (or state, "
          + "action), got '" + g + "'");
    };
    String canonical = switch (g) {
      case "task" -> "state";
      case "skill" -> "action";
      default -> g;
    };
    long from = now - (long) (d * DAY_MS);
    List<Condition> must = new ArrayList<>();
    must.add(new Condition.Range("ts", null, (double) from, null, (double) now));
    if (sessionId != null) {
      must.add(LearningStore.match("session_id", sessionId));
    }
    List<Transition> ts = store.transitions(new Filter(must, List.of(), List.of(), null));
    Map<String, List<Transition>> groups = new TreeMap<>();
    for (Transition t : ts) {
      groups.computeIfAbsent(key.apply(t), k -> new ArrayList<>()).add(t);
    }
    List<MetricsReport.Group> out = new ArrayList<>();
    groups.forEach((k, v) -> out.add(new MetricsReport.Group(k, stats(v))));
    List<MetricsReport.Bucket> buckets = new ArrayList<>();
    double slope = Double.NaN;
    String trend = "not computed";
    if (trends) {
      long width = Math.max(1, (now - from + TREND_BUCKETS - 1) / TREND_BUCKETS);
      List<List<Transition>> parts = new ArrayList<>();
      for (int i = 0; i < TREND_BUCKETS; i++) {
        parts.add(new ArrayList<>());
      }
      for (Transition t : ts) {
        parts.get((int) Math.min(TREND_BUCKETS - 1, (t.ts() - from) / width)).add(t);
      }
      double sx = 0;
      double sy = 0;
      double sxx = 0;
      double sxy = 0;
      int n = 0;
      for (int i = 0; i < TREND_BUCKETS; i++) {
        MetricsReport.Stats st = stats(parts.get(i));
        buckets.add(new MetricsReport.Bucket(from + i * width, Math.min(now + 1, from + (i + 1) * width), st));
        if (st.count() > 0) {
          sx += i;
          sy += st.meanReward();
          sxx += (double) i * i;
          sxy += i * st.meanReward();
          n++;
        }
      }
      if (n >= 2) {
        slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        trend = slope > 0 ? "improving" : slope < 0 ? "declining" : "flat";
      } else {
        trend = "insufficient data (fewer than two non-empty buckets)";
      }
    }
    return new MetricsReport(sessionId, d, stats(ts), canonical, out, buckets, slope, trend);
  }

  static MetricsReport.Stats stats(List<Transition> ts) {
    long n = ts.size();
    long ok = 0;
    double sum = 0;
    for (Transition t : ts) {
      ok += t.success() ? 1 : 0;
      sum += t.reward();
    }
    return new MetricsReport.Stats(n, n == 0 ? Double.NaN : (double) ok / n, n == 0 ? Double.NaN : sum / n, sum);
  }
}
