package io.quiver.cli.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cli.serve.ServeJvm;
import io.quiver.server.ServerConfigLoader;
import io.quiver.storage.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver bench-rss}: does the server's resident memory follow what its collection reports? Starts
 * {@code quiver serve} in a child JVM as the launcher would ({@link ServeJvm}), creates one collection, upserts seeded
 * normal random vectors over HTTP in batches with {@code ?wait=true}, waits for status green, idles, and samples the
 * child's VmRSS / VmHWM beside the collection's {@code storage} bytes at each step. The child is stopped at the end,
 * also when a step fails.
 */
@Command(name = "bench-rss", mixinStandardHelpOptions = true,
    description = "Resident memory of `quiver serve` (a child process) against the bytes its collection reports:"
        + " after loading N points over HTTP, at status green, and after an idle time.",
    footer = {"", "Example: ./quiver bench-rss --points 108000 --dim 384 --metric cosine --quantization int8"
        + " --idle 60 --json rss.jsonl"})
public final class RssBenchCommand implements Callable<Integer> {
  /** Qdrant's distance names, as the REST API takes them. */
  enum Distance {
    COSINE("Cosine"), EUCLID("Euclid"), DOT("Dot"), MANHATTAN("Manhattan");

    final String qdrant;

    Distance(String qdrant) {
      this.qdrant = qdrant;
    }
  }

  /** The collection's quantization_config. */
  enum Quantization { NONE, INT8, BINARY }

  static final String COLLECTION = "rss";

  @Option(names = "--points", description = "Points upserted (default ${DEFAULT-VALUE}).")
  int points = 108_000;

  @Option(names = "--dim", description = "Dimension (default ${DEFAULT-VALUE}).")
  int dim = 384;

  @Option(names = "--metric", description = "cosine, euclid, dot or manhattan (default ${DEFAULT-VALUE}).")
  Distance metric = Distance.COSINE;

  @Option(names = "--quantization", description = "none, int8 or binary codes (default ${DEFAULT-VALUE}).")
  Quantization quantization = Quantization.NONE;

  @Option(names = "--disk-index", description = "Disk-resident segments: the vector field gets \"on_disk\": true and"
      + " \"hnsw_config\": {\"on_disk\": true}.")
  boolean diskIndex;

  @Option(names = "--batch", description = "Points per upsert request (default ${DEFAULT-VALUE}).")
  int batch = 1000;

  @Option(names = "--idle", description = "Seconds idle after status green before the last sample (default"
      + " ${DEFAULT-VALUE}).")
  int idle = 60;

  @Option(names = "--seed", description = "Seed of the random vectors (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--memory-budget", paramLabel = "SIZE", description = "The server's --memory-budget, which also"
      + " sizes its heap as the launcher does (default: none, heap up to half the RAM).")
  String memoryBudget;

  @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "An extra JVM option of the server, after the"
      + " launcher's (repeatable), e.g. --jvm-opt=-Xlog:gc:file=gc.log or --jvm-opt=-XX:NativeMemoryTracking=summary.")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--native-memory", description = "Track the server's native memory (" + NativeMemory.OPTION
      + ") and add jcmd's committed bytes per category to each sample.")
  boolean nativeMemory;

  @Option(names = "--green-timeout", description = "Seconds to wait for status green (default ${DEFAULT-VALUE}).")
  int greenTimeout = 1800;

  @Option(names = "--dir", description = "Working directory (server data and log), kept. Default: a temporary"
      + " directory, deleted at the end.")
  Path dir;

  @Option(names = "--json", paramLabel = "FILE", description = "Append one JSON object per sample to FILE.")
  Path json;

  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    check(points > 0, "--points must be > 0, got " + points);
    check(dim > 0, "--dim must be > 0, got " + dim);
    check(batch > 0, "--batch must be > 0, got " + batch);
    check(idle >= 0, "--idle must be >= 0 seconds, got " + idle);
    long budget = memoryBudget == null ? 0 : ServerConfigLoader.size(memoryBudget, "--memory-budget");
    ServeJvm jvm = ServeJvm.forBudget(budget);
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("quiver-bench-rss-") : Files.createDirectories(dir);
    List<RssSample> samples;
    try {
      samples = measure(root, jvm);
    } finally {
      if (temporary) {
        AtomicFiles.deleteTree(root);
      }
    }
    report(samples, jvm);
    return 0;
  }

  private List<RssSample> measure(Path root, ServeJvm jvm) throws Exception {
    Path data = root.resolve("data");
    if (Files.exists(data)) {
      AtomicFiles.deleteTree(data);
    }
    PrintStream err = System.err;
    List<RssSample> samples = new ArrayList<>();
    List<String> serveArgs = memoryBudget == null ? List.of() : List.of("--memory-budget", memoryBudget);
    List<String> extraJvm = new ArrayList<>(jvmOptions);
    if (nativeMemory) {
      extraJvm.add(NativeMemory.OPTION);
    }
    try (ServerProcess server = ServerProcess.start(data, jvm, extraJvm, serveArgs, root.resolve("server.log"),
        120)) {
      long t0 = System.nanoTime();
      err.printf(Locale.ROOT, "bench-rss: server pid %d on port %d, data in %s%n", server.pid(), server.port(), data);
      ServerRest rest = new ServerRest(server.port(), mapper);
      try {
        rest.send("PUT", "/collections/" + COLLECTION, mapper.writeValueAsBytes(collectionBody()));
        Random rnd = new Random(seed);
        Progress progress = new Progress("bench-rss: upsert", err);
        for (int from = 0; from < points; from += batch) {
          int to = Math.min(points, from + batch);
          rest.send("PUT", "/collections/" + COLLECTION + "/points?wait=true", batchBody(rnd, from, to));
          progress.update(to, points);
        }
        samples.add(sample(server, rest, "load", t0));
        long deadline = System.nanoTime() + greenTimeout * 1_000_000_000L;
        while (!"green".equals(rest.get("/collections/" + COLLECTION).path("status").asText())) {
          if (System.nanoTime() > deadline || !server.alive()) {
            throw new IOException("the collection is not green after " + greenTimeout + " s (server "
                + (server.alive() ? "running" : "exited") + ")");
          }
          Thread.sleep(500);
        }
        samples.add(sample(server, rest, "green", t0));
        if (idle > 0) {
          Thread.sleep(idle * 1000L);
          samples.add(sample(server, rest, "idle", t0));
        }
      } catch (IOException | RuntimeException e) {
        throw new IOException(e.getMessage() + "\nthe server's log ends:\n" + server.logTail(20), e);
      }
    }
    return samples;
  }

  private RssSample sample(ServerProcess server, ServerRest rest, String phase, long t0) throws Exception {
    var proc = server.memoryStatus(); // first: the HTTP calls below allocate in the server
    JsonNode info = rest.get("/collections/" + COLLECTION);
    String metrics = rest.text("/metrics");
    RssSample s = new RssSample(phase, (System.nanoTime() - t0) / 1e9, proc,
        RssSample.prometheusSum(metrics, "jvm_memory_used_bytes", "area=\"heap\""),
        RssSample.prometheusSum(metrics, "jvm_memory_committed_bytes", "area=\"heap\""),
        RssSample.prometheusSum(metrics, "jvm_memory_committed_bytes", "area=\"nonheap\""),
        info.path("status").asText(), info.path("points_count").asLong(), info.path("segments_count").asInt(),
        info.path("storage"), nativeMemory ? NativeMemory.committed(server.pid()) : Map.of());
    if (!s.storage().isObject()) {
      throw new IOException("GET /collections/" + COLLECTION + " has no storage object: " + info);
    }
    System.err.printf(Locale.ROOT, "bench-rss: %s at %.0f s: VmRSS %s, collection heap %s + mapped %s%n", phase,
        s.seconds(), mb(s.rss()), mb(s.storageTotal("heap")), mb(s.storageTotal("mapped")));
    if (nativeMemory) {
      StringBuilder b = new StringBuilder("bench-rss: " + phase + " native memory committed (MB):");
      s.nativeMemory().forEach((k, v) -> b.append(' ').append(k).append(' ').append(mb(v)).append(','));
      System.err.println(b.substring(0, b.length() - 1));
    }
    return s;
  }

  ObjectNode collectionBody() {
    ObjectNode body = mapper.createObjectNode();
    ObjectNode vectors = body.putObject("vectors").put("size", dim).put("distance", metric.qdrant);
    if (diskIndex) {
      vectors.put("on_disk", true);
      vectors.putObject("hnsw_config").put("on_disk", true);
    }
    switch (quantization) {
      case NONE -> { }
      case INT8 -> body.putObject("quantization_config").putObject("scalar").put("type", "int8")
          .put("always_ram", true);
      case BINARY -> body.putObject("quantization_config").putObject("binary").put("always_ram", true);
    }
    return body;
  }

  /** Points {@code from..to-1}, each a vector of standard normal components drawn from {@code rnd} in order. */
  private byte[] batchBody(Random rnd, int from, int to) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * dim * 12);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("points");
      for (int id = from; id < to; id++) {
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeArrayFieldStart("vector");
        for (int j = 0; j < dim; j++) {
          g.writeNumber((float) rnd.nextGaussian());
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private void report(List<RssSample> samples, ServeJvm jvm) throws IOException {
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "## bench-rss: %,d x %d float32 %s points%s%s, batches of %,d with ?wait=true,"
        + " idle %d s%n%n", points, dim, metric.qdrant, quantization == Quantization.NONE ? "" : ", "
        + quantization.name().toLowerCase(Locale.ROOT) + " codes", diskIndex ? ", disk index" : "", batch, idle);
    out.println("Server JVM options: " + serverOptions(jvm) + "; environment " + jvm.environment()
        + ". MB = 2^20 bytes.");
    out.println();
    out.println("| phase | s | VmRSS | VmHWM | RssAnon | RssFile | JVM heap used / committed | storage heap |"
        + " storage mapped | storage disk | heap: vectors / graph / codes / payloads / caches |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (RssSample s : samples) {
      JsonNode st = s.storage();
      out.printf(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s / %s / %s / %s / %s |%n",
          s.phase(), s.seconds(), mb(s.rss()), mb(s.hwm()), mb(s.proc().getOrDefault("RssAnon", -1L)),
          mb(s.proc().getOrDefault("RssFile", -1L)), mb(s.jvmHeapUsed()), mb(s.jvmHeapCommitted()),
          mb(s.storageTotal("heap")), mb(s.storageTotal("mapped")), mb(s.storageTotal("disk")),
          mb(st.at("/vectors/heap_bytes").asLong()), mb(st.at("/graph/heap_bytes").asLong()),
          mb(st.at("/codes/heap_bytes").asLong()), mb(st.at("/payloads/heap_bytes").asLong()),
          mb(st.at("/caches/heap_bytes").asLong()));
    }
    if (json != null) {
      ObjectNode settings = mapper.createObjectNode().put("bench", "rss").put("points", points).put("dim", dim)
          .put("metric", metric.qdrant).put("quantization", quantization.name().toLowerCase(Locale.ROOT))
          .put("disk_index", diskIndex).put("batch", batch).put("idle_s", idle).put("seed", seed)
          .put("jvm_options", serverOptions(jvm));
      List<String> lines = new ArrayList<>();
      for (RssSample s : samples) {
        lines.add(mapper.writeValueAsString(s.toJson(settings)));
      }
      Files.write(json, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  private String serverOptions(ServeJvm jvm) {
    List<String> all = new ArrayList<>(jvm.options());
    all.addAll(jvmOptions);
    if (nativeMemory) {
      all.add(NativeMemory.OPTION);
    }
    return String.join(" ", all);
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", bytes / (1024.0 * 1024));
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
