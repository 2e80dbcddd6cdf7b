package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench}: builds each chosen engine on one data set, sweeps the search breadth and reports recall@k,
 * single-thread QPS, latency percentiles, build time and memory, in one run so that engines are compared on the same
 * data, machine and JVM.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Recall and QPS of ANN indexes against exact ground truth.",
        "With no data flags it runs on ../shared/datasets/fashion-mnist-784-euclidean when present, else on a "
            + "generated clustered set."})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--dataset", paramLabel = "DIR",
      description = "Directory with base.{fvecs,bvecs}, query.{fvecs,bvecs} and groundtruth.ivecs.")
  Path datasetDir;

  @Option(names = "--base", paramLabel = "FILE", description = "Base vectors (.fvecs or .bvecs).")
  Path base;

  @Option(names = "--query", paramLabel = "FILE", description = "Query vectors (.fvecs or .bvecs).")
  Path query;

  @Option(names = "--groundtruth", paramLabel = "FILE",
      description = "Exact neighbours (.ivecs); computed by exact search when absent.")
  Path groundTruth;

  @Option(names = "--metric", paramLabel = "l2|cosine|dot|l1",
      description = "Distance; default from the data set name, else l2.")
  String metric;

  @Option(names = "--index", split = ",", paramLabel = "NAME",
      description = "Engines, comma-separated: hnsw, flat, and with the quiver-bench jar lucene, jvector, "
          + "hnswlib-java, and (helper processes) faiss, hnswlib-node. Default: hnsw.")
  List<String> indexes = List.of("hnsw");

  @Option(names = "--m", description = "HNSW M (level-0 degree is 2M). Default: ${DEFAULT-VALUE}.")
  int m = 16;

  @Option(names = "--ef-construction", description = "Build beam width. Default: ${DEFAULT-VALUE}.")
  int efConstruction = 100;

  @Option(names = "--ef", split = ",", description = "Search breadths to sweep. Default: 10,20,40,80,120,200,400.")
  int[] efs = {10, 20, 40, 80, 120, 200, 400};

  @Option(names = "--alpha", description = "Quiver HNSW neighbour-selection alpha (1 = classic HNSW heuristic). "
      + "Default: the library default.")
  Float alpha;

  @Option(names = "--threads", description = "Build threads. Default: all cores (${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--base-limit", description = "Use at most this many base vectors; ground truth is then recomputed.")
  int baseLimit = -1;

  @Option(names = "--markdown", paramLabel = "FILE", description = "Write the result table as markdown to FILE.")
  Path markdown;

  @Option(names = "--synthetic", description = "Force the generated clustered set: N base vectors (default 20000).",
      arity = "0..1", fallbackValue = "20000")
  Integer synthetic;

  @Option(names = "--dim", description = "Dimension of the generated set (default ${DEFAULT-VALUE}).")
  int syntheticDim = 128;

  @Mixin
  QueryOptions queryOptions = new QueryOptions(0);

  /** Warm-up: at least one pass over the queries and 2 s per setting, so every engine is measured JIT-compiled. */
  @Mixin
  RunOptions runOptions = new RunOptions(2.0);

  @Spec
  CommandSpec spec;

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  record Row(String engine, String version, Map<String, Object> params, int ef, double recall, double qps,
      double p50Ms, double p99Ms, double buildSeconds, long ramBytes, int n, int dim, double distancesPerQuery) {}

  private int k() {
    return queryOptions.k();
  }

  @Override
  public Integer call() throws Exception {
    validate();
    Dataset data = loadDataset();
    Metric met = data.metric();
    err.printf(Locale.ROOT, "data set %s: %,d base x %d dims, %,d queries, metric %s, k=%d; kernels: %s%n",
        data.name(), data.base().length, data.base()[0].length, data.queries().length, met, k(),
        VectorUtil.implementationName());
    Map<String, AnnEngineProvider> providers = providers();
    List<Row> rows = new ArrayList<>();
    for (String name : indexes) {
      AnnEngineProvider provider = providers.get(name.trim().toLowerCase(Locale.ROOT));
      if (provider == null) {
        throw new IllegalArgumentException("unknown index '" + name + "'; available: " + providers.keySet()
            + (providers.containsKey("lucene") ? "" : " (peer engines need quiver-bench/target/quiver-bench.jar)"));
      }
      if (!provider.supports(met)) {
        err.printf("skipping %s: metric %s not supported%n", name, met);
        continue;
      }
      rows.addAll(runEngine(provider, data));
    }
    printSummary(rows);
    if (markdown != null) {
      writeMarkdown(rows, data);
    }
    return 0;
  }

  private void validate() {
    queryOptions.validate(spec.commandLine());
    runOptions.validate(spec.commandLine());
    if (m < 2 || efConstruction < 1 || threads < 1) {
      throw new IllegalArgumentException("--m must be >= 2, --ef-construction and --threads >= 1");
    }
    for (int ef : efs) {
      if (ef < 1) {
        throw new IllegalArgumentException("--ef values must be >= 1, got " + ef);
      }
    }
    if ((base == null) != (query == null)) {
      throw new IllegalArgumentException("--base and --query go together");
    }
  }

  private Dataset loadDataset() throws IOException {
    if (synthetic != null) {
      return Dataset.synthetic(synthetic, queryOptions.generated(), syntheticDim,
          metric == null ? Metric.L2 : Metric.parse(metric), runOptions.seed(), k());
    }
    if (base != null) {
      Metric met = metric == null ? Dataset.metricFromName(base.toAbsolutePath().getParent().toString()) : Metric.parse(metric);
      String name = base.toAbsolutePath().getParent().getFileName() + "/" + base.getFileName();
      return Dataset.load(name, base, query, groundTruth, met, baseLimit, queryOptions.fromFile(), k());
    }
    Path dir = datasetDir;
    if (dir == null) {
      dir = defaultDatasetDir();
      if (dir == null) {
        err.println("no --dataset and no ../shared/datasets/fashion-mnist-784-euclidean here: "
            + "using a generated clustered set (20,000 x 128)");
        return Dataset.synthetic(20_000, queryOptions.generated(), syntheticDim,
            metric == null ? Metric.L2 : Metric.parse(metric), runOptions.seed(), k());
      }
    }
    Path[] files = Dataset.filesIn(dir);
    Metric met = metric == null ? Dataset.metricFromName(dir.getFileName().toString()) : Metric.parse(metric);
    return Dataset.load(dir.getFileName().toString(), files[0], files[1], files[2], met, baseLimit,
        queryOptions.fromFile(), k());
  }

  /** ../shared/datasets/fashion-mnist-784-euclidean relative to the working directory or to quiver.home. */
  static Path defaultDatasetDir() {
    List<Path> roots = new ArrayList<>();
    String env = System.getenv("QUIVER_DATASETS");
    if (env != null) {
      roots.add(Path.of(env));
    }
    String home = System.getProperty("quiver.home");
    if (home != null) {
      roots.add(Path.of(home).resolve("../shared/datasets"));
    }
    roots.add(Path.of("../shared/datasets"));
    for (Path r : roots) {
      Path d = r.resolve("fashion-mnist-784-euclidean");
      if (Files.isDirectory(d)) {
        return d.normalize();
      }
    }
    return null;
  }

  static Map<String, AnnEngineProvider> providers() {
    Map<String, AnnEngineProvider> map = new LinkedHashMap<>();
    for (AnnEngineProvider p : ServiceLoader.load(AnnEngineProvider.class)) {
      map.put(p.name(), p);
    }
    return map;
  }

  private List<Row> runEngine(AnnEngineProvider provider, Dataset data) throws Exception {
    List<Row> rows = new ArrayList<>();
    BuildParams params = alpha == null ? new BuildParams(m, efConstruction, threads)
        : new BuildParams(m, efConstruction, threads, alpha);
    try (AnnEngine engine = provider.create()) {
      System.gc();
      long heapBefore = usedHeap();
      long t0 = System.nanoTime();
      engine.build(data.base(), data.metric(), params, new Progress("build " + engine.name(), err));
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      if (engine.reportedBuildSeconds() >= 0) { // helper process: index construction alone, see AnnEngine
        err.printf(Locale.ROOT, "%s: build call took %.1fs with process start and data transfer%n", engine.name(),
            buildSeconds);
        buildSeconds = engine.reportedBuildSeconds();
      }
      System.gc();
      long heapDelta = usedHeap() - heapBefore;
      long ram = engine.ramBytesUsed();
      err.printf(Locale.ROOT, "%s built in %.1fs (%,.0f vectors/s); RAM %s (heap grew %s)%n", engine.name(),
          buildSeconds, data.base().length / buildSeconds, mb(ram), mb(heapDelta));
      boolean sweeps = !provider.name().equals("flat");
      int[] settings = sweeps ? efs : new int[] {0};
      for (int ef : settings) {
        Row row = measure(engine, data, params, ef, buildSeconds, ram);
        rows.add(row);
        printRow(row);
        appendJson(row, data);
      }
    }
    return rows;
  }

  Row measure(AnnEngine engine, Dataset data, BuildParams params, int ef, double buildSeconds, long ram) {
    float[][] queries = data.queries();
    int[][] gt = data.groundTruth();
    int beam = Math.max(ef, k());
    long warmStart = System.nanoTime();
    do {
      engine.searchAll(queries, k(), beam);
    } while (System.nanoTime() - warmStart < runOptions.warmupNanos());
    // Several timed passes; the pass with the median QPS gives QPS and latencies, so one noisy pass cannot decide.
    // A pass's time is the engine's BatchResult.passNanos: the wall time of the search loop for in-JVM engines, the
    // sum of the per-query search times an engine in another process measured around its library's call (so the
    // pipe and file round trip of a pass are never counted, and neither is any of the harness's own work).
    long[][] passLatencies = new long[queryOptions.runs()][];
    double[] passSeconds = new double[passLatencies.length];
    int[][] found = null;
    long computedBefore = engine.distanceComputations();
    for (int pass = 0; pass < passLatencies.length; pass++) {
      AnnEngine.BatchResult r = engine.searchAll(queries, k(), beam);
      if (r.ids().length != queries.length || r.latencyNanos().length != queries.length) {
        throw new IllegalStateException(engine.name() + " answered " + r.ids().length + " of " + queries.length
            + " queries");
      }
      passLatencies[pass] = r.latencyNanos();
      passSeconds[pass] = r.passNanos() / 1e9;
      found = r.ids();
    }
    long computed = engine.distanceComputations() - computedBefore;
    double distancesPerQuery = computedBefore < 0 ? -1 : computed / (double) (queries.length * passLatencies.length);
    Integer[] order = new Integer[passSeconds.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(passSeconds[a], passSeconds[b]));
    int median = order[order.length / 2];
    long[] latencies = passLatencies[median];
    double seconds = passSeconds[median];
    double recallSum = 0;
    for (int i = 0; i < queries.length; i++) {
      recallSum += recall(found[i], gt[i], k());
    }
    Arrays.sort(latencies);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("m", params.m());
    p.put("ef_construction", params.efConstruction());
    p.put("ef", ef);
    p.put("k", k());
    p.put("build_threads", params.threads());
    if (engine.name().startsWith("quiver-hnsw")) {
      p.put("alpha", params.alpha());
    }
    return new Row(engine.name(), engine.version(), p, ef, recallSum / queries.length, queries.length / seconds,
        percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6, buildSeconds, ram,
        data.base().length, data.base()[0].length, distancesPerQuery);
  }

  /** |found ∩ first k of truth| / k; truth rows padded with -1 count only their real entries. */
  static double recall(int[] found, int[] truth, int k) {
    int n = 0;
    int hits = 0;
    for (int i = 0; i < Math.min(k, truth.length); i++) {
      if (truth[i] < 0) {
        break;
      }
      n++;
      for (int f : found) {
        if (f == truth[i]) {
          hits++;
          break;
        }
      }
    }
    return n == 0 ? 1.0 : hits / (double) n;
  }

  private static double percentile(long[] sorted, double p) {
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private boolean headerPrinted;

  private void printRow(Row r) {
    if (!headerPrinted) {
      out.printf(Locale.ROOT, "%-16s %5s %5s %5s %9s %10s %8s %8s %8s %10s %9s %8s%n", "engine", "M", "efC", "ef",
          "recall@" + k(), "QPS", "p50 ms", "p99 ms", "build s", "RAM MB", "B/vector", "dist/q");
      headerPrinted = true;
    }
    out.printf(Locale.ROOT, "%-16s %5d %5d %5s %9.4f %10.0f %8.3f %8.3f %8.1f %10s %9s %8s%n", r.engine(), m,
        efConstruction, r.ef() == 0 ? "-" : String.valueOf(r.ef()), r.recall(), r.qps(), r.p50Ms(), r.p99Ms(),
        r.buildSeconds(), r.ramBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.ramBytes() / 1e6),
        r.ramBytes() < 0 ? "n/a" : String.valueOf(r.ramBytes() / r.n()),
        r.distancesPerQuery() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.distancesPerQuery()));
    out.flush();
  }

  private void printSummary(List<Row> rows) {
    out.println();
    out.printf("best single-thread QPS at recall@%d >= 0.95 (and >= 0.99):%n", k());
    Map<String, List<Row>> byEngine = new LinkedHashMap<>();
    for (Row r : rows) {
      byEngine.computeIfAbsent(r.engine(), e -> new ArrayList<>()).add(r);
    }
    for (var e : byEngine.entrySet()) {
      out.printf(Locale.ROOT, "  %-16s %s   %s%n", e.getKey(), best(e.getValue(), 0.95), best(e.getValue(), 0.99));
    }
  }

  private static String best(List<Row> rows, double bar) {
    Row best = null;
    for (Row r : rows) {
      if (r.recall() >= bar && (best == null || r.qps() > best.qps())) {
        best = r;
      }
    }
    return best == null ? String.format(Locale.ROOT, "%-34s", "not reached")
        : String.format(Locale.ROOT, "%8.0f QPS (recall %.4f, ef %d)", best.qps(), best.recall(), best.ef());
  }

  private void appendJson(Row r, Dataset data) throws IOException {
    if (runOptions.json() == null) {
      return;
    }
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode o = mapper.createObjectNode();
    o.put("dataset", data.name());
    o.put("index", r.engine());
    o.put("version", r.version());
    o.put("metric", data.metric().name().toLowerCase(Locale.ROOT));
    o.set("params", mapper.valueToTree(r.params()));
    o.put("recall", r.recall());
    o.put("qps", r.qps());
    o.put("p50_ms", r.p50Ms());
    o.put("p99_ms", r.p99Ms());
    o.put("build_s", r.buildSeconds());
    o.put("ram_bytes", r.ramBytes());
    o.put("bytes_per_vector", r.ramBytes() < 0 ? -1 : r.ramBytes() / r.n());
    o.put("distances_per_query", r.distancesPerQuery());
    o.put("runs", queryOptions.runs());
    o.put("n", r.n());
    o.put("dim", r.dim());
    o.put("queries", data.queries().length);
    o.put("kernels", VectorUtil.implementationName());
    o.put("cpus", Runtime.getRuntime().availableProcessors());
    runOptions.appendJson(List.of(mapper.writeValueAsString(o)));
  }

  private void writeMarkdown(List<Row> rows, Dataset data) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s: %,d x %d, %,d queries, %s, k=%d, M=%d, efConstruction=%d, "
            + "build threads=%d, kernels %s%n%n", data.name(), data.base().length, data.base()[0].length,
        data.queries().length, data.metric(), k(), m, efConstruction, threads, VectorUtil.implementationName()));
    sb.append("| engine | ef | recall@").append(k())
        .append(" | QPS (1 thread) | p50 ms | p99 ms | build s | RAM MB | bytes/vector |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.0f | %.3f | %.3f | %.1f | %s | %s |%n",
          r.engine(), r.ef() == 0 ? "-" : r.ef(), r.recall(), r.qps(), r.p50Ms(), r.p99Ms(), r.buildSeconds(),
          r.ramBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.ramBytes() / 1e6),
          r.ramBytes() < 0 ? "n/a" : r.ramBytes() / r.n()));
    }
    Files.writeString(markdown, sb.toString());
  }
}
