package io.quiver.cli.bench;

import io.quiver.Quiver;
import io.quiver.collection.*;
import io.quiver.collection.Collection;
import io.quiver.filter.PointId;
import io.quiver.storage.wal.Durability;
import java.nio.file.*;
import java.util.*;

/** A/B harness: args: dataset-dir queries ef rounds variant... ; variant = mode[:oversampling[:norescore]] */
public class Harness {
  public static void main(String[] a) throws Exception {
    Path data = Path.of(a[0]);
    int queries = Integer.parseInt(a[1]);
    int[] efs = Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(a[3]);
    Dataset d;
    if (a[0].startsWith("synthetic:")) { // synthetic:N:DIM, 64 Gaussian clusters (Dataset.synthetic), COSINE
      String[] s = a[0].split(":");
      d = Dataset.synthetic(Integer.parseInt(s[1]), queries, Integer.parseInt(s[2]), io.quiver.distance.Metric.COSINE, 42, 10);
    } else {
      Path[] f = Dataset.filesIn(data);
      d = Dataset.load(data.getFileName().toString(), f[0], f[1], f[2], Dataset.metricFromName(data.getFileName().toString()), -1, queries, 10);
    }
    int n = d.base().length, dim = d.base()[0].length;
    // -Ddb=DIR keeps the builds for the next run; -Dshared=true builds float32 once and gives every other mode a copy
    // of that collection re-encoded in place (the same graph for every mode)
    String keep = System.getProperty("db");
    boolean shared = Boolean.getBoolean("shared");
    Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : Files.createTempDirectory("qp-harness-");
    Map<String, Collection> cols = new LinkedHashMap<>();
    List<String> variants = Arrays.asList(a).subList(4, a.length);
    if (shared) {
      try (Quiver db = Quiver.open(dir)) {
        if (!db.exists("m-float32")) {
          Collection c = db.createCollection("m-float32", CollectionConfig.builder().vector(VectorParams.of(dim, d.metric()))
              .durability(Durability.PERIODIC).sealThreshold(n + 1).indexingLag(n).build());
          long t0 = System.nanoTime();
          List<Point> batch = new ArrayList<>();
          for (int i = 0; i < n; i++) { batch.add(Point.of(i, d.base()[i], null)); if (batch.size() == 1000) { c.upsert(batch); batch.clear(); } }
          c.upsert(batch); c.awaitIndexed(); c.flush();
          System.out.printf(Locale.ROOT, "built float32 in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
      }
      for (String v : variants) {
        String m = v.split(":")[0];
        Path target = dir.resolve("collections").resolve("m-" + m);
        if (m.equals("float32") || Files.exists(target)) continue;
        try (var files = Files.walk(dir.resolve("collections").resolve("m-float32"))) {
          for (Path src : (Iterable<Path>) files::iterator) {
            Path dst = target.resolve(dir.resolve("collections").resolve("m-float32").relativize(src).toString());
            if (Files.isDirectory(src)) Files.createDirectories(dst); else Files.copy(src, dst);
          }
        }
        try (Quiver db = Quiver.open(dir)) {
          long t0 = System.nanoTime();
          db.collection("m-" + m).updateQuantization(QuantBenchCommand.mode(m));
          System.out.printf(Locale.ROOT, "encoded %s in %.1f s%n", m, (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    try (Quiver db = Quiver.open(dir)) {
      for (String v : variants) {
        String m = v.split(":")[0];
        if (cols.containsKey(m)) continue;
        if (db.exists("m-" + m)) { Collection c = db.collection("m-" + m); c.awaitIndexed(); cols.put(m, c); continue; }
        Collection c = db.createCollection("m-" + m, CollectionConfig.builder().vector(VectorParams.of(dim, d.metric()))
            .durability(Durability.PERIODIC).sealThreshold(n + 1).indexingLag(n).quantization(QuantBenchCommand.mode(m)).build());
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) { batch.add(Point.of(i, d.base()[i], null)); if (batch.size() == 1000) { c.upsert(batch); batch.clear(); } }
        c.upsert(batch); c.awaitIndexed(); c.flush();
        cols.put(m, c);
      }
      for (int ef : efs) {
        Map<String, List<Double>> qps = new LinkedHashMap<>();
        Map<String, Double> rec = new LinkedHashMap<>(); Map<String, Double> dcs = new LinkedHashMap<>(); Map<String, List<Double>> cpu = new LinkedHashMap<>();
        // warm up every variant for WARM_MS (JIT: the Vector API kernels take seconds to reach C2), then each timed
        // pass repeats the query set REPS times so that one pass lasts long enough to be timed
        long warmMs = Long.getLong("warm", 4000); int reps = Integer.getInteger("reps", 3);
        for (String v : variants) {
          String[] p = v.split(":"); Collection c = cols.get(p[0]); long end = System.currentTimeMillis() + warmMs / variants.size();
          while (System.currentTimeMillis() < end) for (float[] qv : d.queries()) c.search(SearchRequest.builder(qv).limit(10).ef(ef).build());
        }
        for (int r = -1; r < rounds; r++) {
          for (String v : variants) {
            String[] p = v.split(":");
            Collection c = cols.get(p[0]);
            SearchRequest.QuantizationParams qp = p.length > 1 ? new SearchRequest.QuantizationParams(false,
                p.length > 2 ? Boolean.FALSE : null, Double.parseDouble(p[1])) : null;
            double sum = 0; var mx = java.lang.management.ManagementFactory.getThreadMXBean(); long c0 = mx.getCurrentThreadCpuTime(); long dc0 = c.searchStats().distanceComputations(); long s0 = System.nanoTime();
            for (int rep = 0; rep < (r < 0 ? 1 : reps); rep++) for (int qi = 0; qi < d.queries().length; qi++) {
              var b = SearchRequest.builder(d.queries()[qi]).limit(10).ef(ef);
              if (qp != null) b.quantization(qp);
              List<ScoredPoint> hits = c.search(b.build());
              int[] found = new int[hits.size()];
              for (int i = 0; i < found.length; i++) found[i] = (int) ((PointId.Num) hits.get(i).id()).value();
              sum += BenchCommand.recall(found, d.groundTruth()[qi], 10);
            }
            int nq = d.queries().length * (r < 0 ? 1 : reps); double q = nq / ((System.nanoTime() - s0) / 1e9); double qc = nq / ((mx.getCurrentThreadCpuTime() - c0) / 1e9);
            if (r >= 0) { qps.computeIfAbsent(v, k -> new ArrayList<>()).add(q); cpu.computeIfAbsent(v, k -> new ArrayList<>()).add(qc); }
            if (r < 0) { rec.put(v, sum / d.queries().length); dcs.put(v, (c.searchStats().distanceComputations() - dc0) / (double) d.queries().length); }
          }
        }
        double base = -1, cbase = -1; double[] cb = {0};
        for (String v : variants) {
          List<Double> l = qps.get(v); Collections.sort(l); double med = l.get(l.size() / 2);
          List<Double> cl = cpu.get(v); Collections.sort(cl); double cmed = cl.get(cl.size() / 2);
          if (base < 0) { base = med; cbase = cmed; cb[0] = cl.get(cl.size() - 1); }
          System.out.printf(Locale.ROOT, "%s ef=%d %-16s dc=%4.0f recall=%.4f wallQPS med=%,6.0f best=%,6.0f ratio=%.2f | cpuQPS med=%,6.0f ratio=%.2f best=%,6.0f bratio=%.2f%n", d.name().substring(0, 8), ef, v, dcs.get(v), rec.get(v), med, l.get(l.size() - 1), med / base, cmed, cmed / cbase, cl.get(cl.size() - 1), cl.get(cl.size() - 1) / cb[0]);
        }
      }
    } finally { if (keep == null) io.quiver.storage.AtomicFiles.deleteTree(dir); }
  }
}
