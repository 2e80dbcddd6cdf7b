package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Candidate causal edges "doing task A earlier in a session raises the success of task B". Episodes without a session
 * are ignored; within a session, attempts are ordered by time. For each ordered pair (A, B), every attempt at B is
 * <em>treated</em> when an attempt at A came strictly earlier in its session and <em>control</em> otherwise; the
 * uplift is B's success rate treated minus control, with Newcombe's interval ({@link UpliftEstimator}).
 *
 * <p>A pair is tested when both groups have at least {@code minAttempts} attempts. Since many pairs are tested, each
 * confidence is Bonferroni-adjusted: {@code max(0, 1 − m·(1 − confidence))}, m the number of pairs tested, so that
 * reported edges are jointly credible at the stated level. A pair is reported when its uplift is positive, B's treated
 * success rate is at least {@code minSuccessRate}, and the adjusted confidence is at least {@code minConfidence};
 * strongest first ({@code uplift · confidence}, then cause and effect). The groups are attempts, not independent
 * randomized units, so an edge is an association worth testing, not proof of causation.
 */
final class CausalDiscovery {
  static final double LEVEL = 0.95;

  private CausalDiscovery() {}

  static List<DiscoveredEdge> discover(List<EpisodeEvent> episodes, DiscoveryPolicy policy) {
    Map<String, List<EpisodeEvent>> sessions = new LinkedHashMap<>();
    for (int i = 0; i < episodes.size(); i++) {
      EpisodeEvent e = episodes.get(i);
      Inputs.text(e.task(), "episodes[" + i + "].task");
      if (e.session() != null) {
        sessions.computeIfAbsent(e.session(), s -> new ArrayList<>()).add(e);
      }
    }
    Map<String, long[]> totals = new HashMap<>(); // task -> {attempts, successes}
    Map<String, Map<String, long[]>> after = new TreeMap<>(); // cause -> effect -> {attempts, successes}
    for (List<EpisodeEvent> s : sessions.values()) {
      s.sort(Comparator.comparingLong(EpisodeEvent::ts));
      Set<String> before = new HashSet<>();
      int i = 0;
      while (i < s.size()) {
        int j = i;
        while (j < s.size() && s.get(j).ts() == s.get(i).ts()) {
          j++;
        }
        for (int k = i; k < j; k++) {
          EpisodeEvent b = s.get(k);
          add(totals.computeIfAbsent(b.task(), t -> new long[2]), b.success());
          for (String a : before) {
            if (!a.equals(b.task())) {
              add(after.computeIfAbsent(a, x -> new TreeMap<>()).computeIfAbsent(b.task(), x -> new long[2]),
                  b.success());
            }
          }
        }
        for (int k = i; k < j; k++) {
          before.add(s.get(k).task());
        }
        i = j;
      }
    }
    record Tested(String cause, String effect, UpliftEstimate estimate) {}
    List<Tested> tested = new ArrayList<>();
    for (var byCause : after.entrySet()) {
      for (var byEffect : byCause.getValue().entrySet()) {
        long[] t = byEffect.getValue();
        long[] all = totals.get(byEffect.getKey());
        long n2 = all[0] - t[0];
        if (t[0] >= policy.minAttempts() && n2 >= policy.minAttempts()) {
          tested.add(new Tested(byCause.getKey(), byEffect.getKey(),
              UpliftEstimator.newcombe(t[1], t[0], all[1] - t[1], n2, LEVEL)));
        }
      }
    }
    List<DiscoveredEdge> out = new ArrayList<>();
    int m = tested.size();
    for (Tested t : tested) {
      UpliftEstimate u = t.estimate();
      double adjusted = Math.max(0, 1 - m * (1 - u.confidence()));
      double treatedRate = rate(after.get(t.cause()).get(t.effect()));
      if (u.uplift() > 0 && treatedRate >= policy.minSuccessRate() && adjusted >= policy.minConfidence()) {
        out.add(new DiscoveredEdge(new CausalNode.Event(t.cause()), new CausalNode.Event(t.effect()), u, adjusted,
            null));
      }
    }
    out.sort(Comparator.comparingDouble((DiscoveredEdge d) -> -d.estimate().uplift() * d.confidence())
        .thenComparing(d -> d.cause().key()).thenComparing(d -> d.effect().key()));
    return out;
  }

  private static void add(long[] counts, boolean success) {
    counts[0]++;
    counts[1] += success ? 1 : 0;
  }

  private static double rate(long[] counts) {
    return (double) counts[1] / counts[0];
  }
}
