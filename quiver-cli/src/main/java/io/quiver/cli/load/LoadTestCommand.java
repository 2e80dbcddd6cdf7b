package io.quiver.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver loadtest}: a bounded, loopback-only closed-loop HTTP load test of search over the Qdrant REST API.
 * Loads synthetic clustered vectors over HTTP, waits for indexing, then for each scenario runs C connections for a
 * fixed time, each sending its next request as soon as the last one is answered, and reports throughput, latency
 * percentiles and recall@k of the served results against the server's exact search.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Closed-loop HTTP load test of search over the Qdrant REST API, on loopback.",
        "Without --url it serves a temporary database in this process (deleted afterwards, also on Ctrl-C)."})
public final class LoadTestCommand implements Callable<Integer> {

  /** What the workers send. */
  enum Scenario {
    UNFILTERED, FILTERED, PING,
    /** GET / on the JDK's built-in com.sun.net.httpserver with virtual threads: the baseline Helidon is judged by. */
    PING_JDK;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean ping() {
      return this == PING || this == PING_JDK;
    }
  }

  @Option(names = "--url", description = "target an existing server (e.g. http://127.0.0.1:6333) instead of one"
      + " started in this process")
  URI url;

  @Option(names = "--allow-remote", description = "allow a --url host that is not a loopback address")
  boolean allowRemote;

  @Option(names = "--scenario", split = ",", description = "unfiltered, filtered (group = g3, 10%% of the points)"
      + " and/or ping (GET /, the server's own overhead) and ping_jdk (the same answer from the JDK's built-in HTTP"
      + " server on virtual threads, for comparison) (default: unfiltered,filtered)")
  List<Scenario> scenarios = new ArrayList<>(List.of(Scenario.UNFILTERED, Scenario.FILTERED));

  @Option(names = "--points", description = "points to load (default ${DEFAULT-VALUE})")
  int points = 100_000;

  @Option(names = "--dim", description = "vector dimension (default ${DEFAULT-VALUE}; Cosine)")
  int dim = 384;

  @Option(names = "--seed", description = "data and query seed (default ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--batch", description = "points per upsert request (default ${DEFAULT-VALUE})")
  int batch = 256;

  @Option(names = "--load-concurrency", description = "concurrent upsert requests (default ${DEFAULT-VALUE})")
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

  @Option(names = "--warmup", description = "unmeasured seconds before each scenario's measurement"
      + " (default ${DEFAULT-VALUE})")
  double warmup = 3;

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

  @Option(names = "--json", description = "also write one JSON line per scenario to this file")
  Path json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_SAMPLES = 5;
  private static final String FILTER_JSON = "{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g3\"}}]}";

  private PrintStream log = System.err;
  /** Set on Ctrl-C: workers stop sending and close their connections, so the server stops at once. */
  private final AtomicBoolean stopping = new AtomicBoolean();
  private String target;
  private double loadSeconds = Double.NaN;
  private double indexSeconds = Double.NaN;

  /** One scenario's figures. Latencies in milliseconds, CPU in microseconds per measured request. */
  record Result(Scenario scenario, int concurrency, long requests, long errors, double seconds, double rps,
      double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double recall,
      int recallQueries, double clientCpuUsPerReq, double processCpuUsPerReq, double clientCores,
      double processCores, List<String> errorSamples) {}

  @Override
  public Integer call() throws Exception {
    validate();
    if (url != null) {
      URI base = checkTarget(url);
      target = base.toString();
      return run(base, true);
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
      serverRef[0] = QuiverServer.start(dbRef[0], io.quiver.server.ServerConfig.builder().host("127.0.0.1").port(0)
          .requestLogLevel(io.quiver.server.ServerConfigLoader.level(requestLog)).build());
      URI base = URI.create("http://127.0.0.1:" + serverRef[0].port() + "/");
      target = "in-process";
      log.printf(Locale.ROOT, "loadtest: in-process server on %s over temporary database %s%n", base, dir);
      return run(base, false);
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
        || queryPool < 1 || recallQueries < 0 || duration <= 0 || warmup < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "sizes, counts and --duration must be positive;"
          + " --warmup, --ef and --recall-queries not negative");
    }
    if (scenarios.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: at least one");
    }
    if (!collection.matches("[A-Za-z0-9_.-]+")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--collection: letters, digits, _ . - only");
    }
    recallQueries = Math.min(recallQueries, queryPool);
  }

  /** The base URI of {@code u} if its host is a loopback address (or --allow-remote); else a parameter error. */
  private URI checkTarget(URI u) {
    if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--url: expected http://HOST:PORT, got " + u);
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
        throw new CommandLine.ParameterException(spec.commandLine(), "--url: " + u.getHost()
            + " is not a loopback address; this load test stays on this machine unless --allow-remote");
      }
    }
    return URI.create("http://" + u.getRawAuthority() + "/");
  }

  private int run(URI base, boolean external) throws Exception {
    boolean search = scenarios.stream().anyMatch(s -> !s.ping());
    List<Result> results = new ArrayList<>();
    try (HttpTransport http = HttpTransport.of(client, base, concurrency);
        HttpTransport.Connection conn = http.open()) {
      HttpTransport.Response hello = conn.send("GET", "/", null);
      expectOk(hello, "GET /");
      log.printf(Locale.ROOT, "loadtest: %s at %s, client %s%n", JSON.readTree(hello.body()).path("title").asText("?"),
          base, http.name());
      boolean created = false;
      try {
        if (search) {
          created = load(http, conn, external);
        }
        for (Scenario s : scenarios) {
          Result r = s == Scenario.PING_JDK ? jdkPing(hello.body()) : scenario(http, conn, s);
          results.add(r);
          log.println(summaryLine(r));
        }
      } finally {
        if (created && external && !keepCollection) {
          conn.send("DELETE", "/collections/" + collection, null);
        }
      }
    }
    PrintStream out = System.out;
    out.println();
    out.println(tableHeader());
    for (Result r : results) {
      out.println(tableRow(r));
    }
    out.printf(Locale.ROOT, "(%s server, %s client, %d connections, %.0f s measured after %.0f s warm-up;"
            + " CPU/req: client threads and whole process; figures on a busy machine are noise)%n", target, client,
        concurrency, duration, warmup);
    List<String> lines = new ArrayList<>();
    for (Result r : results) {
      String line = JSON.writeValueAsString(jsonLine(r));
      lines.add(line);
      out.println(line);
    }
    if (json != null) {
      Files.write(json, lines, StandardCharsets.UTF_8);
    }
    long errors = results.stream().mapToLong(Result::errors).sum();
    for (Result r : results) {
      for (String e : r.errorSamples()) {
        log.println("loadtest: " + r.scenario().label() + " error: " + e);
      }
    }
    if (errors > 0) {
      log.printf(Locale.ROOT, "loadtest: %,d failed requests%n", errors);
      return 3;
    }
    return 0;
  }

  // ------------------------------------------------------------------ load

  /** Creates and fills the collection, then waits for indexing; true if this run created it. */
  private boolean load(HttpTransport http, HttpTransport.Connection conn, boolean external) throws Exception {
    String c = "/collections/" + collection;
    HttpTransport.Response exists = conn.send("GET", c + "/exists", null);
    expectOk(exists, "GET " + c + "/exists");
    if (JSON.readTree(exists.body()).path("result").path("exists").asBoolean()) {
      if (!external || !recreate) {
        throw new IllegalStateException("collection " + collection + " already exists on " + target
            + "; pass --recreate to drop it or --collection to pick another name");
      }
      expectOk(conn.send("DELETE", c, null), "DELETE " + c);
    }
    expectOk(conn.send("PUT", c, bytes("{\"vectors\":{\"size\":" + dim + ",\"distance\":\"Cosine\"}}")), "PUT " + c);
    expectOk(conn.send("PUT", c + "/index?wait=true",
        bytes("{\"field_name\":\"group\",\"field_schema\":\"keyword\"}")), "PUT " + c + "/index");
    SyntheticVectors data = new SyntheticVectors(dim, seed);
    log.printf(Locale.ROOT, "loadtest: loading %,d x %d clustered Cosine vectors (seed %d) in batches of %d,"
        + " %d at a time...%n", points, dim, seed, batch, loadConcurrency);
    AtomicInteger next = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    AtomicReferenceArray<Throwable> failure = new AtomicReferenceArray<>(1);
    long t0 = System.nanoTime();
    List<Thread> loaders = new ArrayList<>();
    for (int w = 0; w < loadConcurrency; w++) {
      loaders.add(Thread.ofPlatform().name("loadtest-loader-" + w).start(() -> {
        try (HttpTransport.Connection lc = http.open()) {
          int from;
          while (failure.get(0) == null && (from = next.getAndAdd(batch)) < points) {
            int to = Math.min(points, from + batch);
            StringBuilder sb = new StringBuilder((to - from) * (dim * 11 + 48)).append("{\"points\":[");
            for (int i = from; i < to; i++) {
              if (i > from) {
                sb.append(',');
              }
              sb.append("{\"id\":").append(i).append(",\"vector\":");
              SyntheticVectors.appendJson(sb, data.point(i));
              sb.append(",\"payload\":{\"group\":\"g").append(i % 10).append("\",\"n\":").append(i).append("}}");
            }
            sb.append("]}");
            expectOk(lc.send("PUT", c + "/points?wait=true", bytes(sb.toString())), "PUT " + c + "/points");
            long d = done.addAndGet(to - from);
            long step = Math.max(1, points / 10);
            if (d / step != (d - (to - from)) / step && d < points) {
              log.printf(Locale.ROOT, "loadtest:   %,d points (%.0f%%), %.1f s%n", d, 100.0 * d / points,
                  (System.nanoTime() - t0) / 1e9);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(0, null, e);
        }
      }));
    }
    for (Thread t : loaders) {
      t.join();
    }
    if (failure.get(0) != null) {
      throw new IOException("loading failed: " + failure.get(0).getMessage(), failure.get(0));
    }
    loadSeconds = (System.nanoTime() - t0) / 1e9;
    log.printf(Locale.ROOT, "loadtest: loaded %,d points in %.2f s: %,.0f points/s (upserts with wait=true)%n",
        points, loadSeconds, points / loadSeconds);
    long t1 = System.nanoTime();
    long deadline = t1 + (long) (indexTimeout * 1e9);
    for (;;) {
      HttpTransport.Response info = conn.send("GET", c, null);
      expectOk(info, "GET " + c);
      JsonNode r = JSON.readTree(info.body()).path("result");
      long count = r.path("points_count").asLong();
      long indexed = r.path("indexed_vectors_count").asLong();
      String status = r.path("status").asText();
      if (count >= points && (indexed >= points || status.equals("green"))) {
        indexSeconds = (System.nanoTime() - t1) / 1e9;
        log.printf(Locale.ROOT, "loadtest: indexing finished %.2f s after the last upsert (status %s, %,d of %,d"
            + " vectors indexed): %,.0f points/s load to searchable index%n", indexSeconds, status, indexed, count,
            points / (loadSeconds + indexSeconds));
        return true;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("indexing not finished after " + indexTimeout + " s: status " + status + ", "
            + indexed + " of " + count + " vectors indexed");
      }
      Thread.sleep(200);
    }
  }

  // ------------------------------------------------------------------ scenarios

  /**
   * The ping scenario against the JDK's own HTTP server (com.sun.net.httpserver, one virtual thread per exchange)
   * answering GET / with the bytes Quiver's server sent: the same client and load, another server library.
   */
  private Result jdkPing(byte[] rootBody) throws Exception {
    com.sun.net.httpserver.HttpServer jdk = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    jdk.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    jdk.createContext("/", ex -> {
      try (ex) {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, rootBody.length);
        ex.getResponseBody().write(rootBody);
      }
    });
    jdk.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + jdk.getAddress().getPort() + "/");
      try (HttpTransport other = HttpTransport.of(client, base, concurrency);
          HttpTransport.Connection c = other.open()) {
        return scenario(other, c, Scenario.PING_JDK);
      }
    } finally {
      jdk.stop(0);
    }
  }

  private Result scenario(HttpTransport http, HttpTransport.Connection conn, Scenario s) throws Exception {
    String method = s.ping() ? "GET" : "POST";
    String path = s.ping() ? "/" : "/collections/" + collection + "/points/query";
    byte[][] bodies;
    float[][] pool = null;
    if (s.ping()) {
      bodies = new byte[][] {null};
    } else {
      SyntheticVectors data = new SyntheticVectors(dim, seed);
      pool = new float[queryPool][];
      bodies = new byte[queryPool][];
      for (int j = 0; j < queryPool; j++) {
        pool[j] = data.query(j);
        bodies[j] = queryBody(pool[j], s, false);
      }
    }
    int sample = s.ping() ? 0 : recallQueries;
    AtomicReferenceArray<long[]> served = new AtomicReferenceArray<>(Math.max(1, sample));
    AtomicLong errors = new AtomicLong();
    ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    Histogram[] histograms = new Histogram[concurrency];
    long start = System.nanoTime() + 50_000_000L; // all workers start together
    long measureFrom = start + (long) (warmup * 1e9);
    long measureTo = measureFrom + (long) (duration * 1e9);
    log.printf(Locale.ROOT, "loadtest: %s: %d connections, %.0f s warm-up + %.0f s measured...%n", s.label(),
        concurrency, warmup, duration);
    CountDownLatch measured = new CountDownLatch(1); // workers outlive the last CPU snapshot, so it counts them
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      int worker = w;
      Histogram h = new Histogram(120_000_000L, 3); // microseconds, up to 2 minutes
      histograms[w] = h;
      workers.add(Thread.ofPlatform().name("loadtest-worker-" + w).start(() -> {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + worker);
        HttpTransport.Connection wc = http.open();
        try {
          while (System.nanoTime() < start) {
            Thread.onSpinWait();
          }
          for (;;) {
            long t0 = System.nanoTime();
            if (t0 >= measureTo || stopping.get()) {
              break;
            }
            int q = bodies.length == 1 ? 0 : rnd.nextInt(bodies.length);
            HttpTransport.Response r;
            try {
              r = wc.send(method, path, bodies[q]);
            } catch (IOException e) {
              errors.incrementAndGet();
              sampleError(errorSamples, "exception " + e);
              continue;
            }
            long t1 = System.nanoTime();
            if (t0 >= measureFrom) {
              h.recordValue(Math.min((t1 - t0) / 1000, h.getHighestTrackableValue()));
            }
            if (r.status() != 200) {
              errors.incrementAndGet();
              sampleError(errorSamples, "HTTP " + r.status() + ": " + abbreviate(r.text()));
            } else if (q < sample && served.get(q) == null) {
              served.compareAndSet(q, null, ids(r));
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
          errors.incrementAndGet();
          sampleError(errorSamples, "exception " + e);
        } finally {
          wc.close();
          try {
            measured.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }));
    }
    CpuSnapshot cpu0;
    CpuSnapshot cpu1;
    try {
      sleepUntil(measureFrom);
      cpu0 = CpuSnapshot.take();
      sleepUntil(measureTo);
      cpu1 = CpuSnapshot.take();
    } finally {
      measured.countDown();
    }
    for (Thread t : workers) {
      t.join();
    }
    Histogram all = new Histogram(120_000_000L, 3);
    for (Histogram h : histograms) {
      all.add(h);
    }
    long n = all.getTotalCount();
    double recall = Double.NaN;
    if (sample > 0) {
      try {
        recall = recall(conn, s, method, path, bodies, pool, served, sample);
      } catch (IOException e) {
        errors.incrementAndGet();
        sampleError(errorSamples, "recall check: " + e.getMessage());
      }
    }
    double clientCpu = cpu1.clientNanos(cpu0);
    double processCpu = cpu1.processNanos - cpu0.processNanos;
    double wall = (cpu1.wallNanos - cpu0.wallNanos);
    return new Result(s, concurrency, n, errors.get(), duration, n / duration, all.getMean() / 1000,
        ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9), all.getMaxValue() / 1000.0, recall, sample,
        n == 0 ? Double.NaN : clientCpu / n / 1000, n == 0 ? Double.NaN : processCpu / n / 1000,
        clientCpu / wall, processCpu / wall, List.copyOf(errorSamples));
  }

  /** Recall@k of the served results of the first {@code sample} pool queries against the server's exact search. */
  private double recall(HttpTransport.Connection conn, Scenario s, String method, String path, byte[][] bodies,
      float[][] pool, AtomicReferenceArray<long[]> served, int sample) throws IOException, InterruptedException {
    long found = 0;
    long wanted = 0;
    for (int q = 0; q < sample; q++) {
      if (served.get(q) == null) { // not drawn during the run: ask now, the same request
        HttpTransport.Response r = conn.send(method, path, bodies[q]);
        expectOk(r, method + " " + path);
        served.set(q, ids(r));
      }
      HttpTransport.Response exact = conn.send(method, path, queryBody(pool[q], s, true));
      expectOk(exact, method + " " + path + " (exact)");
      Set<Long> truth = new HashSet<>();
      for (long id : ids(exact)) {
        truth.add(id);
      }
      wanted += truth.size();
      for (long id : served.get(q)) {
        if (truth.contains(id)) {
          found++;
        }
      }
    }
    return wanted == 0 ? Double.NaN : (double) found / wanted;
  }

  private byte[] queryBody(float[] v, Scenario s, boolean exact) {
    StringBuilder sb = new StringBuilder(dim * 11 + 160).append("{\"query\":");
    SyntheticVectors.appendJson(sb, v).append(",\"limit\":").append(limit).append(",\"params\":{");
    if (exact) {
      sb.append("\"exact\":true");
    } else {
      sb.append("\"hnsw_ef\":").append(ef);
    }
    sb.append('}');
    if (s == Scenario.FILTERED) {
      sb.append(",\"filter\":").append(FILTER_JSON);
    }
    return bytes(sb.append('}').toString());
  }

  private static long[] ids(HttpTransport.Response r) throws IOException {
    JsonNode pts = JSON.readTree(r.body()).path("result").path("points");
    long[] ids = new long[pts.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = pts.get(i).path("id").asLong(-1);
    }
    return ids;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static void sampleError(ConcurrentLinkedQueue<String> samples, String e) {
    if (samples.size() < MAX_ERROR_SAMPLES) {
      samples.add(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  private static void expectOk(HttpTransport.Response r, String what) throws IOException {
    if (r.status() != 200) {
      throw new IOException(what + ": HTTP " + r.status() + ": " + abbreviate(r.text()));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** CPU time of the client's platform threads (named loadtest-* or HttpClient-*) and of the whole process. */
  private record CpuSnapshot(Map<Long, Long> clientThreadNanos, long processNanos, long wallNanos) {
    static CpuSnapshot take() {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      Map<Long, Long> threads = new HashMap<>();
      if (mx.isThreadCpuTimeSupported()) {
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
          if (ti != null && (ti.getThreadName().startsWith("loadtest-") || ti.getThreadName().startsWith("HttpClient-"))) {
            long t = mx.getThreadCpuTime(ti.getThreadId());
            if (t >= 0) {
              threads.put(ti.getThreadId(), t);
            }
          }
        }
      }
      long process = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
          ? os.getProcessCpuTime() : -1;
      return new CpuSnapshot(threads, process, System.nanoTime());
    }

    double clientNanos(CpuSnapshot before) {
      long sum = 0;
      for (Map.Entry<Long, Long> e : clientThreadNanos.entrySet()) {
        sum += e.getValue() - before.clientThreadNanos.getOrDefault(e.getKey(), 0L);
      }
      return sum;
    }
  }

  // ------------------------------------------------------------------ output

  private static String summaryLine(Result r) {
    return String.format(Locale.ROOT, "loadtest: %s: %,d requests, %d errors, %,.0f req/s, p50 %.2f ms, p99 %.2f ms%s",
        r.scenario().label(), r.requests(), r.errors(), r.rps(), r.p50Ms(), r.p99Ms(),
        Double.isNaN(r.recall()) ? "" : String.format(Locale.ROOT, ", recall@k %.4f", r.recall()));
  }

  private static String tableHeader() {
    return String.format(Locale.ROOT, "%-10s %4s %9s %6s %9s %7s %7s %7s %7s %7s %8s %7s %13s %13s", "scenario",
        "conn", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9", "max ms", "recall", "mean",
        "client us/req", "process us/r");
  }

  private String tableRow(Result r) {
    return String.format(Locale.ROOT, "%-10s %4d %9d %6d %9.0f %7.2f %7.2f %7.2f %7.2f %7.2f %8s %7.2f %13.0f %13.0f",
        r.scenario().label(), r.concurrency(), r.requests(), r.errors(), r.rps(), r.p50Ms(), r.p90Ms(), r.p99Ms(),
        r.p999Ms(), r.maxMs(), Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.4f", r.recall()),
        r.meanMs(), r.clientCpuUsPerReq(), r.processCpuUsPerReq());
  }

  private ObjectNode jsonLine(Result r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "loadtest");
    o.put("scenario", r.scenario().label());
    o.put("target", target);
    o.put("client", client);
    o.put("concurrency", r.concurrency());
    o.put("duration_s", duration);
    o.put("warmup_s", warmup);
    o.put("requests", r.requests());
    o.put("errors", r.errors());
    num(o, "rps", r.rps(), 1);
    num(o, "mean_ms", r.meanMs(), 3);
    num(o, "p50_ms", r.p50Ms(), 3);
    num(o, "p90_ms", r.p90Ms(), 3);
    num(o, "p99_ms", r.p99Ms(), 3);
    num(o, "p999_ms", r.p999Ms(), 3);
    num(o, "max_ms", r.maxMs(), 3);
    num(o, "client_cpu_us_per_req", r.clientCpuUsPerReq(), 1);
    num(o, "process_cpu_us_per_req", r.processCpuUsPerReq(), 1);
    num(o, "client_cores", r.clientCores(), 3);
    num(o, "process_cores", r.processCores(), 3);
    o.put("available_processors", Runtime.getRuntime().availableProcessors());
    if (!r.scenario().ping()) {
      o.put("filter", r.scenario() == Scenario.FILTERED ? "group=g3" : null);
      num(o, "recall", r.recall(), 4);
      o.put("recall_queries", r.recallQueries());
      o.put("k", limit);
      o.put("ef", ef);
      o.put("points", points);
      o.put("dim", dim);
      o.put("metric", "cosine");
      o.put("seed", seed);
      o.put("query_pool", queryPool);
      num(o, "load_s", loadSeconds, 3);
      num(o, "load_points_per_s", points / loadSeconds, 0);
      num(o, "index_wait_s", indexSeconds, 3);
    }
    return o;
  }

  /** Puts {@code v} rounded to {@code digits} decimals, or null when it is not a number. */
  private static void num(ObjectNode o, String key, double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(key);
    } else {
      double f = Math.pow(10, digits);
      o.put(key, Math.round(v * f) / f);
    }
  }
}
