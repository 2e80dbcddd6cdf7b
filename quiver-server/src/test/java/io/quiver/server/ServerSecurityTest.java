package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys, read-only keys, rate limits, request limits, timeouts, CORS, TLS and the YAML/env configuration. */
class ServerSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "full-secret-key";
  private static final String RO_KEY = "read-only-secret";

  @TempDir Path dir;
  private Quiver db;
  private QuiverServer server;
  private HttpClient http = HttpClient.newHttpClient();
  private String scheme = "http";

  record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  @BeforeEach
  void open() throws Exception {
    db = Quiver.open(dir.resolve("db"));
  }

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    db.close();
  }

  private void start(ServerConfig.Builder b) {
    server = QuiverServer.start(db, b.host("127.0.0.1").port(0).build());
  }

  private Reply call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode node = r.body().isEmpty() || !r.headers().firstValue("content-type").orElse("")
        .startsWith("application/json") ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), node, r);
  }

  private static String errorOf(Reply r, int status) {
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(status);
    assertThat(r.body().get("time").isNumber()).isTrue();
    return r.body().get("status").get("error").asText();
  }

  private String createAndFill(String... auth) throws Exception {
    assertThat(call("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"}}", auth).status())
        .isEqualTo(200);
    assertThat(call("PUT", "/collections/docs/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[0,0]},"
        + "{\"id\":2,\"vector\":[1,1]}]}", auth).status()).isEqualTo(200);
    return "/collections/docs";
  }

  private long count() {
    return db.collection("docs").count(null, true);
  }

  @Test
  void apiKeysAndReadOnlyKeys() throws Exception {
    start(ServerConfig.builder().apiKey(KEY).readOnlyApiKey(RO_KEY));
    // probes and the version answer without a key, like Qdrant
    for (String p : List.of("/", "/healthz", "/livez", "/readyz")) {
      assertThat(call("GET", p, null).status()).as(p).isEqualTo(200);
    }
    assertThat(errorOf(call("GET", "/collections", null), 401)).contains("Must provide an API key");
    assertThat(call("GET", "/collections", null).raw().headers().firstValue("www-authenticate")).hasValue("Bearer");
    assertThat(errorOf(call("GET", "/collections", null, "api-key", "wrong"), 401)).contains("Invalid API key");
    assertThat(errorOf(call("GET", "/collections", null, "Authorization", "Bearer wrong"), 401))
        .contains("Invalid API key");
    assertThat(errorOf(call("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}"), 401))
        .isNotEmpty();
    assertThat(db.exists("docs")).as("an unauthenticated create changed nothing").isFalse();

    String c = createAndFill("api-key", KEY);
    assertThat(call("GET", c, null, "Authorization", "Bearer " + KEY).status()).isEqualTo(200);
    assertThat(call("GET", c, null, "authorization", "bearer " + KEY).status()).isEqualTo(200);

    // the read-only key reads ...
    String[] ro = {"api-key", RO_KEY};
    assertThat(call("GET", "/collections", null, ro).status()).isEqualTo(200);
    assertThat(call("POST", c + "/points/search", "{\"vector\":[0,0],\"limit\":1}", ro).status()).isEqualTo(200);
    assertThat(call("POST", c + "/points/query", "{\"query\":[0,0]}", ro).status()).isEqualTo(200);
    assertThat(call("POST", c + "/points/query/batch", "{\"searches\":[{\"query\":[0,0]}]}", ro).status())
        .isEqualTo(200);
    assertThat(call("POST", c + "/points/scroll", "{}", ro).status()).isEqualTo(200);
    assertThat(call("POST", c + "/points/count", "{}", ro).status()).isEqualTo(200);
    // facet reads: past the key check, it answers the missing index (400), not 403
    assertThat(errorOf(call("POST", c + "/facet", "{\"key\":\"none\"}", ro), 400)).contains("body.key");
    assertThat(call("POST", c + "/points", "{\"ids\":[1]}", ro).status()).isEqualTo(200);
    assertThat(call("GET", c + "/points/1", null, "Authorization", "Bearer " + RO_KEY).status()).isEqualTo(200);
    // ... and every kind of write is refused without effect
    assertThat(errorOf(call("PUT", c + "/points?wait=true", "{\"points\":[{\"id\":3,\"vector\":[2,2]}]}", ro), 403))
        .contains("read-only");
    assertThat(errorOf(call("POST", c + "/points/delete", "{\"points\":[1]}", ro), 403)).contains("read-only");
    assertThat(errorOf(call("POST", c + "/points/payload", "{\"payload\":{\"a\":1},\"points\":[1]}", ro), 403))
        .contains("read-only");
    assertThat(errorOf(call("DELETE", c, null, ro), 403)).contains("read-only");
    assertThat(errorOf(call("PUT", "/collections/other", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}", ro),
        403)).contains("read-only");
    assertThat(errorOf(call("PATCH", c, "{}", ro), 403)).contains("read-only");
    assertThat(errorOf(call("PUT", c + "/index", "{\"field_name\":\"a\",\"field_schema\":\"keyword\"}", ro), 403))
        .contains("read-only");
    assertThat(count()).isEqualTo(2);
    assertThat(db.collection("docs").get(io.quiver.PointId.of(1)).payload()).isNull();
    assertThat(db.exists("other")).isFalse();
    // metrics need a key too, and count the refused requests
    assertThat(errorOf(call("GET", "/metrics", null), 401)).isNotEmpty();
    Reply metrics = call("GET", "/metrics", null, ro);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.raw().body()).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"401\"")
        .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"403\"");
  }

  @Test
  void onlyReadOnlyKeyMakesTheServerReadOnly() throws Exception {
    start(ServerConfig.builder().readOnlyApiKey(RO_KEY));
    assertThat(errorOf(call("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}",
        "api-key", RO_KEY), 403)).contains("read-only");
    assertThat(call("GET", "/collections", null, "api-key", RO_KEY).status()).isEqualTo(200);
    assertThat(errorOf(call("GET", "/collections", null), 401)).isNotEmpty();
  }

  @Test
  void rateLimitPerKeyAnswers429WithRetryAfter() throws Exception {
    // 0.5 requests/s with a burst of 3: the 4th request in quick succession is refused
    start(ServerConfig.builder().apiKey(KEY).readOnlyApiKey(RO_KEY).rateLimit(0.5, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(call("GET", "/collections", null, "api-key", KEY).status()).isEqualTo(200);
    }
    Reply limited = call("GET", "/collections", null, "api-key", KEY);
    assertThat(errorOf(limited, 429)).contains("rate limit");
    assertThat(limited.raw().headers().firstValue("retry-after").map(Long::parseLong).orElseThrow())
        .isBetween(1L, 2L);
    // another key has its own bucket; probes are never limited
    assertThat(call("GET", "/collections", null, "api-key", RO_KEY).status()).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      assertThat(call("GET", "/healthz", null).status()).isEqualTo(200);
    }
  }

  @Test
  void rateLimitWithoutKeysIsPerClientAddress() throws Exception {
    start(ServerConfig.builder().rateLimit(0.5, 2));
    assertThat(call("GET", "/collections", null).status()).isEqualTo(200);
    assertThat(call("GET", "/collections", null).status()).isEqualTo(200);
    assertThat(call("GET", "/collections", null).status()).isEqualTo(429);
  }

  @Test
  void requestLimitsRefuseWithoutSideEffects() throws Exception {
    start(ServerConfig.builder().maxLimit(50).maxBatch(3).maxRequestBytes(4096));
    String c = createAndFill();
    assertThat(errorOf(call("POST", c + "/points/search", "{\"vector\":[0,0],\"limit\":51}"), 400))
        .contains("max_limit of 50");
    assertThat(errorOf(call("POST", c + "/points/query", "{\"query\":[0,0],\"limit\":40,\"offset\":11}"), 400))
        .contains("max_limit");
    assertThat(errorOf(call("POST", c + "/points/scroll", "{\"limit\":51}"), 400)).contains("max_limit");
    assertThat(call("POST", c + "/points/search", "{\"vector\":[0,0],\"limit\":50}").status()).isEqualTo(200);

    assertThat(errorOf(call("PUT", c + "/points?wait=true", "{\"points\":[{\"id\":10,\"vector\":[0,1]},"
        + "{\"id\":11,\"vector\":[0,1]},{\"id\":12,\"vector\":[0,1]},{\"id\":13,\"vector\":[0,1]}]}"), 400))
        .contains("body.points").contains("max_batch_size of 3");
    assertThat(errorOf(call("PUT", c + "/points", "{\"batch\":{\"ids\":[10,11,12,13],"
        + "\"vectors\":[[0,1],[0,1],[0,1],[0,1]]}}"), 400)).contains("body.batch.ids");
    assertThat(errorOf(call("POST", c + "/points/delete", "{\"points\":[1,2,3,4]}"), 400)).contains("max_batch");
    assertThat(errorOf(call("POST", c + "/points/search/batch", "{\"searches\":[{\"vector\":[0,0]},"
        + "{\"vector\":[0,0]},{\"vector\":[0,0]},{\"vector\":[0,0]}]}"), 400)).contains("body.searches");
    assertThat(count()).isEqualTo(2);

    String big = "{\"points\":[{\"id\":10,\"vector\":[0,1],\"payload\":{\"s\":\"" + "x".repeat(5000) + "\"}}]}";
    assertThat(errorOf(call("PUT", c + "/points", big), 413)).contains("4096");
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void readsPastTheTimeoutGet408WritesComplete() throws Exception {
    start(ServerConfig.builder().requestTimeout(Duration.ofNanos(1)));
    assertThat(call("PUT", "/collections/docs", "{\"vectors\":{\"size\":16,\"distance\":\"Dot\"}}").status())
        .isEqualTo(200);
    Random random = new Random(42);
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 2000; i++) {
      points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":").append(vec(random, 16))
          .append('}');
    }
    assertThat(call("PUT", "/collections/docs/points?wait=true", points.append("]}").toString()).status())
        .as("writes are not cut short by the read timeout").isEqualTo(200);
    assertThat(db.collection("docs").count(null, true)).isEqualTo(2000);
    StringBuilder searches = new StringBuilder("{\"searches\":[");
    for (int i = 0; i < 200; i++) {
      searches.append(i == 0 ? "" : ",").append("{\"vector\":").append(vec(random, 16))
          .append(",\"params\":{\"exact\":true}}");
    }
    assertThat(errorOf(call("POST", "/collections/docs/points/search/batch", searches.append("]}").toString()), 408))
        .startsWith("Timeout error");
    // ?timeout=N overrides the configured deadline for one request
    assertThat(call("POST", "/collections/docs/points/search?timeout=30", "{\"vector\":" + vec(random, 16) + "}")
        .status()).isEqualTo(200);
    assertThat(errorOf(call("POST", "/collections/docs/points/search?timeout=-1", "{\"vector\":[0]}"), 400))
        .contains("timeout");
  }

  private static String vec(Random r, int dim) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < dim; i++) {
      s.append(i == 0 ? "" : ",").append(r.nextFloat());
    }
    return s.append(']').toString();
  }

  @Test
  void corsPreflightAndOrigins() throws Exception {
    start(ServerConfig.builder().apiKey(KEY)
        .cors(new ServerConfig.Cors(true, List.of("https://app.example"))));
    Reply pre = call("OPTIONS", "/collections", null, "Origin", "https://app.example",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "api-key");
    assertThat(pre.status()).as("preflight needs no key").isEqualTo(204);
    assertThat(pre.raw().headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
    assertThat(pre.raw().headers().firstValue("access-control-allow-headers")).hasValue("api-key");
    assertThat(pre.raw().headers().firstValue("access-control-allow-methods").orElseThrow()).contains("PUT");
    Reply get = call("GET", "/collections", null, "Origin", "https://app.example", "api-key", KEY);
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.raw().headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
    Reply other = call("GET", "/collections", null, "Origin", "https://evil.example", "api-key", KEY);
    assertThat(other.raw().headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(call("OPTIONS", "/collections", null, "Origin", "https://evil.example",
        "Access-Control-Request-Method", "GET").raw().headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void corsDisabledSendsNoHeaders() throws Exception {
    start(ServerConfig.builder().cors(ServerConfig.Cors.disabled()));
    Reply get = call("GET", "/collections", null, "Origin", "https://app.example");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.raw().headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  /** A self-signed certificate from the JDK's keytool, in a PKCS#12 keystore. */
  private Path keystore(String password) throws Exception {
    Path ks = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "quiver", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", password,
        "-keypass", password).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return ks;
  }

  private void trust(Path ks, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(ks.toFile())) {
      store.load(in, password.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ctx).build();
    scheme = "https";
  }

  @Test
  void tlsFromPkcs12Keystore() throws Exception {
    Path ks = keystore("changeit");
    start(ServerConfig.builder().apiKey(KEY).tls(ServerConfig.Tls.pkcs12(ks, "changeit")));
    trust(ks, "changeit");
    assertThat(call("GET", "/collections", null, "api-key", KEY).status()).isEqualTo(200);
    createAndFill("api-key", KEY);
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void tlsFromPemFiles() throws Exception {
    Path ks = keystore("changeit");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(ks.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) store.getKey("quiver", "changeit".toCharArray());
    Certificate cert = store.getCertificate("quiver");
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path keyPem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + b64.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    Path certPem = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
        + b64.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
    start(ServerConfig.builder().tls(ServerConfig.Tls.pem(certPem, keyPem)));
    trust(ks, "changeit");
    assertThat(call("GET", "/", null).status()).isEqualTo(200);
    // plain HTTP to the TLS port does not get an answer with data
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + "/collections")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void missingTlsFilesFailAtStartup() {
    assertThatThrownBy(() -> start(ServerConfig.builder()
        .tls(ServerConfig.Tls.pem(dir.resolve("nope.pem"), dir.resolve("nokey.pem")))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.pem");
  }

  @Test
  void yamlThenEnvironmentThenBuilder() throws Exception {
    Path yaml = Files.writeString(dir.resolve("quiver.yaml"), """
        service:
          host: 0.0.0.0
          http_port: 7000
          api_key: from-yaml
          max_request_size_mb: 8
          max_snapshot_upload_mb: 64
          max_limit: 500
          max_batch_size: 64
          request_timeout_sec: 2.5
          rate_limit_per_second: 20
          rate_limit_burst: 40
          cors_allowed_origins: ["https://a.example", "https://b.example"]
          request_log_level: off
        storage:
          storage_path: /var/lib/quiver
        """);
    ServerConfig c = ServerConfigLoader.load(yaml, Map.of("QUIVER__SERVICE__HTTP_PORT", "7001",
        "QUIVER__SERVICE__READ_ONLY_API_KEY", "from-env", "UNRELATED", "x")).build();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).as("the environment overrides the file").isEqualTo(7001);
    assertThat(c.apiKey()).isEqualTo("from-yaml");
    assertThat(c.readOnlyApiKey()).isEqualTo("from-env");
    assertThat(c.maxRequestBytes()).isEqualTo(8L << 20);
    assertThat(c.maxSnapshotUploadBytes()).isEqualTo(64L << 20);
    assertThat(c.maxLimit()).isEqualTo(500);
    assertThat(c.maxBatch()).isEqualTo(64);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.rateLimitPerSecond()).isEqualTo(20.0);
    assertThat(c.rateLimitBurst()).isEqualTo(40);
    assertThat(c.cors().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    assertThat(c.requestLogLevel()).isEqualTo(System.Logger.Level.OFF);
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/quiver"));
    assertThat(c.tls()).isNull();
    assertThat(c.toString()).doesNotContain("from-yaml").doesNotContain("from-env").contains("apiKey=set");

    ServerConfig defaults = ServerConfigLoader.load(null, Map.of()).build();
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.port()).isEqualTo(6333);
    assertThat(defaults.authEnabled()).isFalse();
    assertThat(defaults.cors().allows("https://x.example")).isTrue();
    assertThat(ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__ENABLE_CORS", "false")).build().cors()
        .allows("https://x.example")).isFalse();
    assertThat(ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__ENABLE_TLS", "true",
        "QUIVER__TLS__KEYSTORE", "/k.p12", "QUIVER__TLS__KEYSTORE_PASSWORD", "pw")).build().tls().keystore())
        .isEqualTo(Path.of("/k.p12"));
  }

  @Test
  void configMistakesAreErrorsNamingTheKey() throws Exception {
    Path typo = Files.writeString(dir.resolve("typo.yaml"), "service:\n  apikey: oops\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(typo, Map.of())).hasMessageContaining("service.apikey");
    Path section = Files.writeString(dir.resolve("section.yaml"), "servise:\n  api_key: oops\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(section, Map.of())).hasMessageContaining("servise");
    Path type = Files.writeString(dir.resolve("type.yaml"), "service:\n  http_port: lots\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(type, Map.of())).hasMessageContaining("service.http_port")
        .hasMessageContaining("lots");
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "service: [unclosed\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(broken, Map.of())).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> ServerConfigLoader.load(dir.resolve("absent.yaml"), Map.of()))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__APIKEY", "x")))
        .hasMessageContaining("QUIVER__SERVICE__APIKEY");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__ENABLE_TLS", "true")).build())
        .hasMessageContaining("tls");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__SERVICE__RATE_LIMIT_BURST", "0")).build())
        .hasMessageContaining("burst");
    assertThatThrownBy(() -> ServerConfig.builder().apiKey("same").readOnlyApiKey("same").build())
        .hasMessageContaining("differ");
  }
}
