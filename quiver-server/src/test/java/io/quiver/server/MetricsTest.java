package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics (Prometheus text) and the request log, against a real server on a loopback port. */
class MetricsTest {
  private static final String QUERY = "/collections/{name}/points/query";
  @TempDir Path dir;
  private Quiver db;
  private QuiverServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  /** One sample line of the text format: name{labels} value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as("a sample line: " + line).isTrue();
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return out;
  }

  @BeforeEach
  void start() throws Exception {
    db = Quiver.open(dir.resolve("db"));
    server = QuiverServer.start(db, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    db.close();
  }

  private HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void ok(String method, String path, String body) throws Exception {
    HttpResponse<String> r = call(method, path, body);
    assertThat(r.statusCode()).as(method + " " + path + " -> " + r.body()).isEqualTo(200);
  }

  private List<Sample> scrape() throws Exception {
    HttpResponse<String> r = call("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    return parse(r.body());
  }

  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  /** Requests are recorded once answered, so a scrape right after one may not see it yet: retry for a while. */
  private List<Sample> scrapeUntil(Predicate<List<Sample>> done) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<Sample> samples = scrape();
    while (!done.test(samples) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      samples = scrape();
    }
    return samples;
  }

  private void createDocs(int n) throws Exception {
    ok("PUT", "/collections/docs", "{\"vectors\":{\"size\":3,\"distance\":\"Euclid\"}}");
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < n; i++) {
      points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
          .append(",1,0]}");
    }
    ok("PUT", "/collections/docs/points?wait=true", "{\"points\":[" + points + "]}");
  }

  @Test
  void requestsSearchesAndCollectionsAreMeasured() throws Exception {
    int n = 37;
    int queries = 6;
    createDocs(n);
    for (int i = 0; i < queries; i++) {
      ok("POST", "/collections/docs/points/query", "{\"query\":[" + i + ",1,0],\"limit\":3}");
    }
    ok("POST", "/collections/docs/points/search", "{\"vector\":[1,1,0],\"limit\":3}");
    ok("POST", "/collections/docs/points/count", "{}");
    assertThat(call("GET", "/collections/nope", null).statusCode()).isEqualTo(404);
    assertThat(call("POST", "/collections/docs/points/query", "{\"query\":[1,2]}").statusCode()).isEqualTo(400);
    assertThat(call("GET", "/no/such/endpoint/42", null).statusCode()).isEqualTo(404);

    Map<String, String> query200 = Map.of("endpoint", QUERY, "method", "POST", "status", "200");
    Map<String, String> unmatched = Map.of("endpoint", "unmatched", "method", "GET", "status", "404");
    List<Sample> m = scrapeUntil(s -> value(s, "http_server_requests_seconds_count", query200) >= queries
        && value(s, "http_server_requests_seconds_count", unmatched) >= 1);

    assertThat(value(m, "http_server_requests_seconds_count", query200)).isGreaterThanOrEqualTo(queries);
    assertThat(value(m, "http_server_requests_seconds_sum", query200)).isPositive();
    assertThat(value(m, "http_server_requests_seconds_bucket",
        Map.of("endpoint", QUERY, "status", "200", "le", "+Inf"))).isGreaterThanOrEqualTo(queries);
    assertThat(value(m, "http_server_requests_seconds_count",
        Map.of("endpoint", QUERY, "method", "POST", "status", "400"))).isEqualTo(1);
    assertThat(value(m, "http_server_requests_seconds_count",
        Map.of("endpoint", "/collections/{name}", "method", "GET", "status", "404"))).isEqualTo(1);
    assertThat(value(m, "http_server_requests_seconds_count", unmatched)).isEqualTo(1);
    assertThat(value(m, "http_server_requests_seconds_count",
        Map.of("endpoint", "/collections/{name}/points", "method", "PUT", "status", "200"))).isEqualTo(1);
    // labels hold route templates, never raw paths
    assertThat(m).filteredOn(s -> s.name().startsWith("http_server_requests"))
        .allSatisfy(s -> assertThat(s.labels().get("endpoint")).doesNotContain("docs", "nope", "42"));

    // search latency by kind, successes only
    assertThat(value(m, "quiver_search_seconds_count", Map.of("kind", "query"))).isEqualTo(queries);
    assertThat(value(m, "quiver_search_seconds_count", Map.of("kind", "search"))).isEqualTo(1);
    assertThat(value(m, "quiver_search_seconds_count", Map.of("kind", "count"))).isEqualTo(1);

    Map<String, String> docs = Map.of("collection", "docs");
    assertThat(value(m, "quiver_collection_points", docs)).isEqualTo(n);
    assertThat(value(m, "quiver_collection_segments", docs)).isGreaterThanOrEqualTo(1);
    assertThat(value(m, "quiver_collection_heap_bytes", docs)).isPositive();
    assertThat(value(m, "quiver_collection_wal_bytes", docs)).isPositive();
    // the mutable segment's vectors and graph are on the heap, nothing is quantized yet
    assertThat(value(m, "quiver_collection_storage_bytes", Map.of("collection", "docs", "part", "vectors",
        "place", "heap"))).isPositive();
    assertThat(value(m, "quiver_collection_storage_bytes", Map.of("collection", "docs", "part", "graph",
        "place", "heap"))).isPositive();
    assertThat(value(m, "quiver_collection_storage_bytes", Map.of("collection", "docs", "part", "codes",
        "place", "heap"))).isZero();
    assertThat(m).anySatisfy(s -> assertThat(s).extracting(Sample::name, Sample::labels)
        .containsExactly("quiver_collection_seals_total", docs));
    assertThat(m).anySatisfy(s -> assertThat(s.name()).isEqualTo("quiver_collection_optimizations_running"));

    // JVM and process binders
    for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
        "process_uptime_seconds", "jvm_classes_loaded_classes")) {
      assertThat(m).as(name).anySatisfy(s -> assertThat(s.name()).isEqualTo(name));
    }

    // a second collection appears; a deleted one's gauges go away
    ok("PUT", "/collections/other", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    ok("DELETE", "/collections/docs", null);
    m = scrape();
    assertThat(m).noneSatisfy(s -> assertThat(s.labels()).containsEntry("collection", "docs"));
    assertThat(value(m, "quiver_collection_points", Map.of("collection", "other"))).isZero();
    assertThat(m).anySatisfy(s -> assertThat(s.labels()).containsEntry("collection", "other"));
    // and one created again under the same name starts from its own numbers
    createDocs(5);
    assertThat(value(scrape(), "quiver_collection_points", docs)).isEqualTo(5);
  }

  @Test
  void parserRejectsWhatItCannotRead() {
    List<Sample> s = parse("# HELP x y\nfoo_total{a=\"1\",b=\"x\\\"y\"} 3.0\nbar 2\n");
    assertThat(s).containsExactly(new Sample("foo_total", Map.of("a", "1", "b", "x\\\"y"), 3.0),
        new Sample("bar", Map.of(), 2.0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("not a sample line at all\n"))
        .isInstanceOf(AssertionError.class);
  }

  // ------------------------------------------------------------------ request log

  /** Captures what java.util.logging gets on the request logger. */
  static final class Capture extends Handler implements AutoCloseable {
    final Logger logger = Logger.getLogger(RequestLog.LOGGER);
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    Capture() {
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }

    List<String> lines() {
      return records.stream().map(LogRecord::getMessage).toList();
    }
  }

  @Test
  void requestLogHasOneLinePerRequestWithoutHeadersOrBodies() throws Exception {
    try (Capture log = new Capture()) {
      HttpResponse<String> r = call("PUT", "/collections/secretive?timeout=5",
          "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"metadata\":{\"note\":\"body-marker-77\"}}",
          "api-key", "header-secret-42", "Authorization", "Bearer token-secret-43");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(call("GET", "/collections/missing", null).statusCode()).isEqualTo(404);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.records.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(log.lines()).hasSize(2);
      String put = log.lines().get(0);
      Matcher line = Pattern.compile("method=PUT path=/collections/secretive status=200 duration_ms=\\d+\\.\\d{3} "
          + "bytes_out=(\\d+) remote=127\\.0\\.0\\.1:\\d+").matcher(put);
      assertThat(line.matches()).as(put).isTrue();
      // bytes on the wire: the status line and headers, then the body
      int bodyBytes = r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      assertThat(Long.parseLong(line.group(1))).isBetween(bodyBytes + 30L, bodyBytes + 1000L);
      assertThat(log.lines().get(1)).startsWith("method=GET path=/collections/missing status=404 ");
      assertThat(log.records).allSatisfy(rec -> {
        assertThat(rec.getLevel()).isEqualTo(java.util.logging.Level.INFO);
        assertThat(rec.getMessage()).doesNotContain("secret-4", "token", "body-marker", "timeout");
      });
    }
  }

  @Test
  void requestLogCanBeTurnedOff() throws Exception {
    QuiverServer quiet = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0)
        .requestLogLevel(System.Logger.Level.OFF).build());
    try (Capture log = new Capture(); quiet) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + quiet.port() + "/collections")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      // the default server logs; the quiet one does not (its request came first, so a line of it would be first)
      assertThat(call("GET", "/collections", null).statusCode()).isEqualTo(200);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.records.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(100);
      assertThat(log.lines()).hasSize(1);
      assertThat(log.lines().getFirst()).contains("status=200").contains("remote=127.0.0.1:");
    }
    assertThat(new RequestLog(System.Logger.Level.OFF).level()).isEqualTo(System.Logger.Level.OFF);
  }

  @Test
  void requestLogLineEscapesControlCharacters() {
    assertThat(RequestLog.line("GET", "/a b\nc", 200, 1_234_567, 10, "127.0.0.1:1"))
        .isEqualTo("method=GET path=/a%20b%0Ac status=200 duration_ms=1.235 bytes_out=10 remote=127.0.0.1:1");
  }
}
