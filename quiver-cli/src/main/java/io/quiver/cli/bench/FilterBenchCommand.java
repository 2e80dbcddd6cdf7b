package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PlannerConfig;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchExplain;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SearchStrategy;
import io.quiver.collection.SegmentPlan;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.filter.PointId;
import io.quiver.filter.index.FieldSchema;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.io.Texmex;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Filtered-search benchmark: builds one sealed segment of labelled points with indexed payload fields {@code label}
 * and {@code r}, then measures recall@k and single-thread QPS of the planner (AUTO) against forced EXACT, ACORN and
 * ROUTE_THROUGH, and post-filtered HNSW with ef raised until every query gets k results, for a correlated filter
 * (query's own label), an uncorrelated one (random label) and synthetic range filters of known selectivity.
 */
@Command(name = "bench-filter", mixinStandardHelpOptions = true,
    description = "Benchmark filtered search: planner vs. forced strategies vs. post-filtering, per filter selectivity.")
public final class FilterBenchCommand implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "Labelled data set directory (base.bvecs|fvecs,"
      + " query.*, base_labels.txt, query_labels.txt, query_filter_randomlabel.txt and the filtered ground truth)."
      + " Default: ../shared/datasets/fashion-mnist-784-euclidean; when absent, a generated clustered set.")
  Path data;

  @Option(names = "--synthetic", description = "Points of the generated clustered set, used when the data set"
      + " directory is absent or with --force-synthetic (default ${DEFAULT-VALUE}).")
  int synthetic = 20_000;

  @Option(names = "--force-synthetic", description = "Use the generated set even if a data set directory exists.")
  boolean forceSynthetic;

  @Option(names = "--dim", description = "Dimension of the generated set (default ${DEFAULT-VALUE}).")
  int dim = 64;

  @Option(names = "--queries", description = "Queries: the first N of the query file, or N generated ones (default"
      + " ${DEFAULT-VALUE}).")
  int queries = 1000;

  @Option(names = "--warmup", description = "Queries run untimed before each method's statistics pass (default ${DEFAULT-VALUE},"
      + " at most --queries).")
  int warmup = 200;

  @Option(names = "--runs", description = "Timed rounds per case, each timing one pass of every method in turn;"
      + " a method's QPS is its median pass (default ${DEFAULT-VALUE}).")
  int runs = 3;

  @Option(names = "--k", description = "Neighbours per query (default ${DEFAULT-VALUE}).")
  int k = 10;

  @Option(names = "--ef", description = "Search breadth for AUTO, ACORN and ROUTE_THROUGH (default ${DEFAULT-VALUE},"
      + " the field default).")
  int ef = 64;

  @Option(names = "--max-ef", description = "Largest ef tried by the post-filter sweep (default ${DEFAULT-VALUE}).")
  int maxEf = 4096;

  @Option(names = "--m", description = "HNSW M (default ${DEFAULT-VALUE}).")
  int m = HnswConfig.DEFAULT.m();

  @Option(names = "--ef-construction", description = "HNSW build beam (default ${DEFAULT-VALUE}).")
  int efConstruction = HnswConfig.DEFAULT.efConstruction();

  @Option(names = "--payload-m", description = "HNSW payload_m: links per point among the points of each label"
      + " (label indexed as a tenant field), built when the segment is sealed; 0 builds none (default"
      + " ${DEFAULT-VALUE}: the collection default, --m).")
  Integer payloadM;

  @Option(names = "--tenants", description = "Also index a field tenant with this many values, each point's drawn"
      + " uniformly (independent of the vectors, as tenant ids are), and add the case 'tenant': tenant == a random"
      + " value per query; 0 leaves it out (default ${DEFAULT-VALUE}).")
  int tenants = 0;

  /** Each point's tenant (when --tenants > 0). */
  private int[] tenantOf;

  @Option(names = "--exact-max-matches", description = "Planner: matches up to which a segment is scanned exactly"
      + " (default ${DEFAULT-VALUE}).")
  int exactMaxMatches = PlannerConfig.DEFAULT.exactMaxMatches();

  @Option(names = "--exact-max-fraction", description = "Planner: matching fraction up to which a segment is scanned"
      + " exactly (default ${DEFAULT-VALUE}).")
  double exactMaxFraction = PlannerConfig.DEFAULT.exactMaxFraction();

  @Option(names = "--acorn-max-selectivity", description = "Planner: matching fraction up to which ACORN is used"
      + " rather than route-through (default ${DEFAULT-VALUE}).")
  double acornMaxSelectivity = PlannerConfig.DEFAULT.acornMaxSelectivity();

  @Option(names = "--visit-budget", description = "Planner: graph distances allowed per estimated match before the"
      + " exact fallback (default ${DEFAULT-VALUE}).")
  double visitBudget = PlannerConfig.DEFAULT.visitBudget();

  @Option(names = "--build-attempts", description = "Builds tried when the background indexer fails (default"
      + " ${DEFAULT-VALUE}; failures are reported).")
  int buildAttempts = 3;

  @Option(names = "--batch", description = "Points per upsert call (default ${DEFAULT-VALUE}).")
  int batch = 1000;

  @Option(names = "--seed", description = "Seed of the r payload, random labels and generated data (default"
      + " ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--cases", split = ",", description = "Only these cases (samelabel, randomlabel, r<P>%% for"
      + " each --r-thresholds value: r0.1%%, r0.5%%, r1%%, r5%%, r20%%, r50%%, r100%% by default, and w<P>%% for the"
      + " same selectivities as a window placed anew for every query: w0.1%% .. w50%%; tenant with --tenants)."
      + " Default: all.")
  List<String> onlyCases;

  @Option(names = "--r-thresholds", split = ",", description = "Thresholds t of the synthetic cases r < t, r uniform"
      + " in [0, 1000) (default: 1,5,10,50,200,500,1000 = 0.1%% .. 100%%).")
  int[] rThresholds = R_THRESHOLDS.clone();

  @Option(names = "--quantization", description = "Quantize the collection (int8, float16, binary, pq4..pq64): every"
      + " method then walks or scans the codes and reranks with full vectors. Default: none (float32).")
  String quantization;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the markdown report to FILE.")
  Path out;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the machine-readable lines to FILE.")
  Path json;

  /** Thresholds t of the synthetic filters r < t, r uniform in [0, 1000): 0.1% .. 100% of the points. */
  static final int[] R_THRESHOLDS = {1, 5, 10, 50, 200, 500, 1000};
  static final int R_RANGE = 1000;
  static final int LABELS = 10;
  /** Recall the post-filter sweep wants besides k results for every query. */
  static final double SWEEP_RECALL = 0.95;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Vectors with labels; {@code sameGt}/{@code randomGt} null when they must be computed. */
  record Labelled(String name, Metric metric, float[][] base, float[][] queries, int[] baseLabels, int[] queryLabels,
      int[] randomLabels, int[][] sameGt, int[][] randomGt, boolean generated) {}

  /** One filter case: per-query filter and point predicate, and its ground truth. */
  record Case(String name, String description, Filter[] filters, int[][] truth, double selectivity) {}

  /** One measured (case, method). */
  record Row(String method, int ef, double recall, double qps, double distances, double fallbackRate,
      Map<SearchStrategy, Long> mix, Map<SearchStrategy, Long> planned, String note) {}

  @Override
  public Integer call() throws Exception {
    if (Arrays.stream(rThresholds).anyMatch(t -> t < 1 || t > R_RANGE)) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--r-thresholds must be in 1.." + R_RANGE);
    }
    if (queries < 1 || k < 1 || ef < 1 || maxEf < 1 || batch < 1 || runs < 1) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--queries, --k, --ef, --max-ef, --batch and --runs must be >= 1");
    }
    planner(); // validates the planner flags before any work
    double loadAtStart = loadAverage();
    Labelled d = load();
    int[] r = new int[d.base().length];
    Random rnd = new Random(seed);
    for (int i = 0; i < r.length; i++) {
      r[i] = rnd.nextInt(R_RANGE);
    }
    if (tenants < 0) {
      throw new IllegalArgumentException("--tenants must be >= 0");
    }
    if (tenants > 0) {
      Random tr = new Random(seed ^ 0x7E4A47L);
      tenantOf = new int[d.base().length];
      for (int i = 0; i < tenantOf.length; i++) {
        tenantOf[i] = tr.nextInt(tenants);
      }
    }
    List<Case> cases = cases(d, r);
    StringBuilder md = new StringBuilder();
    List<String> jsonLines = new ArrayList<>();
    Path root = Files.createTempDirectory("quiver-bench-filter-"); // system temp, never the repo
    Thread cleanup = new Thread(() -> { // interrupted (Ctrl-C): the database still goes
      try {
        AtomicFiles.deleteTree(root);
      } catch (IOException | RuntimeException ignored) {
        // best effort at exit
      }
    });
    Runtime.getRuntime().addShutdownHook(cleanup);
    try (Quiver db = Quiver.open(root)) {
      long t0 = System.nanoTime();
      Collection c = null;
      List<String> buildFailures = new ArrayList<>();
      for (int attempt = 1; c == null; attempt++) {
        String name = "filter-bench-" + attempt;
        try {
          c = build(db, name, d, r);
        } catch (IllegalStateException e) {
          // a failure of the core's background indexer: say so loudly, and build again (up to --build-attempts)
          buildFailures.add(String.valueOf(e.getMessage()));
          System.err.printf("bench-filter: BUILD ATTEMPT %d FAILED: %s%n", attempt, e.getMessage());
          try {
            db.deleteCollection(name);
          } catch (RuntimeException | IOException ignored) {
            // the failed collection's files go with the temporary directory
          }
          if (attempt >= buildAttempts) {
            throw e;
          }
          t0 = System.nanoTime();
        }
      }
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      String header = String.format(Locale.ROOT, "## Filtered search: %s, %,d points x %d (%s), %,d queries, k=%d,"
              + " ef=%d, M=%d, efConstruction=%d, payload_m=%d, quantization %s, planner %s%n%n"
              + "Build (upsert, index, seal into one segment): %.1f s; heap after the build %,d bytes. Single thread,"
              + " one query at a time, after %d"
              + " warm-up queries; QPS is the median of %d timed rounds, each timing one pass of every method in turn. %d cores; 1-minute load average %.2f at the"
              + " start, %.2f after the build (other work on the machine makes QPS noisy); %s.%n", d.name(), d.base().length, d.base()[0].length, d.metric(),
          d.queries().length, k, ef, m, efConstruction, effectivePayloadM(), quantization == null ? "none" : quantization,
          planner(), buildSeconds, c.info().heapBytes(), Math.min(warmup, d.queries().length),
          runs, Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(), d.generated() ? "GENERATED data (no data set directory found"
              + " or --force-synthetic), ground truth by brute force" : "filtered ground truth from the data set's"
              + " files (label cases) and by brute force (r cases)");
      if (!buildFailures.isEmpty()) {
        header += "\n**WARNING: " + buildFailures.size() + " earlier build attempt(s) failed in the core indexer**"
            + " (the build above is a fresh retry): " + String.join("; ", buildFailures) + "\n";
      }
      md.append(header).append('\n');
      System.out.print(header);
      System.out.println();
      for (Case cs : cases) {
        List<Row> rows = runCase(c, d, cs);
        String table = table(cs, rows);
        md.append(table).append('\n');
        System.out.print(table);
        System.out.println();
        for (Row row : rows) {
          String line = jsonLine(d, cs, row);
          jsonLines.add(line);
          System.out.println(line);
        }
        System.out.println();
        System.out.flush();
      }
    } finally {
      AtomicFiles.deleteTree(root);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    if (out != null) {
      Files.writeString(out, md.toString());
    }
    if (json != null) {
      Files.write(json, jsonLines);
    }
    return 0;
  }

  // ---------------------------------------------------------------- data

  private Labelled load() throws IOException {
    Path dir = data != null ? data : BenchCommand.defaultDatasetDir();
    if (!forceSynthetic && dir != null && Files.isDirectory(dir)) {
      return loadDir(dir);
    }
    if (data != null && !forceSynthetic) {
      System.err.printf("bench-filter: %s does not exist; using a generated data set instead%n", data);
    } else if (!forceSynthetic) {
      System.err.println("bench-filter: no data set directory found; using a generated data set instead");
    }
    return generate(synthetic, queries, dim, seed);
  }

  private Labelled loadDir(Path dir) throws IOException {
    Path[] files = Dataset.filesIn(dir);
    System.err.printf("bench-filter: loading %s...%n", dir);
    float[][] base = Texmex.readVectors(files[0], -1);
    float[][] q = Texmex.readVectors(files[1], queries);
    if (base.length == 0 || q.length == 0 || base[0].length != q[0].length) {
      throw new IOException(dir + ": empty base or query file, or differing dimensions");
    }
    int[] baseLabels = readInts(dir.resolve("base_labels.txt"), base.length);
    int[] queryLabels = readInts(dir.resolve("query_labels.txt"), q.length);
    int[] randomLabels = readInts(dir.resolve("query_filter_randomlabel.txt"), q.length);
    int[][] same = readGt(dir.resolve("groundtruth_filter_samelabel.ivecs"), q.length);
    int[][] random = readGt(dir.resolve("groundtruth_filter_randomlabel.ivecs"), q.length);
    return new Labelled(dir.getFileName().toString(), Dataset.metricFromName(dir.getFileName().toString()), base, q,
        baseLabels, queryLabels, randomLabels, same, random, false);
  }

  private int[][] readGt(Path file, int n) throws IOException {
    int[][] gt = Texmex.readIvecs(file, n);
    if (gt.length < n || gt[0].length < k) {
      throw new IOException(file + " has " + gt.length + " rows of " + (gt.length == 0 ? 0 : gt[0].length)
          + " for " + n + " queries and k=" + k);
    }
    return gt;
  }

  private static int[] readInts(Path file, int n) throws IOException {
    List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (lines.size() < n) {
      throw new IOException(file + " has " + lines.size() + " lines, need " + n);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = Integer.parseInt(lines.get(i));
    }
    return out;
  }

  /**
   * A clustered set of {@code n} points and {@code nq} queries: 30 Gaussian clusters, each belonging to one of 10
   * labels (so a point's label correlates with where it lies, as in Fashion-MNIST), random labels uniform.
   */
  static Labelled generate(int n, int nq, int dim, long seed) {
    Random rnd = new Random(seed ^ 0x5DEECE66DL);
    int clusters = 3 * LABELS;
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) rnd.nextGaussian();
      }
    }
    float[][] all = new float[n + nq][dim];
    int[] labels = new int[n + nq];
    for (int p = 0; p < all.length; p++) {
      int c = rnd.nextInt(clusters);
      labels[p] = c % LABELS;
      for (int i = 0; i < dim; i++) {
        all[p][i] = centres[c][i] + (float) (rnd.nextGaussian() * 0.5);
      }
    }
    int[] random = new int[nq];
    for (int i = 0; i < nq; i++) {
      random[i] = rnd.nextInt(LABELS);
    }
    return new Labelled("generated-clustered-" + n + "x" + dim, Metric.L2, Arrays.copyOfRange(all, 0, n),
        Arrays.copyOfRange(all, n, n + nq), Arrays.copyOfRange(labels, 0, n), Arrays.copyOfRange(labels, n, n + nq),
        random, null, null, true);
  }

  private List<Case> cases(Labelled d, int[] r) {
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
      names.add("r" + trim(100.0 * t / R_RANGE) + "%");
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
      names.add("w" + trim(100.0 * t / R_RANGE) + "%");
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
    List<Case> out = new ArrayList<>();
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
      out.add(new Case(names.get(i), descriptions.get(i), filters.get(i), truths.get(i),
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

  // ---------------------------------------------------------------- build

  private Collection build(Quiver db, String name, Labelled d, int[] r) throws Exception {
    int n = d.base().length;
    HnswConfig hnsw = HnswConfig.builder().m(m).efConstruction(efConstruction).efSearch(ef).payloadM(effectivePayloadM()).build();
    CollectionConfig cfg = CollectionConfig.builder()
        .vector(VectorParams.of(d.base()[0].length, d.metric()).withHnsw(hnsw))
        .durability(Durability.PERIODIC)
        .sealThreshold(Math.max(n, 1) + 1) // never sealed by size: flush() seals everything into one segment
        .mergeThreshold(0)
        .indexingLag(n) // no linking while the load streams; all cores index afterwards
        .payloadIndex("label", FieldSchema.INTEGER, effectivePayloadM() > 0)
        .payloadIndex("r", FieldSchema.INTEGER)
        .planner(planner())
        .quantization(quantization == null ? null : QuantBenchCommand.mode(quantization))
        .build();
    if (tenants > 0) {
      cfg = cfg.toBuilder().payloadIndex("tenant", FieldSchema.INTEGER, effectivePayloadM() > 0).build();
    }
    Collection c = db.createCollection(name, cfg);
    long t0 = System.nanoTime();
    for (int from = 0; from < n; from += batch) {
      List<Point> pts = new ArrayList<>(batch);
      for (int i = from; i < Math.min(n, from + batch); i++) {
        ObjectNode p = JSON.createObjectNode();
        p.put("label", d.baseLabels()[i]);
        p.put("r", r[i]);
        if (tenantOf != null) {
          p.put("tenant", tenantOf[i]);
        }
        pts.add(Point.of(i, d.base()[i], p));
      }
      c.upsert(pts);
    }
    long t1 = System.nanoTime();
    c.awaitIndexed();
    long t2 = System.nanoTime();
    c.flush();
    long t3 = System.nanoTime();
    System.err.printf(Locale.ROOT, "bench-filter: upserted %,d points in %.1f s, indexed in %.1f s, sealed in %.1f s%n",
        n, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    // the benchmark is about one segment of all the points: check that is what the searches see
    SearchExplain e = c.explain(SearchRequest.builder(d.queries()[0]).limit(k).build());
    List<SegmentPlan> populated = e.segments().stream().filter(s -> s.livePoints() > 0).toList();
    if (populated.size() != 1 || populated.get(0).livePoints() != n) {
      throw new IllegalStateException("expected one segment of " + n + " points, got " + e.segments());
    }
    return c;
  }

  private int effectivePayloadM() {
    return payloadM == null ? m : payloadM;
  }

  private PlannerConfig planner() {
    return new PlannerConfig(exactMaxMatches, exactMaxFraction, acornMaxSelectivity, visitBudget);
  }

  // ---------------------------------------------------------------- measure

  private List<Row> runCase(Collection c, Labelled d, Case cs) {
    System.err.printf(Locale.ROOT, "bench-filter: case %s (%.2f%% match)...%n", cs.name(), 100 * cs.selectivity());
    List<Row> rows = new ArrayList<>();
    rows.add(measure(c, d, cs, "auto", SearchStrategy.AUTO, ef, true, 1));
    rows.add(measure(c, d, cs, "exact", SearchStrategy.EXACT, ef, true, 1));
    rows.add(measure(c, d, cs, "acorn", SearchStrategy.ACORN, ef, true, 1));
    rows.add(measure(c, d, cs, "route_through", SearchStrategy.ROUTE_THROUGH, ef, true, 1));
    rows.add(measure(c, d, cs, "auto_ef32", SearchStrategy.AUTO, 32, true, 1));
    rows.add(autoSweep(c, d, cs));
    rows.add(postFilterSweep(c, d, cs));
    rows.add(trulyPostFiltered(c, d, cs));
    return timeInterleaved(c, d, cs, rows);
  }

  /**
   * The timed passes: {@code --runs} rounds, each timing one pass of every method in turn (starting one method later
   * each round), so that a slow spell of a shared machine, or the JIT settling, falls on every method alike rather
   * than on whichever was measured first. Measured back to back instead, the same plan (auto, exact and auto_ef32 at
   * 1%, all the same exact scan) ranged 3,043 to 10,816 QPS within one case. QPS is each method's median pass.
   */
  private List<Row> timeInterleaved(Collection c, Labelled d, Case cs, List<Row> rows) {
    int n = rows.size();
    double[][] qps = new double[n][runs];
    for (int pass = 0; pass < runs; pass++) {
      for (int j = 0; j < n; j++) {
        int i = (pass + j) % n;
        qps[i][pass] = timedPass(c, d, cs, rows.get(i));
      }
    }
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      Arrays.sort(qps[i]);
      out.add(new Row(r.method(), r.ef(), r.recall(), qps[i][runs / 2], r.distances(), r.fallbackRate(), r.mix(),
          r.planned(), r.note()));
    }
    return out;
  }

  /** One timed pass of {@code r}'s method over every query: the same calls its statistics pass made. */
  private double timedPass(Collection c, Labelled d, Case cs, Row r) {
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
  private Row trulyPostFiltered(Collection c, Labelled d, Case cs) {
    int e = k;
    while (true) {
      Row row = postFiltered(c, d, cs, e, 1);
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

  private Row postFiltered(Collection c, Labelled d, Case cs, int e, int passes) {
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
    return new Row("postfilter", e, recallSum / nq, passQps[passes / 2], Double.NaN, (double) shortQueries / nq,
        Map.of(), Map.of(), "");
  }

  /**
   * Post-filtered HNSW: route-through (the beam walks every point, keeps accepted ones) with ef doubled from k until
   * no query needed the exact completion (queries whose filter matches fewer than k points excepted) and recall is
   * at least {@link #SWEEP_RECALL}.
   */
  private Row postFilterSweep(Collection c, Labelled d, Case cs) {
    int e = k;
    while (true) {
      Row row = measure(c, d, cs, "route_through_sweep", SearchStrategy.ROUTE_THROUGH, e, false, 1);
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
  private Row autoSweep(Collection c, Labelled d, Case cs) {
    int e = k;
    while (true) {
      Row row = measure(c, d, cs, "auto_sweep", SearchStrategy.AUTO, e, false, 1);
      if (row.recall() >= SWEEP_RECALL || e >= maxEf) {
        return withNote(row, "planner at the smallest ef (from " + k + ", doubling) with recall >= " + SWEEP_RECALL
            + "; " + row.note());
      }
      e = Math.min(maxEf, e * 2);
    }
  }

  private static Row withNote(Row r, String note) {
    return new Row(r.method(), r.ef(), r.recall(), r.qps(), r.distances(), r.fallbackRate(), r.mix(), r.planned(), note);
  }

  /**
   * Warm-up queries, then {@code passes} timed passes over every query, single thread; recall, costs and strategies
   * are the last pass's (searches are deterministic), QPS the median pass's.
   */
  private Row measure(Collection c, Labelled d, Case cs, String method, SearchStrategy strategy, int searchEf,
      boolean doWarmup, int passes) {
    float[][] qs = d.queries();
    int nq = qs.length;
    if (doWarmup) {
      for (int q = 0; q < Math.min(warmup, nq); q++) {
        c.search(request(qs[q], cs.filters()[q], strategy, searchEf));
      }
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
      note = "planned " + mixString(plannedMix, nq);
      long fb = mix.getOrDefault(SearchStrategy.EXACT, 0L) - plannedMix.getOrDefault(SearchStrategy.EXACT, 0L);
      if (fb > 0) {
        note += String.format(Locale.ROOT, "; %d fallbacks to exact (%.1f%%)", fb, 100.0 * fb / nq);
      }
    } else if (strategy != SearchStrategy.EXACT && fallbacks > 0) {
      note = String.format(Locale.ROOT, "%.1f%% of queries short of k from the graph, completed by exact scan",
          100.0 * fallbacks / nq);
    }
    return new Row(method, strategy == SearchStrategy.EXACT ? 0 : searchEf, recallSum / nq, qps,
        (double) distances / nq, (double) fallbacks / nq, mix, plannedMix, note);
  }

  private SearchRequest request(float[] q, Filter f, SearchStrategy strategy, int searchEf) {
    return SearchRequest.builder(q).limit(k).filter(f).ef(searchEf).strategy(strategy).build();
  }

  // ---------------------------------------------------------------- output

  private static String mixString(Map<SearchStrategy, Long> mix, int nq) {
    List<String> parts = new ArrayList<>();
    for (var e : mix.entrySet()) {
      parts.add(String.format(Locale.ROOT, "%s %s%%", e.getKey(), trim(100.0 * e.getValue() / nq)));
    }
    return String.join(", ", parts);
  }

  private String table(Case cs, List<Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "### %s: %s, %s%% of points match%n%n", cs.name(), cs.description(),
        trim(100 * cs.selectivity())));
    b.append("| method | ef | recall@").append(k).append(" | QPS | distances/query | note |\n");
    b.append("|---|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %,.0f | %,.0f | %s |%n", r.method(),
          r.ef() == 0 ? "-" : Integer.toString(r.ef()), r.recall(), r.qps(), r.distances(), r.note()));
    }
    return b.toString();
  }

  private String jsonLine(Labelled d, Case cs, Row r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "filter");
    o.put("dataset", d.name());
    o.put("points", d.base().length);
    o.put("queries", d.queries().length);
    o.put("quantization", quantization == null ? "none" : quantization);
    o.put("case", cs.name());
    o.put("selectivity", cs.selectivity());
    o.put("method", r.method());
    o.put("k", k);
    o.put("ef", r.ef());
    o.put("recall", r.recall());
    o.put("qps", r.qps());
    o.put("distances_per_query", r.distances());
    o.put("fallback_rate", r.fallbackRate());
    ObjectNode mix = o.putObject("segment_strategies"); // as searched (EXACT includes fallbacks)
    r.mix().forEach((s, n) -> mix.put(s.name(), n));
    ObjectNode planned = o.putObject("planned_strategies");
    r.planned().forEach((s, n) -> planned.put(s.name(), n));
    o.put("note", r.note());
    return o.toString();
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String trim(double x) {
    String s = String.format(Locale.ROOT, "%.2f", x);
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return s;
  }
}
