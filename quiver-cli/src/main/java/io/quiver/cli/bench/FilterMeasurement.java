package io.quiver.cli.bench;

import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchExplain;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SearchStrategy;
import io.quiver.collection.SegmentPlan;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measurement loop of the filtered-search benchmark on one built collection: per case, the planner (AUTO) and the
 * forced strategies at the configured ef, the sweeps that raise ef until recall is reached, and post-filtering, each
 * measured single-threaded one query at a time, then timed again in interleaved rounds.
 */
final class FilterMeasurement {
  /** Recall the post-filter sweep wants besides k results for every query. */
  static final double SWEEP_RECALL = 0.95;

  private final Collection c;
  private final LabelledData d;
  private final int k;
  private final int ef;
  private final int maxEf;
  private final int runs;
  private final long warmupNanos;

  /** {@code warmupNanos}: the minimum warm-up time of each warmed method, after one untimed pass. */
  FilterMeasurement(Collection c, LabelledData d, int k, int ef, int maxEf, int runs, long warmupNanos) {
    this.c = c;
    this.d = d;
    this.k = k;
    this.ef = ef;
    this.maxEf = maxEf;
    this.runs = runs;
    this.warmupNanos = warmupNanos;
  }

  List<FilterRow> runCase(FilterCase cs) {
    System.err.printf(Locale.ROOT, "bench-filter: case %s (%.2f%% match)...%n", cs.name(), 100 * cs.selectivity());
    List<FilterRow> rows = new ArrayList<>();
    rows.add(measure(cs, "auto", SearchStrategy.AUTO, ef, true, 1));
    rows.add(measure(cs, "exact", SearchStrategy.EXACT, ef, true, 1));
    rows.add(measure(cs, "acorn", SearchStrategy.ACORN, ef, true, 1));
    rows.add(measure(cs, "route_through", SearchStrategy.ROUTE_THROUGH, ef, true, 1));
    rows.add(measure(cs, "auto_ef32", SearchStrategy.AUTO, 32, true, 1));
    rows.add(autoSweep(cs));
    rows.add(postFilterSweep(cs));
    rows.add(trulyPostFiltered(cs));
    return timeInterleaved(cs, rows);
  }

  /**
   * The timed passes: {@code --runs} rounds, each timing one pass of every method in turn (starting one method later
   * each round), so that a slow spell of a shared machine, or the JIT settling, falls on every method alike rather
   * than on whichever was measured first. Measured back to back instead, the same plan (auto, exact and auto_ef32 at
   * 1%, all the same exact scan) ranged 3,043 to 10,816 QPS within one case. QPS is each method's median pass.
   */
  private List<FilterRow> timeInterleaved(FilterCase cs, List<FilterRow> rows) {
    int n = rows.size();
    double[][] qps = new double[n][runs];
    for (int pass = 0; pass < runs; pass++) {
      for (int j = 0; j < n; j++) {
        int i = (pass + j) % n;
        qps[i][pass] = timedPass(cs, rows.get(i));
      }
    }
    List<FilterRow> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      FilterRow r = rows.get(i);
      Arrays.sort(qps[i]);
      out.add(new FilterRow(r.method(), r.ef(), r.recall(), qps[i][runs / 2], r.distances(), r.fallbackRate(), r.mix(),
          r.planned(), r.note()));
    }
    return out;
  }

  /** One timed pass of {@code r}'s method over every query: the same calls its statistics pass made. */
  private double timedPass(FilterCase cs, FilterRow r) {
    float[][] qs = d.queries();
    int nq = qs.length;
    long t0 = System.nanoTime();
    if (r.method().equals("postfilter")) {
      for (int q = 0; q < nq; q++) {
        List<ScoredPoint> hits = c.search(SearchRequest.builder(qs[q]).limit(r.ef()).ef(r.ef()).withPayload(true)
            .build());
        int n = 0;
        for (ScoredPoint h : hits) {
          if (n < k && cs.filters()[q].test(h.id(), h.payload())) {
            n++;
          }
        }
      }
    } else {
      SearchStrategy strategy = strategyOf(r.method());
      int searchEf = strategy == SearchStrategy.EXACT ? ef : r.ef();
      for (int q = 0; q < nq; q++) {
        c.explain(request(qs[q], cs.filters()[q], strategy, searchEf));
      }
    }
    return nq / ((System.nanoTime() - t0) / 1e9);
  }

  private static SearchStrategy strategyOf(String method) {
    if (method.startsWith("auto")) {
      return SearchStrategy.AUTO;
    }
    if (method.startsWith("route_through")) {
      return SearchStrategy.ROUTE_THROUGH;
    }
    return SearchStrategy.valueOf(method.toUpperCase(Locale.ROOT));
  }

  /**
   * Post-filtering as naive systems do it: an unfiltered HNSW search for the {@code ef} nearest (ef as the candidate
   * count too), then the filter tested on their payloads, keeping the first k that pass; ef doubled from k until
   * every query gets k (where k points match) and recall is at least {@link #SWEEP_RECALL}, or {@code --max-ef}.
   */
  private FilterRow trulyPostFiltered(FilterCase cs) {
    int e = k;
    while (true) {
      FilterRow row = postFiltered(cs, e, 1);
      boolean done = row.fallbackRate() == 0 && row.recall() >= SWEEP_RECALL;
      if (done) {
        return withNote(row, "unfiltered top-ef then filter; ef raised to " + e + " (from " + k + ", doubling) until"
            + " every query got k and recall >= " + SWEEP_RECALL);
      }
      if (e >= maxEf) {
        return withNote(row, String.format(Locale.ROOT, "unfiltered top-ef then filter; NOT reached by ef %d: %.1f%%"
            + " of queries short of k", e, 100 * row.fallbackRate()));
      }
      e = Math.min(maxEf, e * 2);
    }
  }

  private FilterRow postFiltered(FilterCase cs, int e, int passes) {
    float[][] qs = d.queries();
    int nq = qs.length;
    double[] passQps = new double[passes];
    double recallSum = 0;
    long shortQueries = 0;
    for (int pass = 0; pass < passes; pass++) {
      recallSum = 0;
      shortQueries = 0;
      long t0 = System.nanoTime();
      for (int q = 0; q < nq; q++) {
        List<ScoredPoint> hits = c.search(SearchRequest.builder(qs[q]).limit(e).ef(e).withPayload(true).build());
        int[] found = new int[k];
        int n = 0;
        for (ScoredPoint h : hits) {
          if (n < k && cs.filters()[q].test(h.id(), h.payload())) {
            found[n++] = (int) ((PointId.Num) h.id()).value();
          }
        }
        recallSum += BenchCommand.recall(Arrays.copyOf(found, n), cs.truth()[q], k);
        if (n < k && cs.truth()[q][k - 1] >= 0) {
          shortQueries++;
        }
      }
      passQps[pass] = nq / ((System.nanoTime() - t0) / 1e9);
    }
    Arrays.sort(passQps);
    return new FilterRow("postfilter", e, recallSum / nq, passQps[passes / 2], Double.NaN, (double) shortQueries / nq,
        Map.of(), Map.of(), "");
  }

  /**
   * Post-filtered HNSW: route-through (the beam walks every point, keeps accepted ones) with ef doubled from k until
   * no query needed the exact completion (queries whose filter matches fewer than k points excepted) and recall is
   * at least {@link #SWEEP_RECALL}.
   */
  private FilterRow postFilterSweep(FilterCase cs) {
    int e = k;
    while (true) {
      FilterRow row = measure(cs, "route_through_sweep", SearchStrategy.ROUTE_THROUGH, e, false, 1);
      boolean done = row.fallbackRate() == 0 && row.recall() >= SWEEP_RECALL;
      if (done) {
        return withNote(row, "ef raised to " + e + " (from " + k + ", doubling): all queries got k from the graph,"
            + " recall >= " + SWEEP_RECALL);
      }
      if (e >= maxEf) {
        return withNote(row, String.format(Locale.ROOT, "NOT reached by ef %d: %s", e,
            row.fallbackRate() > 0 ? String.format(Locale.ROOT, "%.1f%% of queries still short of k (completed by"
                + " exact scan, counted in QPS)", 100 * row.fallbackRate()) : "recall below " + SWEEP_RECALL));
      }
      e = Math.min(maxEf, e * 2);
    }
  }

  /** The planner at the smallest ef (doubling from k) whose recall reaches {@link #SWEEP_RECALL}: the like-for-like row. */
  private FilterRow autoSweep(FilterCase cs) {
    int e = k;
    while (true) {
      FilterRow row = measure(cs, "auto_sweep", SearchStrategy.AUTO, e, false, 1);
      if (row.recall() >= SWEEP_RECALL || e >= maxEf) {
        return withNote(row, "planner at the smallest ef (from " + k + ", doubling) with recall >= " + SWEEP_RECALL
            + "; " + row.note());
      }
      e = Math.min(maxEf, e * 2);
    }
  }

  private static FilterRow withNote(FilterRow r, String note) {
    return new FilterRow(r.method(), r.ef(), r.recall(), r.qps(), r.distances(), r.fallbackRate(), r.mix(), r.planned(), note);
  }

  /**
   * With {@code doWarmup}, untimed passes over every query (one at least, more until the warm-up time is spent),
   * then {@code passes} timed passes over every query, single thread; recall, costs and strategies
   * are the last pass's (searches are deterministic), QPS the median pass's.
   */
  private FilterRow measure(FilterCase cs, String method, SearchStrategy strategy, int searchEf,
      boolean doWarmup, int passes) {
    float[][] qs = d.queries();
    int nq = qs.length;
    if (doWarmup) {
      long warmStart = System.nanoTime();
      do {
        for (int q = 0; q < nq; q++) {
          c.search(request(qs[q], cs.filters()[q], strategy, searchEf));
        }
      } while (System.nanoTime() - warmStart < warmupNanos);
    }
    double recallSum = 0;
    long distances = 0;
    long fallbacks = 0; // queries whose graph search was completed by a scan though k points match
    long plannedGraphSegments = 0;
    Map<SearchStrategy, Long> mix = new EnumMap<>(SearchStrategy.class);
    Map<SearchStrategy, Long> plannedMix = new EnumMap<>(SearchStrategy.class);
    long elapsed = 0;
    double[] passQps = new double[passes];
    for (int pass = 1; pass < passes; pass++) { // the statistics pass below is timed too, as the last one
      long t0 = System.nanoTime();
      for (int q = 0; q < nq; q++) {
        c.explain(request(qs[q], cs.filters()[q], strategy, searchEf));
      }
      passQps[pass] = nq / ((System.nanoTime() - t0) / 1e9);
    }
    for (int q = 0; q < nq; q++) {
      SearchRequest req = request(qs[q], cs.filters()[q], strategy, searchEf);
      long t0 = System.nanoTime();
      SearchExplain ex = c.explain(req);
      elapsed += System.nanoTime() - t0;
      int[] found = new int[ex.points().size()];
      for (int i = 0; i < found.length; i++) {
        found[i] = (int) ((PointId.Num) ex.points().get(i).id()).value();
      }
      recallSum += BenchCommand.recall(found, cs.truth()[q], k);
      distances += ex.distanceComputations();
      boolean enoughMatches = cs.truth()[q][k - 1] >= 0;
      boolean fellBack = false;
      for (SegmentPlan p : ex.segments()) {
        if (p.livePoints() == 0) {
          continue; // the empty mutable segment after sealing
        }
        mix.merge(p.strategy(), 1L, Long::sum);
        plannedMix.merge(p.planned(), 1L, Long::sum);
        if (p.planned() != SearchStrategy.EXACT) {
          plannedGraphSegments++;
        }
        fellBack |= p.fallback();
      }
      if (fellBack && enoughMatches) {
        fallbacks++;
      }
    }
    passQps[0] = nq / (elapsed / 1e9);
    Arrays.sort(passQps);
    double qps = passQps[passes / 2];
    String note = "";
    if (strategy == SearchStrategy.AUTO) {
      note = "planned " + FilterReport.mixString(plannedMix, nq);
      long fb = mix.getOrDefault(SearchStrategy.EXACT, 0L) - plannedMix.getOrDefault(SearchStrategy.EXACT, 0L);
      if (fb > 0) {
        note += String.format(Locale.ROOT, "; %d fallbacks to exact (%.1f%%)", fb, 100.0 * fb / nq);
      }
    } else if (strategy != SearchStrategy.EXACT && fallbacks > 0) {
      note = String.format(Locale.ROOT, "%.1f%% of queries short of k from the graph, completed by exact scan",
          100.0 * fallbacks / nq);
    }
    return new FilterRow(method, strategy == SearchStrategy.EXACT ? 0 : searchEf, recallSum / nq, qps,
        (double) distances / nq, (double) fallbacks / nq, mix, plannedMix, note);
  }

  private SearchRequest request(float[] q, Filter f, SearchStrategy strategy, int searchEf) {
    return SearchRequest.builder(q).limit(k).filter(f).ef(searchEf).strategy(strategy).build();
  }
}
