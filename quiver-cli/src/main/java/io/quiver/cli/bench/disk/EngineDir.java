package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where one engine's index lives under {@code --dir}: {@code engines/<name>/index/} holds only the engine's files (what
 * is evicted and measured), {@code engines/<name>/build.json} the build facts that a later {@code --search-only} run
 * reports and checks against its data.
 */
record EngineDir(Path root) {

  static EngineDir of(Path dir, String engine) {
    return new EngineDir(dir.resolve("engines").resolve(engine));
  }

  Path index() {
    return root.resolve("index");
  }

  Path buildFile() {
    return root.resolve("build.json");
  }

  /** Deletes a previous index and creates the empty index folder. */
  void reset() throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(index());
  }

  /** The build object of the JSON output, also written to {@link #buildFile}. */
  ObjectNode writeBuild(ObjectMapper mapper, String engine, double buildSeconds, BenchData data, long indexBytes)
      throws IOException {
    ObjectNode o = mapper.createObjectNode();
    o.put("engine", engine);
    o.put("build_s", buildSeconds);
    o.put("n", data.n());
    o.put("dim", data.dim());
    o.put("index_bytes", indexBytes);
    o.put("metric", data.metric().name().toLowerCase(Locale.ROOT));
    o.put("base", data.baseFile().toAbsolutePath().toString());
    Files.writeString(buildFile(), mapper.writeValueAsString(o));
    return o;
  }

  /** Build seconds of the index built for {@code data}; fails clearly when there is none or it is for other data. */
  double readBuild(ObjectMapper mapper, String engine, BenchData data) throws IOException {
    if (!Files.exists(buildFile())) {
      throw new IllegalArgumentException("no " + engine + " index in " + root + ": run with --build-only (or"
          + " without --search-only) first");
    }
    JsonNode b = mapper.readTree(buildFile().toFile());
    String metric = data.metric().name().toLowerCase(Locale.ROOT);
    if (b.path("n").asInt() != data.n() || b.path("dim").asInt() != data.dim()
        || !b.path("metric").asText().equals(metric)) {
      throw new IllegalArgumentException("the " + engine + " index in " + root + " was built for " + b.path("n")
          + " x " + b.path("dim") + " " + b.path("metric").asText() + ", not this data (" + data.n() + " x "
          + data.dim() + " " + metric + "): build it again");
    }
    return b.path("build_s").asDouble();
  }
}
