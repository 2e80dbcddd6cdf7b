package io.quiver.cli.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import io.quiver.cli.bench.RunOptions;
import io.quiver.server.QuiverServer;
import io.quiver.server.ServerConfig;
import io.quiver.server.ServerConfigLoader;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quiver loadtest}: a bounded, loopback-only closed-loop load test of search and upsert over Qdrant's REST
 * and gRPC APIs. Loads synthetic clustered vectors over HTTP, waits for indexing, then for each scenario and each
 * transport runs C connections for a fixed time, each sending its next request as soon as the last one is answered,
 * and reports throughput, latency percentiles and recall@k of the served results against the server's exact search;
 * the upsert scenario writes a fixed number of points once, in batches, into a fresh collection.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Closed-loop load test of search and upsert over Qdrant's REST and gRPC APIs, on loopback.",
        "Without --url it serves a temporary database in this process (deleted afterwards, also on Ctrl-C)."})
public final class LoadTestCommand implements Callable<Integer> {
  @Option(names = "--url", description = "target an existing server (e.g. http://127.0.0.1:6333) instead of one"
      + " started in this process")
  URI url;

  @Option(names = "--grpc-port", description = "with --url: the server's gRPC port (default ${DEFAULT-VALUE})")
  int grpcPort = 6334;

  @Option(names = "--allow-remote", description = "allow a --url host that is not a loopback address")
  boolean allowRemote;

  @Option(names = "--scenario", split = ",", description = "unfiltered, filtered (group = g3, 10%% of the points)"
      + " and/or ping (GET / or Qdrant/HealthCheck, the server's own overhead), ping_jdk (GET / from the JDK's"
      + " built-in HTTP server on virtual threads, for comparison; REST only) and upsert (--upsert-points in"
      + " --upsert-batch batches, wait=true, --load-concurrency in flight, into a fresh collection)"
      + " (default: unfiltered,filtered)")
  List<Scenario> scenarios = new ArrayList<>(List.of(Scenario.UNFILTERED, Scenario.FILTERED));

  @Option(names = "--transport", split = ",", description = "rest (HTTP/1.1 JSON) and/or grpc (Qdrant's gRPC API,"
      + " a channel per connection); each scenario runs once per entry, in order: repeat entries to interleave,"
      + " e.g. rest,grpc,rest,grpc (default: rest)")
  List<Transport> transports = new ArrayList<>(List.of(Transport.REST));

  @Option(names = "--upsert-points", description = "points the upsert scenario writes (default ${DEFAULT-VALUE})")
  int upsertPoints = 100_000;

  @Option(names = "--upsert-batch", description = "points per request of the upsert scenario"
      + " (default ${DEFAULT-VALUE})")
  int upsertBatch = 1000;

  @Option(names = "--points", description = "points to load (default ${DEFAULT-VALUE})")
  int points = 100_000;

  @Option(names = "--dim", description = "vector dimension (default ${DEFAULT-VALUE}; Cosine)")
  int dim = 384;

  @Option(names = "--batch", description = "points per upsert request (default ${DEFAULT-VALUE})")
  int batch = 256;

  @Option(names = "--load-concurrency", description = "concurrent upsert requests, loading and in the upsert"
      + " scenario (default ${DEFAULT-VALUE})")
  int loadConcurrency = 2;

  @Option(names = "--collection", description = "collection name (default ${DEFAULT-VALUE})")
  String collection = "loadtest";

  @Option(names = "--recreate", description = "with --url: drop the collection first if it exists")
  boolean recreate;

  @Option(names = "--keep-collection", description = "with --url: leave the collection on the server afterwards")
  boolean keepCollection;

  @Option(names = "--concurrency", description = "concurrent connections, each with one request in flight"
      + " (default ${DEFAULT-VALUE})")
  int concurrency = 8;

  @Option(names = "--duration", description = "measured seconds per scenario (default ${DEFAULT-VALUE})")
  double duration = 20;

  @Option(names = "--limit", description = "neighbours per query, the k of recall@k (default ${DEFAULT-VALUE})")
  int limit = 10;

  @Option(names = "--ef", description = "params.hnsw_ef of every query (default ${DEFAULT-VALUE})")
  int ef = 64;

  @Option(names = "--query-pool", description = "distinct pre-generated queries drawn at random"
      + " (default ${DEFAULT-VALUE})")
  int queryPool = 1000;

  @Option(names = "--recall-queries", description = "pool queries whose served results are checked against exact"
      + " search (params.exact=true) (default ${DEFAULT-VALUE})")
  int recallQueries = 200;

  @Option(names = "--client", description = "raw (a minimal HTTP/1.1 keep-alive socket client) or jdk"
      + " (java.net.http.HttpClient, HTTP/1.1, about 10x the client CPU per request) (default ${DEFAULT-VALUE})")
  String client = "raw";

  @Option(names = "--index-timeout", description = "seconds to wait for indexing to finish (default ${DEFAULT-VALUE})")
  double indexTimeout = 900;

  @Option(names = "--request-log", description = "in-process server's request log level: INFO (the server's"
      + " default, one line per request), OFF, ... (default ${DEFAULT-VALUE})")
  String requestLog = "INFO";

  /** Warm-up: 3 s of the scenario's own load before each measurement. */
  @Mixin
  RunOptions runOptions = new RunOptions(3.0);

  @Spec
  CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();


  private PrintStream log = System.err;
  /** Set on Ctrl-C: workers stop sending and close their connections, so the server stops at once. */
  private final AtomicBoolean stopping = new AtomicBoolean();
  private String target;

  @Override
  public Integer call() throws Exception {
    validate();
    if (url != null) {
      URI base = checkTarget(url);
      target = base.toString();
      return run(base, grpcPort, true);
    }
    Path dir = Files.createTempDirectory("quiver-loadtest-"); // system temp, never the repo
    AtomicBoolean cleaned = new AtomicBoolean();
    Quiver[] dbRef = new Quiver[1];
    QuiverServer[] serverRef = new QuiverServer[1];
    long[] times = new long[3];
    Runnable cleanup = () -> {
      stopping.set(true);
      if (!cleaned.compareAndSet(false, true)) {
        return;
      }
      if (serverRef[0] != null) {
        try {
          serverRef[0].close();
        } catch (RuntimeException e) {
          log.println("loadtest: stopping the server failed: " + e);
        }
      }
      long tDb = System.nanoTime();
      if (dbRef[0] != null) {
        try {
          dbRef[0].close();
        } catch (Exception e) {
          log.println("loadtest: closing the database failed: " + e);
        }
      }
      long tDel = System.nanoTime();
      try {
        AtomicFiles.deleteTree(dir);
      } catch (IOException | RuntimeException e) {
        log.println("loadtest: could not delete " + dir + ": " + e);
      }
      times[0] = tDb;
      times[1] = tDel;
      times[2] = System.nanoTime();
    };
    Thread hook = Thread.ofPlatform().name("loadtest-cleanup").unstarted(() -> {
      long t0 = System.nanoTime();
      cleanup.run();
      log.printf(Locale.ROOT, "loadtest: interrupted: server stopped in %.0f ms, database closed in %.0f ms, %s deleted%n",
          (times[0] - t0) / 1e6, (times[1] - times[0]) / 1e6, dir);
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      dbRef[0] = Quiver.open(dir);
      serverRef[0] = QuiverServer.start(dbRef[0], ServerConfig.builder().host("127.0.0.1").port(0)
          .requestLogLevel(ServerConfigLoader.level(requestLog)).build());
      URI base = URI.create("http://127.0.0.1:" + serverRef[0].port() + "/");
      target = "in-process";
      log.printf(Locale.ROOT, "loadtest: in-process server on %s over temporary database %s%n", base, dir);
      return run(base, serverRef[0].grpcPort(), false);
    } finally {
      cleanup.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run; cleanup is idempotent
      }
    }
  }

  private void validate() {
    if (points < 1 || dim < 1 || batch < 1 || loadConcurrency < 1 || concurrency < 1 || limit < 1 || ef < 0
        || queryPool < 1 || recallQueries < 0 || duration <= 0 || upsertPoints < 1 || upsertBatch < 1) {
      throw new ParameterException(spec.commandLine(), "sizes, counts and --duration must be positive;"
          + " --ef and --recall-queries not negative");
    }
    runOptions.validate(spec.commandLine());
    if (scenarios.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--scenario: at least one");
    }
    if (transports.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--transport: at least one");
    }
    if (grpcPort < 1 || grpcPort > 65_535) {
      throw new ParameterException(spec.commandLine(), "--grpc-port: 1..65535");
    }
    if (!collection.matches("[A-Za-z0-9_.-]+")) {
      throw new ParameterException(spec.commandLine(), "--collection: letters, digits, _ . - only");
    }
    recallQueries = Math.min(recallQueries, queryPool);
  }

  /** The base URI of {@code u} if its host is a loopback address (or --allow-remote); else a parameter error. */
  private URI checkTarget(URI u) {
    if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new ParameterException(spec.commandLine(), "--url: expected http://HOST:PORT, got " + u);
    }
    if (!allowRemote) {
      boolean loopback;
      try {
        loopback = InetAddress.getByName(u.getHost()).isLoopbackAddress();
        for (InetAddress a : InetAddress.getAllByName(u.getHost())) {
          loopback &= a.isLoopbackAddress();
        }
      } catch (UnknownHostException e) {
        loopback = false;
      }
      if (!loopback) {
        throw new ParameterException(spec.commandLine(), "--url: " + u.getHost()
            + " is not a loopback address; this load test stays on this machine unless --allow-remote");
      }
    }
    return URI.create("http://" + u.getRawAuthority() + "/");
  }

  private int run(URI base, int grpc, boolean external) throws Exception {
    boolean search = scenarios.stream().anyMatch(Scenario::search);
    boolean useGrpc = transports.contains(Transport.GRPC);
    List<ScenarioResult> results = new ArrayList<>();
    long seed = runOptions.seed();
    LoadSettings settings = new LoadSettings(client, concurrency, runOptions.warmupSeconds(), duration, limit, ef,
        points, dim, seed, queryPool, upsertPoints, upsertBatch);
    CollectionLoader loader = new CollectionLoader(collection, points, dim, seed, batch, loadConcurrency, indexTimeout,
        recreate, target, log);
    try (HttpTransport http = HttpTransport.of(client, base, concurrency);
        HttpTransport.Connection conn = http.open();
        GrpcChannels channels = useGrpc ? new GrpcChannels(base.getHost(), grpc, 2) : null) {
      HttpTransport.Response hello = conn.send("GET", "/", null);
      hello.expectOk("GET /");
      log.printf(Locale.ROOT, "loadtest: %s at %s, client %s%s%n", JSON.readTree(hello.body()).path("title").asText("?"),
          base, http.name(), useGrpc ? ", gRPC at " + GrpcWorkload.hello(channels) : "");
      boolean created = false;
      try {
        if (search) {
          created = loader.load(http, conn, external);
        }
        ScenarioRunner runner = new ScenarioRunner(settings, recallQueries, stopping, log);
        UpsertScenario upsert = new UpsertScenario(collection + "_upsert", upsertPoints, dim, loadConcurrency,
            settings.warmup(), recreate || !external, log);
        SyntheticVectors data = new SyntheticVectors(dim, seed);
        float[][] pool = new float[queryPool][];
        for (int j = 0; j < queryPool; j++) {
          pool[j] = data.query(j);
        }
        for (Scenario s : scenarios) {
          for (Transport t : s == Scenario.PING_JDK ? List.of(Transport.REST) : transports) {
            ScenarioResult r = switch (s) {
              case PING_JDK -> runner.jdkPing(hello.body());
              case UPSERT -> upsert.run(runner, conn, t, (c, n) -> t == Transport.REST
                  ? RestWorkload.upsert(http, c, data, n, upsertBatch)
                  : GrpcWorkload.upsert(channels, c, data, n, upsertBatch));
              default -> runner.run(workload(s, t, http, channels, settings, pool), s, t);
            };
            results.add(r);
            log.println(LoadReport.summaryLine(r));
            if (stopping.get()) {
              break;
            }
          }
        }
      } finally {
        if (created && external && !keepCollection) {
          conn.send("DELETE", "/collections/" + collection, null);
        }
      }
    }
    LoadReport report = new LoadReport(target, settings, loader.loadSeconds(), loader.indexSeconds());
    runOptions.appendJson(report.print(results, System.out));
    long errors = results.stream().mapToLong(ScenarioResult::errors).sum();
    for (ScenarioResult r : results) {
      for (String e : r.errorSamples()) {
        log.println("loadtest: " + r.label() + " error: " + e);
      }
    }
    if (errors > 0) {
      log.printf(Locale.ROOT, "loadtest: %,d failed requests%n", errors);
      return 3;
    }
    return 0;
  }

  /** The search or ping requests of {@code s} over {@code t}. */
  private Workload workload(Scenario s, Transport t, HttpTransport http, GrpcChannels channels,
      LoadSettings settings, float[][] pool) {
    boolean filtered = s == Scenario.FILTERED;
    return switch (t) {
      case REST -> s == Scenario.PING ? RestWorkload.ping(http)
          : RestWorkload.search(http, collection, settings, pool, filtered);
      case GRPC -> s == Scenario.PING ? GrpcWorkload.ping(channels)
          : GrpcWorkload.search(channels, collection, settings, pool, filtered);
    };
  }
}
