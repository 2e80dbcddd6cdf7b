package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cli.bench.Progress;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.disk.DiskSearchParams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench-disk}: builds disk-resident indexes (in this process), then measures them, under a memory cap in
 * a child JVM inside a memory cgroup when {@code --mem-cap} is given: recall@10, QPS, latency, reads and bytes read
 * per query, heap per vector and the cgroup's peak, cold (files evicted from the page cache) and warm.
 */
@Command(name = "bench-disk", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Disk-resident ANN indexes, larger than RAM: build, then search under a memory cap.",
        "One JSON object per (engine, threads, L, pass) with --json; --build-only writes one per engine."})
public final class BenchDiskCommand implements Callable<Integer> {

  @Option(names = "--synthetic", paramLabel = "N", description = "Generate N base vectors (clustered, seeded).")
  Integer synthetic;

  @Option(names = "--dim", description = "Dimension of generated vectors. Default: ${DEFAULT-VALUE}.")
  int dim = 128;

  @Option(names = "--metric", paramLabel = "l2|cosine|dot|l1", description = "Distance. Default: ${DEFAULT-VALUE}.")
  String metric = "l2";

  @Option(names = "--seed", description = "Seed of the generated data and of the builds. Default: ${DEFAULT-VALUE}.")
  long seed = 42;

  @Option(names = "--base", paramLabel = "FILE", description = "Base vectors (.fvecs).")
  Path base;

  @Option(names = "--query", paramLabel = "FILE", description = "Query vectors (.fvecs or .bvecs).")
  Path query;

  @Option(names = "--groundtruth", paramLabel = "FILE",
      description = "Exact neighbours (.ivecs); computed once and cached under --dir when absent.")
  Path groundTruth;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "Working directory: generated data, ground truth, the indexes, the disk probe file.")
  Path dir;

  @Option(names = "--build-only", description = "Build the indexes under --dir and stop.")
  boolean buildOnly;

  @Option(names = "--search-only", description = "Search the indexes an earlier run built under --dir.")
  boolean searchOnly;

  @Option(names = "--mem-cap", paramLabel = "SIZE",
      description = "Search in a child JVM inside a new memory cgroup with this limit (heap, native and page cache).")
  String memCap;

  @Option(names = "--heap", paramLabel = "SIZE", description = "-Xmx of the capped child JVM. Default: half the cap.")
  String heap;

  @Option(names = "--threads", split = ",", description = "Search thread counts. Default: 1.")
  int[] threads = {1};

  @Option(names = "--L", split = ",", paramLabel = "LIST", description = "Search list sizes. Default: 16,32,64,128.")
  int[] listSizes = {16, 32, 64, 128};

  @Option(names = "--passes", split = ",", paramLabel = "cold|warm", description = "Default: cold,warm.")
  List<String> passes = List.of("cold", "warm");

  @Option(names = "--runs", description = "Measured runs per setting; the median by QPS is reported."
      + " Default: ${DEFAULT-VALUE}.")
  int runs = 3;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Unmeasured searches after opening an index,"
      + " at least one pass over the queries and this long, so that no pass measures the JIT compiler."
      + " Default: ${DEFAULT-VALUE}.")
  double warmup = 2;

  @Option(names = "--engines", split = ",", paramLabel = "LIST",
      description = "quiver-disk, quiver-hnsw, and with the quiver-bench jar jvector-disk. Default: quiver-disk.")
  List<String> engines = List.of("quiver-disk");

  @Option(names = "--filters", split = ",", paramLabel = "LIST", description = {"Keyword filter selectivities,"
      + " e.g. 0.001,0.01,0.1,0.5: each base row gets a seeded random label per level, matching with that"
      + " probability and uncorrelated with the vectors; each query runs with the filter of each level against the"
      + " exact filtered top-k (cached under --dir). 'none' adds the unfiltered searches. Default: none."})
  List<String> filters = List.of("none");

  @Option(names = "--filter-plan", paramLabel = "auto|scan|walk", description = "quiver-disk's filtered search:"
      + " its planner, or always the code scan of the matches, or always the filtered graph walk."
      + " Default: ${DEFAULT-VALUE}.")
  String filterPlan = "auto";

  @Option(names = "--json", paramLabel = "FILE", description = "Append the JSON objects to FILE.")
  Path json;

  @Option(names = "--queries", paramLabel = "N",
      description = "Queries: N generated (default 1000), or the first N of --query (default all).")
  int queries;

  @Option(names = "--k", description = "Neighbours per query. Default: ${DEFAULT-VALUE}.")
  int k = 10;

  @Option(names = "--max-degree", description = "Graph degree on disk. Default: ${DEFAULT-VALUE}.")
  int maxDegree = 32;

  @Option(names = "--build-list", description = "Build candidate list size. Default: ${DEFAULT-VALUE}.")
  int buildList = 100;

  @Option(names = "--alpha", description = "Pruning alpha. Default: each engine's own.")
  Float alpha;

  @Option(names = "--graph", paramLabel = "hnsw|vamana", description = "quiver-disk's graph builder."
      + " Default: ${DEFAULT-VALUE}.")
  String graph = "hnsw";

  @Option(names = "--beam-width", description = "quiver-disk: blocks read per round. Default: ${DEFAULT-VALUE}.")
  int beamWidth = 4;

  @Option(names = "--rerank", description = "quiver-disk: candidates rescored with float vectors. Default: k.")
  Integer rerank;

  @Option(names = "--entry-samples", description = "quiver-disk: nodes scored by code to pick a second entry."
      + " Default: ${DEFAULT-VALUE}.")
  int entrySamples = DiskSearchParams.DEFAULT_ENTRY_SAMPLES;

  @Option(names = "--build-threads", description = "Build threads. Default: all cores (${DEFAULT-VALUE}).")
  int buildThreads = Runtime.getRuntime().availableProcessors();

  /** Set by the parent when it starts this process as the capped child: rows go to this file, not to --json. */
  @Option(names = "--child-rows", hidden = true)
  Path childRows;

  /** Smallest disk probe file; the probe uses at least the cap plus 64 MiB, so the file cannot all be cached. */
  @Option(names = "--probe-bytes", hidden = true)
  long probeBytes = 256L << 20;

  @Option(names = "--cgroup-root", hidden = true)
  Path cgroupRoot = MemoryCgroup.V1_ROOT;

  @Option(names = "--proc-cgroup", hidden = true)
  Path procCgroup = MemoryCgroup.PROC_SELF_CGROUP;

  @Spec
  CommandSpec spec;

  private final ObjectMapper mapper = new ObjectMapper();
  private final PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    validate();
    Metric met = Metric.parse(metric);
    Map<String, DiskEngineProvider> providers = selectedProviders(met);
    Files.createDirectories(dir);
    Long capBytes = memCap == null ? null : Sizes.parse("--mem-cap", memCap);
    long heapBytes = capBytes == null ? 0 : heap == null ? capBytes / 2 : Sizes.parse("--heap", heap);
    if (capBytes != null) {
      if (heapBytes >= capBytes) {
        throw new IllegalArgumentException("--heap (" + heapBytes + " bytes) must be below --mem-cap (" + capBytes
            + " bytes): the cap also holds the JVM's native memory and the page cache");
      }
      MemoryCgroup.create(cgroupRoot, procCgroup, "quiver-bench-disk-check-" + ProcessHandle.current().pid(),
          capBytes).close(); // fail now, not after the builds
    }
    PrintStream log = err;
    BenchData data = loadData(met, log);
    log.printf(Locale.ROOT, "data: %,d x %d %s, %,d queries, k %d; kernels %s%n", data.n(), data.dim(), met,
        data.queries().length, k, VectorUtil.implementationName());
    List<SearchSession.Case> cases = buildOnly ? List.of() : filterCases(data, log);
    List<ObjectNode> out = new ArrayList<>();
    Map<String, Double> buildSeconds = new LinkedHashMap<>();
    if (!searchOnly) {
      for (DiskEngineProvider p : providers.values()) {
        ObjectNode b = build(p, data);
        buildSeconds.put(p.name(), b.get("build_s").asDouble());
        if (buildOnly) {
          out.add(b);
        }
      }
    }
    if (buildOnly) {
      writeJson(out);
      return 0;
    }
    boolean failed = false;
    ResultTable table = new ResultTable(System.out);
    if (childRows == null) {
      long probeFile = Math.max(probeBytes, capBytes == null ? 0 : capBytes + (64L << 20));
      out.add(probe(DiskProbe.run(dir, probeFile, log)));
    }
    for (DiskEngineProvider p : providers.values()) {
      EngineDir ed = EngineDir.of(dir, p.name());
      Double built = buildSeconds.containsKey(p.name()) ? buildSeconds.get(p.name())
          : Double.valueOf(ed.readBuild(mapper, p.name(), data));
      List<ObjectNode> rows = capBytes == null ? searchHere(p, ed, data, built, cases)
          : searchCapped(p, data, capBytes, heapBytes);
      for (ObjectNode row : rows) {
        failed |= row.has("error");
        if (childRows == null) { // the parent prints the child's rows, with the cgroup's peak
          table.print(row);
        }
      }
      out.addAll(rows);
    }
    if (childRows != null) {
      Files.write(childRows, out.stream().map(this::text).toList(), StandardCharsets.UTF_8);
    } else {
      writeJson(out);
    }
    return failed ? 1 : 0;
  }

  private void validate() {
    if (buildOnly && searchOnly) {
      throw new ParameterException(spec.commandLine(), "--build-only and --search-only exclude each other;"
          + " give neither to build and search in one run");
    }
    if ((synthetic == null) == (base == null)) {
      throw new ParameterException(spec.commandLine(), "give either --synthetic N or --base FILE --query FILE");
    }
    if (base != null && query == null) {
      throw new ParameterException(spec.commandLine(), "--base needs --query (and optionally --groundtruth)");
    }
    if (synthetic != null && (synthetic < 1 || dim < 1)) {
      throw new ParameterException(spec.commandLine(), "--synthetic and --dim must be >= 1");
    }
    if (heap != null && memCap == null) {
      throw new ParameterException(spec.commandLine(), "--heap sizes the capped child JVM: it needs --mem-cap");
    }
    if (memCap != null && buildOnly) {
      throw new ParameterException(spec.commandLine(), "--mem-cap caps the search; --build-only runs none");
    }
    if (!(warmup >= 0) || Double.isInfinite(warmup)) {
      throw new ParameterException(spec.commandLine(), "--warmup must be a number of seconds >= 0");
    }
    if (runs < 1 || k < 1 || queries < 0 || maxDegree < 1 || buildList < 1 || beamWidth < 1 || buildThreads < 1
        || (rerank != null && rerank < 0) || entrySamples < 0) {
      throw new ParameterException(spec.commandLine(), "--runs, --k, --max-degree, --build-list, --beam-width and"
          + " --build-threads must be >= 1, --queries, --rerank and --entry-samples >= 0");
    }
    for (int[] list : List.of(threads, listSizes)) {
      if (list.length == 0 || Arrays.stream(list).anyMatch(v -> v < 1)) {
        throw new ParameterException(spec.commandLine(), "--threads and --L take lists of values >= 1");
      }
    }
    for (String p : passes) {
      if (!p.equals("cold") && !p.equals("warm")) {
        throw new ParameterException(spec.commandLine(), "--passes takes cold and/or warm, got '" + p + "'");
      }
    }
    for (String f : filters) {
      if (!f.trim().equalsIgnoreCase("none")) {
        double s;
        try {
          s = Double.parseDouble(f.trim());
        } catch (NumberFormatException e) {
          s = Double.NaN;
        }
        if (!(s > 0 && s <= 1)) {
          throw new ParameterException(spec.commandLine(), "--filters takes selectivities in (0, 1] (or 'none'), got '"
              + f + "'");
        }
      }
    }
    if (!DiskSearchOptions.FILTER_PLANS.contains(filterPlan)) {
      throw new ParameterException(spec.commandLine(), "--filter-plan is one of " + DiskSearchOptions.FILTER_PLANS
          + ", got '" + filterPlan + "'");
    }
    if (!graph.equals("hnsw") && !graph.equals("vamana")) {
      throw new ParameterException(spec.commandLine(), "--graph is hnsw or vamana, got '" + graph + "'");
    }
  }

  /** The chosen engines, found with ServiceLoader (peers come from the quiver-bench jar). */
  private Map<String, DiskEngineProvider> selectedProviders(Metric met) {
    Map<String, DiskEngineProvider> all = new LinkedHashMap<>();
    for (DiskEngineProvider p : ServiceLoader.load(DiskEngineProvider.class)) {
      all.put(p.name(), p);
    }
    Map<String, DiskEngineProvider> chosen = new LinkedHashMap<>();
    for (String name : engines) {
      DiskEngineProvider p = all.get(name.trim().toLowerCase(Locale.ROOT));
      if (p == null) {
        throw new IllegalArgumentException("unknown engine '" + name + "'; available: " + all.keySet()
            + (all.containsKey("jvector-disk") ? "" : " (peer engines need quiver-bench/target/quiver-bench.jar)"));
      }
      if (!p.supports(met)) {
        throw new IllegalArgumentException(p.name() + " does not support metric " + met);
      }
      chosen.put(p.name(), p);
    }
    return chosen;
  }

  private BenchData loadData(Metric met, PrintStream log) throws IOException, InterruptedException {
    if (synthetic != null) {
      return BenchData.synthetic(dir, synthetic, dim, met, seed, queries > 0 ? queries : 1000, k, log);
    }
    return BenchData.files(dir, base, query, groundTruth, met, queries, k, log);
  }

  /** The searches to run: unfiltered and/or one per filter level, with each level's exact filtered neighbours. */
  private List<SearchSession.Case> filterCases(BenchData data, PrintStream log) throws Exception {
    List<SearchSession.Case> cases = new ArrayList<>();
    for (String f : filters) {
      if (f.trim().equalsIgnoreCase("none")) {
        cases.add(new SearchSession.Case(null, data.groundTruth()));
      } else {
        RowFilter filter = FilterLabels.level(seed, Double.parseDouble(f.trim()), data.n());
        log.printf(Locale.ROOT, "filter %s: %,d of %,d rows match%n", filter.selectivity(), filter.count(), data.n());
        cases.add(new SearchSession.Case(filter, data.filteredGroundTruth(filter, seed, k, log)));
      }
    }
    return cases;
  }

  private ObjectNode build(DiskEngineProvider provider, BenchData data) throws Exception {
    EngineDir ed = EngineDir.of(dir, provider.name());
    ed.reset();
    DiskBuildParams params = new DiskBuildParams(maxDegree, buildList, alpha == null ? Float.NaN : alpha,
        buildThreads, seed, graph);
    long t0 = System.nanoTime();
    long bytes;
    try (DiskEngine engine = provider.create(); FvecsFile vectors = FvecsFile.open(data.baseFile())) {
      bytes = engine.build(vectors, data.metric(), params, ed.index(), new Progress("build " + provider.name(), err));
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException(provider.name() + " build failed: " + e, e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    err.printf(Locale.ROOT, "%s: built in %.1f s (%,.0f vectors/s), %,d bytes in %s%n", provider.name(), seconds,
        data.n() / seconds, bytes, ed.index());
    return ed.writeBuild(mapper, provider.name(), seconds, data, bytes);
  }

  private List<ObjectNode> searchHere(DiskEngineProvider p, EngineDir ed, BenchData data, Double built,
      List<SearchSession.Case> cases) throws Exception {
    SearchSession.Settings s = new SearchSession.Settings(threads, listSizes, List.copyOf(passes), runs, k,
        new DiskSearchOptions(beamWidth, rerank == null ? k : rerank, filterPlan, entrySamples),
        (long) (warmup * 1e9), cases);
    try {
      return new SearchSession(data, s, err, mapper).run(p, ed.index(), new SearchSession.BuildInfo(built));
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException(p.name() + " search failed: " + e, e);
    }
  }

  /** Runs the search of one engine in a child JVM inside a fresh cgroup; fills cap and peak into its rows. */
  private List<ObjectNode> searchCapped(DiskEngineProvider p, BenchData data, long capBytes, long heapBytes)
      throws Exception {
    Path rowsFile = dir.resolve("child-rows-" + p.name() + ".jsonl");
    Files.deleteIfExists(rowsFile);
    List<String> args = new ArrayList<>(List.of("bench-disk", "--search-only", "--dir", dir.toString(),
        "--base", data.baseFile().toString(), "--query", data.queryFile().toString(),
        "--groundtruth", data.groundTruthFile().toString(), "--metric", metric,
        "--queries", String.valueOf(data.queries().length), "--k", String.valueOf(k),
        "--threads", join(threads), "--L", join(listSizes), "--passes", String.join(",", passes),
        "--runs", String.valueOf(runs), "--warmup", String.valueOf(warmup), "--engines", p.name(),
        "--beam-width", String.valueOf(beamWidth), "--entry-samples", String.valueOf(entrySamples),
        "--seed", String.valueOf(seed),
        "--filters", String.join(",", filters), "--filter-plan", filterPlan,
        "--child-rows", rowsFile.toString()));
    if (rerank != null) {
      args.addAll(List.of("--rerank", String.valueOf(rerank)));
    }
    List<String> command = ChildJvm.javaCommand(heapBytes, args);
    String name = "quiver-bench-disk-" + ProcessHandle.current().pid() + "-" + p.name();
    List<ObjectNode> rows = new ArrayList<>();
    try (MemoryCgroup cgroup = MemoryCgroup.create(cgroupRoot, procCgroup, name, capBytes)) {
      err.printf(Locale.ROOT, "%s: searching in a child JVM (-Xmx%d) inside memory cgroup %s, limit %,d bytes%n",
          p.name(), heapBytes, name, cgroup.limitBytes());
      ChildJvm.Outcome outcome = ChildJvm.runIn(cgroup, command);
      int code = outcome.exitCode();
      long peak = cgroup.peakBytes();
      if (code != 0 || !Files.exists(rowsFile)) {
        ObjectNode failed = mapper.createObjectNode();
        failed.put("engine", p.name());
        failed.put("cap_bytes", cgroup.limitBytes());
        failed.put("peak_bytes", peak);
        failed.put("peak_anon_bytes", outcome.peakAnonymousBytes());
        failed.put("n", data.n());
        failed.put("dim", data.dim());
        long kills = cgroup.oomKills();
        failed.put("error", kills > 0 ? "killed by the OOM killer at the cap (exit " + code + ")"
            : "the search process exited with code " + code);
        rows.add(failed);
        return rows;
      }
      for (String line : Files.readAllLines(rowsFile, StandardCharsets.UTF_8)) {
        ObjectNode row = (ObjectNode) mapper.readTree(line);
        row.put("cap_bytes", cgroup.limitBytes());
        row.put("peak_bytes", peak);
        row.put("peak_anon_bytes", outcome.peakAnonymousBytes());
        rows.add(row);
      }
      Files.delete(rowsFile);
    }
    return rows;
  }

  private ObjectNode probe(DiskProbe.Result r) {
    ObjectNode o = mapper.createObjectNode();
    o.put("engine", "disk-probe");
    o.put("file_bytes", r.fileBytes());
    o.put("read_p50_us", r.p50Us());
    o.put("read_mean_us", r.meanUs());
    o.put("reads_per_s_1", r.readsPerSecond1());
    o.put("read_p50_us_4", r.p50Us4());
    o.put("reads_per_s_4", r.readsPerSecond4());
    o.put("read_bytes_per_read", r.bytesPerRead());
    return o;
  }

  private void writeJson(List<ObjectNode> rows) throws IOException {
    if (json != null) {
      Files.write(json, rows.stream().map(this::text).toList(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  private String text(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String join(int[] values) {
    return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
  }
}
