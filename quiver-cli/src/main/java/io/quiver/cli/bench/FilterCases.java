package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.node.IntNode;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The filter cases of the filtered-search benchmark and their ground truth: the query's own label (correlated), a
 * random label (uncorrelated), ranges {@code r < t} and per-query windows of the same selectivities over the payload
 * {@code r} uniform in [0, {@link #R_RANGE}), and a random tenant; ground truth the data set lacks is computed by
 * brute force.
 */
final class FilterCases {
  /** Thresholds t of the synthetic filters r < t, r uniform in [0, 1000): 0.1% .. 100% of the points. */
  static final int[] R_THRESHOLDS = {1, 5, 10, 50, 200, 500, 1000};
  static final int R_RANGE = 1000;

  private final int[] rThresholds;
  private final List<String> onlyCases;
  private final int tenants;
  private final long seed;
  private final int k;

  /** {@code onlyCases} null keeps every case; {@code tenants} 0 leaves the tenant case out. */
  FilterCases(int[] rThresholds, List<String> onlyCases, int tenants, long seed, int k) {
    this.rThresholds = rThresholds.clone();
    this.onlyCases = onlyCases;
    this.tenants = tenants;
    this.seed = seed;
    this.k = k;
  }

  /** The cases over {@code d} with the payloads {@code r} and {@code tenantOf} (null without tenants). */
  List<FilterCase> build(LabelledData d, int[] r, int[] tenantOf) {
    int nq = d.queries().length;
    int nb = d.base().length;
    List<String> names = new ArrayList<>();
    List<String> descriptions = new ArrayList<>();
    List<Filter[]> filters = new ArrayList<>();
    List<IntPredicate[]> predicates = new ArrayList<>();
    List<int[][]> truths = new ArrayList<>();
    for (boolean same : new boolean[] {true, false}) {
      Filter[] f = new Filter[nq];
      IntPredicate[] p = new IntPredicate[nq];
      for (int q = 0; q < nq; q++) {
        int label = same ? d.queryLabels()[q] : d.randomLabels()[q];
        f[q] = Filter.must(new Condition.Match("label", IntNode.valueOf(label)));
        p[q] = i -> d.baseLabels()[i] == label;
      }
      names.add(same ? "samelabel" : "randomlabel");
      descriptions.add(same ? "label == the query's own label (correlated with the query)"
          : "label == a random label per query (uncorrelated)");
      filters.add(f);
      predicates.add(p);
      truths.add(same ? d.sameGt() : d.randomGt());
    }
    for (int t : rThresholds) {
      Filter f = Filter.must(new Condition.Range("r", null, null, (double) t, null));
      Filter[] fs = new Filter[nq];
      Arrays.fill(fs, f);
      IntPredicate[] p = new IntPredicate[nq];
      Arrays.fill(p, (IntPredicate) i -> r[i] < t);
      names.add("r" + FilterReport.trim(100.0 * t / R_RANGE) + "%");
      descriptions.add("r < " + t + " (r uniform in [0, " + R_RANGE + "), independent of the vectors)");
      filters.add(fs);
      predicates.add(p);
      truths.add(null);
    }
    // the same selectivities as windows lo <= r < lo + t with lo drawn per query: a filter each query sees for the
    // first time, so no segment has its matches cached (the r<t cases repeat one filter)
    Random windows = new Random(seed ^ 0x5DEECE66DL);
    for (int t : rThresholds) {
      if (t >= R_RANGE) {
        continue;
      }
      Filter[] fs = new Filter[nq];
      IntPredicate[] p = new IntPredicate[nq];
      for (int q = 0; q < nq; q++) {
        int lo = windows.nextInt(R_RANGE - t + 1);
        fs[q] = Filter.must(new Condition.Range("r", null, (double) lo, (double) (lo + t), null));
        p[q] = i -> r[i] >= lo && r[i] < lo + t;
      }
      names.add("w" + FilterReport.trim(100.0 * t / R_RANGE) + "%");
      descriptions.add("lo <= r < lo + " + t + ", lo uniform in [0, " + (R_RANGE - t) + "] per query (each filter new to"
          + " the segment's match cache)");
      filters.add(fs);
      predicates.add(p);
      truths.add(null);
    }
    if (tenants > 0) {
      Random tq = new Random(seed ^ 0x7E4A48L);
      Filter[] fs = new Filter[nq];
      IntPredicate[] p = new IntPredicate[nq];
      int[] of = tenantOf;
      for (int q = 0; q < nq; q++) {
        int t = tq.nextInt(tenants);
        fs[q] = Filter.must(new Condition.Match("tenant", IntNode.valueOf(t)));
        p[q] = i -> of[i] == t;
      }
      names.add("tenant");
      descriptions.add("tenant == a random one of " + tenants + " per query (tenants drawn independently of the"
          + " vectors)");
      filters.add(fs);
      predicates.add(p);
      truths.add(null);
    }
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (onlyCases == null || onlyCases.contains(names.get(i))) {
        keep.add(i);
      }
    }
    if (keep.isEmpty()) {
      throw new IllegalArgumentException("no case matches --cases " + onlyCases + "; cases are " + names);
    }
    List<Integer> missing = keep.stream().filter(i -> truths.get(i) == null).toList();
    if (!missing.isEmpty()) {
      long t0 = System.nanoTime();
      System.err.printf("bench-filter: brute-force filtered ground truth for %d cases x %,d queries over %,d"
          + " points...%n", missing.size(), nq, nb);
      List<IntPredicate[]> ps = missing.stream().map(predicates::get).toList();
      int[][][] gts = bruteForce(d.base(), d.queries(), ps, k);
      for (int j = 0; j < missing.size(); j++) {
        truths.set(missing.get(j), gts[j]);
      }
      System.err.printf(Locale.ROOT, "bench-filter: ground truth took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    List<FilterCase> out = new ArrayList<>();
    for (int i : keep) {
      long matches = 0;
      IntPredicate[] p = predicates.get(i);
      for (int q = 0; q < nq; q++) {
        for (int b = 0; b < nb; b++) {
          if (p[q].test(b)) {
            matches++;
          }
        }
      }
      out.add(new FilterCase(names.get(i), descriptions.get(i), filters.get(i), truths.get(i),
          matches / ((double) nq * nb)));
    }
    return out;
  }

  /**
   * Exact filtered top-k by squared L2 in double precision, ties to the lower id, padded with -1: for every query the
   * distances to all points are computed once and each case's predicate selects from them.
   */
  static int[][][] bruteForce(float[][] base, float[][] queries, List<IntPredicate[]> predicates, int k) {
    int cases = predicates.size();
    int[][][] out = new int[cases][queries.length][];
    IntStream.range(0, queries.length).parallel().forEach(q -> {
      double[] dist = new double[base.length];
      float[] qv = queries[q];
      for (int b = 0; b < base.length; b++) {
        float[] v = base[b];
        double s = 0;
        for (int i = 0; i < v.length; i++) {
          double x = (double) v[i] - qv[i];
          s += x * x;
        }
        dist[b] = s;
      }
      for (int c = 0; c < cases; c++) {
        IntPredicate p = predicates.get(c)[q];
        int[] ids = new int[k];
        double[] ds = new double[k];
        int n = 0;
        for (int b = 0; b < base.length; b++) {
          if (!p.test(b) || (n == k && dist[b] >= ds[k - 1])) {
            continue;
          }
          int pos = n == k ? k - 1 : n++;
          while (pos > 0 && ds[pos - 1] > dist[b]) { // ascending ids: an equal distance stays behind
            ds[pos] = ds[pos - 1];
            ids[pos] = ids[pos - 1];
            pos--;
          }
          ds[pos] = dist[b];
          ids[pos] = b;
        }
        int[] row = new int[k];
        Arrays.fill(row, -1);
        System.arraycopy(ids, 0, row, 0, n);
        out[c][q] = row;
      }
    });
    return out;
  }
}
