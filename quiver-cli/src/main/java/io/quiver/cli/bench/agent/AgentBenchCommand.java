package io.quiver.cli.bench.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.embed.Embedders;
import io.quiver.cli.bench.agent.AgentWorkload.EpisodeSpec;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver bench-agent}: the same seeded agent-memory workload through each engine's MCP server over stdio,
 * Quiver's ({@code quiver mcp}) and AgentDB 3.3.0's ({@code agentdb mcp start}), one after the other in one run.
 * Timings are from writing a request line to reading its answer line, so they include each server's embedding of the
 * text (Quiver: token-hash; AgentDB without its model: its hash "mock" embedding); Quiver's embedder is also timed
 * alone in this process.
 */
@Command(name = "bench-agent", mixinStandardHelpOptions = true,
    description = "Agent memory over MCP: Quiver against AgentDB 3.3.0 on one seeded workload (reflexion_store_batch,"
        + " reflexion_retrieve with filters, recall_with_certificate, skills, causal edges, db_stats).",
    footer = {"", "AgentDB is installed with npm into --agentdb-cache on first use (needs node and npm)."})
public final class AgentBenchCommand implements Callable<Integer> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Option(names = "--episodes", description = "episodes loaded (default ${DEFAULT-VALUE})")
  int episodes = 10_000;

  @Option(names = "--queries", description = "calls of each read tool (default ${DEFAULT-VALUE})")
  int queries = 200;

  @Option(names = "--warmup", description = "untimed calls of each read tool first (default ${DEFAULT-VALUE})")
  int warmup = 20;

  @Option(names = "--seed", description = "workload seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--batch", description = "episodes per reflexion_store_batch call, 1-1000 (default ${DEFAULT-VALUE})")
  int batch = 500;

  @Option(names = "--skills", description = "skills and causal edges created (default ${DEFAULT-VALUE})")
  int skills = 200;

  @Option(names = "--engines", split = ",", description = "quiver, agentdb (default ${DEFAULT-VALUE})")
  List<String> engines = List.of(EngineLaunch.QUIVER, EngineLaunch.AGENTDB);

  @Option(names = "--dir", description = "scratch directory (default: a new temporary one, deleted afterwards)")
  Path dir;

  @Option(names = "--agentdb-cache", description = "where agentdb is installed (default ~/.cache/quiver-bench/agentdb)")
  Path agentDbCache = Path.of(System.getProperty("user.home"), ".cache", "quiver-bench", "agentdb");

  @Option(names = "--quiver-heap", description = "-Xmx of the quiver mcp child (default ${DEFAULT-VALUE})")
  String quiverHeap = "2g";

  @Option(names = "--quiver-jvm-option", paramLabel = "OPTION", description = "an extra JVM option of the quiver mcp"
      + " child, repeatable (e.g. -Dquiver.scan.bounded.off=true for plain exact scans)")
  List<String> quiverJvmOptions = List.of();

  @Option(names = "--timeout", description = "seconds to wait for one answer (default ${DEFAULT-VALUE})")
  long timeoutSeconds = 600;

  @Option(names = "--json", paramLabel = "FILE", description = "append the JSON rows to FILE")
  Path json;

  @Override
  public Integer call() throws IOException {
    if (batch < 1 || batch > 1000 || episodes < 1 || queries < 1 || warmup < 0) {
      throw new IllegalArgumentException("--batch must be 1-1000, --episodes and --queries at least 1, --warmup"
          + " at least 0");
    }
    PrintStream out = System.out;
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("quiver-bench-agent") : Files.createDirectories(dir);
    AgentWorkload work = AgentWorkload.generate(seed, episodes, queries, skills, skills);
    out.printf(Locale.ROOT, "bench-agent: %,d episodes (seed %d, batches of %d), %d timed calls per read tool after %d"
        + " untimed, k %d, in %s%n", episodes, seed, batch, queries, warmup, AgentBenchRun.K, root);
    AgentBenchTable table = new AgentBenchTable(out);
    List<ObjectNode> rows = new ArrayList<>();
    Consumer<ObjectNode> sink = row -> {
      row.put("seed", seed);
      rows.add(row);
      table.print(row);
    };
    try {
      for (String engine : engines) {
        switch (engine.trim().toLowerCase(Locale.ROOT)) {
          case EngineLaunch.QUIVER -> runQuiver(root, work, sink);
          case EngineLaunch.AGENTDB -> runAgentDb(root, work, sink);
          default -> throw new IllegalArgumentException("unknown engine '" + engine + "': quiver or agentdb");
        }
      }
    } finally {
      writeJson(rows);
      if (temporary) {
        deleteTree(root);
      }
    }
    return 0;
  }

  private void runQuiver(Path root, AgentWorkload work, Consumer<ObjectNode> sink)
      throws IOException {
    DenseTextModel embedder = Embedders.create(Embedders.TOKEN_HASH);
    List<String> texts = work.episodes().stream().map(EpisodeSpec::task).toList();
    long t0 = System.nanoTime();
    float[][] vectors = embedder.embed(texts).toArray(float[][]::new);
    double seconds = (System.nanoTime() - t0) / 1e9;
    sink.accept(MAPPER.createObjectNode().put("engine", "quiver").put("episodes", episodes)
        .put("tool", "embed token-hash (in-process)").put("calls", texts.size()).put("errors", 0)
        .put("mean_ms", seconds * 1e3 / texts.size())
        .put("texts_per_s", texts.size() / seconds)
        .put("note", "one text at a time: " + embedder.name() + ", " + embedder.dimension() + " d"));
    AgentBenchRun.Reference ref = new AgentBenchRun.Reference(embedder.name(), new ExactTopK(vectors),
        t -> embedder.embed(List.of(t)).get(0), true, 1);
    Path data = root.resolve("quiver-data");
    EngineLaunch launch = EngineLaunch.quiver(data, quiverHeap, quiverJvmOptions);
    runEngine(launch, root.resolve("quiver-mcp.stderr"), work, ref, sink);
  }

  private void runAgentDb(Path root, AgentWorkload work, Consumer<ObjectNode> sink)
      throws IOException {
    Path log = root.resolve("agentdb-setup.log");
    EngineLaunch launch = EngineLaunch.agentDb(agentDbCache, root.resolve("agentdb-work"), log);
    Path stderr = root.resolve("agentdb-mcp.stderr");
    float[][] mock = work.episodes().stream().map(e -> AgentDbMockEmbedder.embed(e.task())).toArray(float[][]::new);
    AgentBenchRun.Reference mockRef = new AgentBenchRun.Reference("agentdb mock embedding, recomputed here",
        new ExactTopK(mock), AgentDbMockEmbedder::embed, false, 1);
    runEngine(launch, stderr, work, mockRef, sink);
  }

  private void runEngine(EngineLaunch launch, Path stderr, AgentWorkload work, AgentBenchRun.Reference ref,
      Consumer<ObjectNode> sink) throws IOException {
    try (McpChild mcp = new McpChild(launch.command(), launch.env(), launch.cwd(), stderr, timeoutSeconds)) {
      mcp.initialize();
      AgentBenchRun.Reference used = ref;
      if (launch.engine().equals(EngineLaunch.AGENTDB)) {
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        if (!err.contains("mock embeddings")) {
          // the model loaded (or the wording changed): its vectors cannot be recomputed here, so no nearest check
          used = new AgentBenchRun.Reference("filters only: AgentDB's embedding could not be identified", null, null,
              false, 1);
        }
      }
      List<AgentWorkload.QuerySpec> warm = AgentWorkload.generate(~seed, 0, warmup, 0, 0).queries();
      new AgentBenchRun(mcp, launch.engine(), work, warm, batch, used, sink).run();
      if (mcp.strayLines() > 0) {
        sink.accept(MAPPER.createObjectNode().put("engine", launch.engine()).put("episodes", episodes)
            .put("tool", "stdout").put("unavailable", mcp.strayLines() + " stdout lines were not answers"));
      }
    } catch (IOException e) {
      sink.accept(MAPPER.createObjectNode().put("engine", launch.engine()).put("episodes", episodes)
          .put("tool", "server").put("unavailable", e.getMessage() + " (stderr: " + stderr + ")"));
    }
  }

  private void writeJson(List<ObjectNode> rows) throws IOException {
    if (json == null) {
      return;
    }
    List<String> lines = new ArrayList<>();
    for (ObjectNode r : rows) {
      lines.add(MAPPER.writeValueAsString(r));
    }
    Files.write(json, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
