package io.quiver.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.QuiverCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LoadTestCommandTest {

  @TempDir
  Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Set<Path> temporaryDatabases() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("quiver-loadtest-")).collect(Collectors.toSet());
    }
  }

  private List<JsonNode> run(String client, String scenarios, String... more) throws IOException {
    Path out = dir.resolve(client + ".jsonl");
    Set<Path> before = temporaryDatabases();
    List<String> args = new java.util.ArrayList<>(List.of("loadtest",
        "--points", "2000", "--dim", "16", "--batch", "300", "--concurrency", "2", "--duration", "1", "--warmup", "0",
        "--recall-queries", "50", "--query-pool", "100", "--client", client, "--scenario", scenarios, "--json",
        out.toString()));
    args.addAll(List.of(more));
    int code = new CommandLine(new QuiverCli()).setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args.toArray(String[]::new));
    assertThat(temporaryDatabases()).as("temporary database deleted").isSubsetOf(before);
    assertThat(out).as("--json output (exit code %d)", code).exists();
    List<JsonNode> lines = Files.readAllLines(out).stream().map(l -> {
      try {
        return JSON.readTree(l);
      } catch (IOException e) {
        throw new AssertionError(l, e);
      }
    }).toList();
    for (JsonNode o : lines) {
      assertThat(o.get("errors").asLong()).as("errors in %s", o).isZero();
      assertThat(o.get("requests").asLong()).as("requests in %s", o).isPositive();
    }
    assertThat(code).as("exit code").isZero();
    return lines;
  }

  @Test
  void searchScenariosServeEveryRequestWithGoodRecall() throws IOException {
    List<JsonNode> lines = run("raw", "unfiltered,filtered");
    assertThat(lines).extracting(o -> o.get("scenario").asText()).containsExactly("unfiltered", "filtered");
    for (JsonNode o : lines) {
      assertThat(o.get("rps").asDouble()).isPositive();
      assertThat(o.get("recall").asDouble()).as("recall in %s", o).isGreaterThan(0.8);
      assertThat(o.get("recall_queries").asInt()).isEqualTo(50);
      assertThat(o.get("p50_ms").asDouble()).isPositive().isLessThanOrEqualTo(o.get("p99_ms").asDouble());
      assertThat(o.get("p99_ms").asDouble()).isLessThanOrEqualTo(o.get("max_ms").asDouble());
      assertThat(o.get("load_points_per_s").asDouble()).isPositive();
    }
    assertThat(lines.get(1).get("filter").asText()).isEqualTo("group=g3");
  }

  @Test
  void everyScenarioRunsOverBothTransportsInTheOrderGiven() throws IOException {
    List<JsonNode> lines = run("raw", "unfiltered,filtered,ping,upsert", "--transport", "rest,grpc",
        "--upsert-points", "2500", "--upsert-batch", "400", "--load-concurrency", "2");
    assertThat(lines).extracting(o -> o.get("scenario").asText() + "/" + o.get("transport").asText())
        .containsExactly("unfiltered/rest", "unfiltered/grpc", "filtered/rest", "filtered/grpc", "ping/rest",
            "ping/grpc", "upsert/rest", "upsert/grpc");
    for (JsonNode o : lines.subList(0, 4)) {
      assertThat(o.get("recall").asDouble()).as("recall in %s", o).isGreaterThan(0.8);
      assertThat(o.get("recall_queries").asInt()).isEqualTo(50);
    }
    for (JsonNode o : lines.subList(6, 8)) {
      // every batch once (7 = 2500 / 400 rounded up), and an exact count found all 2,500 points (else an error)
      assertThat(o.get("requests").asLong()).as("batches in %s", o).isEqualTo(7);
      assertThat(o.get("points").asInt()).isEqualTo(2500);
      assertThat(o.get("points_per_s").asDouble()).isPositive();
      assertThat(o.get("concurrency").asInt()).isEqualTo(2);
    }
  }

  @Test
  void pingWithTheJdkClientNeedsNoCollection() throws IOException {
    List<JsonNode> lines = run("jdk", "ping");
    assertThat(lines).hasSize(1);
    JsonNode o = lines.getFirst();
    assertThat(o.get("scenario").asText()).isEqualTo("ping");
    assertThat(o.has("recall")).isFalse();
  }

  @Test
  void warmsUpThreeSecondsUnlessTold() {
    LoadTestCommand load = new LoadTestCommand();
    new CommandLine(load).parseArgs();
    assertThat(load.runOptions.warmupSeconds()).isEqualTo(3.0);
    new CommandLine(load).parseArgs("--warmup", "0.25");
    assertThat(load.runOptions.warmupSeconds()).isEqualTo(0.25);
  }

  @Test
  void refusesANonLoopbackServer() {
    int code = new CommandLine(new QuiverCli()).execute("loadtest", "--url", "http://10.1.2.3:6333", "--points", "10");
    assertThat(code).isEqualTo(2); // picocli's usage error, before any connection
  }
}
