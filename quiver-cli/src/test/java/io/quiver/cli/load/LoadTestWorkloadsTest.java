package io.quiver.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import io.quiver.server.ServerConfig;
import io.quiver.testing.RandomizedTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The REST and gRPC workloads against an in-process server: the same points written, the same answers read. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class LoadTestWorkloadsTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Quiver db;
  private QuiverServer server;
  private HttpTransport http;
  private HttpTransport.Connection admin;
  private GrpcChannels channels;

  @BeforeEach
  void start() throws Exception {
    db = Quiver.open(dir);
    server = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0).requestLogLevel(System.Logger.Level.OFF)
        .build());
    http = HttpTransport.of("raw", URI.create("http://127.0.0.1:" + server.port() + "/"), 2);
    admin = http.open();
    channels = new GrpcChannels("127.0.0.1", server.grpcPort(), 1);
  }

  @AfterEach
  void stop() throws Exception {
    channels.close();
    admin.close();
    http.close();
    server.close();
    db.close();
  }

  private LoadSettings settings(int dim, int points, int batch) {
    return new LoadSettings("raw", 2, 0, 0.3, 10, 64, points, dim, random().nextLong(), 40, points, batch);
  }

  private ScenarioRunner runner(LoadSettings s, int recallQueries) {
    return new ScenarioRunner(s, recallQueries, new AtomicBoolean(), new PrintStream(new ByteArrayOutputStream()));
  }

  private void create(String c, int dim) throws Exception {
    admin.send("PUT", "/collections/" + c, HttpTransport.body("{\"vectors\":{\"size\":" + dim
        + ",\"distance\":\"Cosine\"}}")).expectOk("create " + c);
  }

  private JsonNode point(String c, int id) throws Exception {
    HttpTransport.Response r = admin.send("GET", "/collections/" + c + "/points/" + id, null);
    r.expectOk("GET point " + id + " of " + c);
    return JSON.readTree(r.body()).path("result");
  }

  private long count(String c) throws Exception {
    HttpTransport.Response r = admin.send("POST", "/collections/" + c + "/points/count",
        HttpTransport.body("{\"exact\":true}"));
    r.expectOk("count " + c);
    return JSON.readTree(r.body()).path("result").path("count").asLong();
  }

  @Test
  void bothTransportsUpsertEveryBatchOnceWithTheSamePoints() throws Exception {
    int dim = 4 + random().nextInt(13);
    int points = atLeast(300) + random().nextInt(200);
    int batch = 1 + random().nextInt(120);
    int connections = 1 + random().nextInt(3);
    LoadSettings s = settings(dim, points, batch);
    SyntheticVectors data = new SyntheticVectors(dim, s.seed());
    ScenarioRunner runner = runner(s, 0);
    create("viarest", dim);
    create("viagrpc", dim);
    ScenarioResult rest = runner.runAll(RestWorkload.upsert(http, "viarest", data, points, batch), Scenario.UPSERT,
        Transport.REST, connections);
    ScenarioResult grpc = runner.runAll(GrpcWorkload.upsert(channels, "viagrpc", data, points, batch),
        Scenario.UPSERT, Transport.GRPC, connections);
    int batches = (points + batch - 1) / batch;
    for (ScenarioResult r : new ScenarioResult[] {rest, grpc}) {
      assertThat(r.errors()).as("errors over %s: %s", r.transport(), r.errorSamples()).isZero();
      assertThat(r.requests()).as("batches over %s", r.transport()).isEqualTo(batches);
      assertThat(r.concurrency()).isEqualTo(connections);
      assertThat(r.seconds()).isPositive();
    }
    assertThat(count("viarest")).isEqualTo(points);
    assertThat(count("viagrpc")).isEqualTo(points);
    for (int k = 0; k < 20; k++) {
      int id = random().nextInt(points);
      JsonNode a = point("viarest", id);
      JsonNode b = point("viagrpc", id);
      assertThat(b.path("payload").path("group").asText()).isEqualTo("g" + id % 10);
      assertThat(b.path("payload").path("n").asLong()).isEqualTo(id);
      assertThat(b.path("payload")).isEqualTo(a.path("payload"));
      assertThat(b.path("vector")).as("vector of point %d", id).isEqualTo(a.path("vector"));
      assertThat(b.path("vector").size()).isEqualTo(dim);
    }
  }

  @Test
  void bothTransportsAnswerTheSameQueriesWithTheSamePoints() throws Exception {
    int dim = 8 + random().nextInt(9);
    int points = atLeast(500);
    LoadSettings s = settings(dim, points, 100);
    SyntheticVectors data = new SyntheticVectors(dim, s.seed());
    create("search", dim);
    admin.send("PUT", "/collections/search/index?wait=true",
        HttpTransport.body("{\"field_name\":\"group\",\"field_schema\":\"keyword\"}")).expectOk("index");
    for (int from = 0; from < points; from += 100) {
      admin.send("PUT", "/collections/search/points?wait=true",
          RestWorkload.upsertBody(data, from, Math.min(points, from + 100))).expectOk("upsert");
    }
    float[][] pool = new float[s.queryPool()][];
    for (int j = 0; j < pool.length; j++) {
      pool[j] = data.query(j);
    }
    ScenarioRunner runner = runner(s, 20);
    for (boolean filtered : new boolean[] {false, true}) {
      Scenario scenario = filtered ? Scenario.FILTERED : Scenario.UNFILTERED;
      Workload rest = RestWorkload.search(http, "search", s, pool, filtered);
      Workload grpc = GrpcWorkload.search(channels, "search", s, pool, filtered);
      for (Workload w : new Workload[] {rest, grpc}) {
        ScenarioResult r = runner.run(w, scenario, w == rest ? Transport.REST : Transport.GRPC);
        assertThat(r.errors()).as("errors in %s: %s", r.label(), r.errorSamples()).isZero();
        assertThat(r.requests()).as("requests in %s", r.label()).isPositive();
        assertThat(r.recall()).as("recall in %s", r.label()).isGreaterThan(0.8);
        assertThat(r.recallQueries()).isEqualTo(20);
      }
      try (Workload.Connection a = rest.open(); Workload.Connection b = grpc.open()) {
        for (int k = 0; k < 10; k++) {
          int q = random().nextInt(pool.length);
          long[] viaRest = a.send(q, true, true).ids();
          long[] viaGrpc = b.send(q, true, true).ids();
          assertThat(viaGrpc).as("exact answer to query %d (filtered %s)", q, filtered).containsExactly(viaRest);
          assertThat(viaGrpc).hasSize(10);
          if (filtered) {
            for (long id : viaGrpc) {
              assertThat(id % 10).as("id %d matches group g3", id).isEqualTo(3);
            }
          }
        }
      }
    }
  }

  @Test
  void grpcErrorsAreCountedNotThrown() throws Exception {
    LoadSettings s = settings(8, 100, 10);
    ScenarioResult r = runner(s, 0).runAll(GrpcWorkload.upsert(channels, "missing", new SyntheticVectors(8, 1),
        100, 10), Scenario.UPSERT, Transport.GRPC, 2);
    assertThat(r.errors()).isEqualTo(10);
    assertThat(r.errorSamples()).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("gRPC NOT_FOUND"));
  }
}
