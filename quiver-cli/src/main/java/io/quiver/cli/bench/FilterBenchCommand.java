package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PlannerConfig;
import io.quiver.collection.Point;
import io.quiver.collection.SearchExplain;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SegmentPlan;
import io.quiver.collection.VectorParams;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

  @Option(names = "--cases", split = ",", description = "Only these cases (samelabel, randomlabel, r<P>%% for"
      + " each --r-thresholds value: r0.1%%, r0.5%%, r1%%, r5%%, r20%%, r50%%, r100%% by default, and w<P>%% for the"
      + " same selectivities as a window placed anew for every query: w0.1%% .. w50%%; tenant with --tenants)."
      + " Default: all.")
  List<String> onlyCases;

  @Option(names = "--r-thresholds", split = ",", description = "Thresholds t of the synthetic cases r < t, r uniform"
      + " in [0, 1000) (default: 1,5,10,50,200,500,1000 = 0.1%% .. 100%%).")
  int[] rThresholds = FilterCases.R_THRESHOLDS.clone();

  @Option(names = "--quantization", description = "Quantize the collection (int8, float16, binary, pq4..pq64): every"
      + " method then walks or scans the codes and reranks with full vectors. Default: none (float32).")
  String quantization;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the markdown report to FILE.")
  Path out;

  @Mixin
  QueryOptions queryOptions = new QueryOptions(1000);

  /**
   * Warm-up: one untimed pass of each method the planner may pick (auto, exact, acorn, route_through, auto_ef32)
   * before its statistics pass, longer only when asked; the sweeps run their statistics passes on warm code.
   */
  @Mixin
  RunOptions runOptions = new RunOptions(0);

  @Spec
  CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (Arrays.stream(rThresholds).anyMatch(t -> t < 1 || t > FilterCases.R_RANGE)) {
      throw new ParameterException(spec.commandLine(), "--r-thresholds must be in 1.." + FilterCases.R_RANGE);
    }
    queryOptions.validate(spec.commandLine());
    runOptions.validate(spec.commandLine());
    if (ef < 1 || maxEf < 1 || batch < 1) {
      throw new ParameterException(spec.commandLine(), "--ef, --max-ef and --batch must be >= 1");
    }
    int k = queryOptions.k();
    long seed = runOptions.seed();
    planner(); // validates the planner flags before any work
    double loadAtStart = loadAverage();
    LabelledData d = load();
    int[] r = new int[d.base().length];
    Random rnd = new Random(seed);
    for (int i = 0; i < r.length; i++) {
      r[i] = rnd.nextInt(FilterCases.R_RANGE);
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
    List<FilterCase> cases = new FilterCases(rThresholds, onlyCases, tenants, seed, k).build(d, r, tenantOf);
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
              + " one query at a time, after an untimed pass over the queries and at least %s s of warm-up per"
              + " method; QPS is the median of %d timed rounds, each timing one pass of every method in turn. %d cores;"
              + " 1-minute"
              + " load average %.2f at the start, %.2f after the build (other work on the machine makes QPS noisy);"
              + " %s.%n", d.name(), d.base().length, d.base()[0].length, d.metric(), d.queries().length, k, ef, m,
          efConstruction, effectivePayloadM(), quantization == null ? "none" : quantization, planner(), buildSeconds,
          c.info().heapBytes(), FilterReport.trim(runOptions.warmupSeconds()), queryOptions.runs(),
          Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(), d.generated()
              ? "GENERATED data (no data set directory found or --force-synthetic), ground truth by brute force"
              : "filtered ground truth from the data set's files (label cases) and by brute force (r cases)");
      if (!buildFailures.isEmpty()) {
        header += "\n**WARNING: " + buildFailures.size() + " earlier build attempt(s) failed in the core indexer**"
            + " (the build above is a fresh retry): " + String.join("; ", buildFailures) + "\n";
      }
      md.append(header).append('\n');
      System.out.print(header);
      System.out.println();
      FilterMeasurement measurement = new FilterMeasurement(c, d, k, ef, maxEf, queryOptions.runs(),
          runOptions.warmupNanos());
      FilterReport report = new FilterReport(d, k, quantization);
      for (FilterCase cs : cases) {
        List<FilterRow> rows = measurement.runCase(cs);
        String table = report.table(cs, rows);
        md.append(table).append('\n');
        System.out.print(table);
        System.out.println();
        for (FilterRow row : rows) {
          String line = report.jsonLine(cs, row);
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
    runOptions.appendJson(jsonLines);
    return 0;
  }

  // ---------------------------------------------------------------- data

  private LabelledData load() throws IOException {
    Path dir = data != null ? data : BenchCommand.defaultDatasetDir();
    if (!forceSynthetic && dir != null && Files.isDirectory(dir)) {
      return LabelledData.load(dir, queryOptions.fromFile(), queryOptions.k());
    }
    if (data != null && !forceSynthetic) {
      System.err.printf("bench-filter: %s does not exist; using a generated data set instead%n", data);
    } else if (!forceSynthetic) {
      System.err.println("bench-filter: no data set directory found; using a generated data set instead");
    }
    return LabelledData.generate(synthetic, queryOptions.generated(), dim, runOptions.seed());
  }

  // ---------------------------------------------------------------- build

  private Collection build(Quiver db, String name, LabelledData d, int[] r) throws Exception {
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
    SearchExplain e = c.explain(SearchRequest.builder(d.queries()[0]).limit(queryOptions.k()).build());
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

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
