package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.serve.ServeJvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** bench-rss against a real child server on a few hundred points: every sample has the process and storage figures. */
class RssBenchCommandTest {
  @TempDir Path dir;

  @Test
  void samplesTheChildServersMemoryBesideTheCollectionsStorage() throws Exception {
    long seed = new Random().nextLong();
    int points = 300 + new Random(seed).nextInt(200);
    System.out.println("RssBenchCommandTest seed " + seed + ": " + points + " points");
    Path json = dir.resolve("rows.jsonl");
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new RssBenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(
          "--points", Integer.toString(points), "--dim", "16", "--batch", "100", "--idle", "0", "--quantization",
          "int8", "--seed", Long.toString(seed), "--dir", dir.resolve("work").toString(), "--json", json.toString(),
          "--memory-budget", "64MiB", "--native-memory");
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("| load |", "| green |").contains("-Xmx352m");

    ObjectMapper mapper = new ObjectMapper();
    List<String> lines = Files.readAllLines(json);
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      JsonNode row = mapper.readTree(line);
      String phase = row.path("phase").asText();
      assertThat(row.path("points_count").asLong()).as(phase).isEqualTo(points);
      assertThat(row.path("vm_rss_bytes").asLong()).as(phase).isPositive();
      assertThat(row.path("vm_hwm_bytes").asLong()).as(phase).isGreaterThanOrEqualTo(row.path("vm_rss_bytes")
          .asLong());
      assertThat(row.path("jvm_heap_committed_bytes").asLong()).as(phase).isPositive();
      assertThat(row.at("/native_memory_committed_bytes/Total").asLong()).as(phase)
          .isGreaterThan(row.at("/native_memory_committed_bytes/Java Heap").asLong()).isPositive();
      assertThat(row.path("storage_heap_bytes").asLong()).as(phase).isPositive()
          .isEqualTo(row.at("/storage/total/heap_bytes").asLong());
      assertThat(row.path("storage_sum_bytes").asLong()).as(phase)
          .isEqualTo(row.path("storage_heap_bytes").asLong() + row.path("storage_mapped_bytes").asLong());
      for (String part : List.of("vectors", "graph", "codes", "payloads", "caches")) {
        assertThat(row.at("/storage/" + part + "/disk_bytes").isIntegralNumber()).as(phase + " " + part).isTrue();
      }
    }
    JsonNode green = mapper.readTree(lines.get(1));
    assertThat(green.path("phase").asText()).isEqualTo("green");
    assertThat(green.path("status").asText()).isEqualTo("green");
    assertThat(green.path("quantization").asText()).isEqualTo("int8");
  }

  @Test
  void serveOptionsComeFromTheFileTheLauncherReads() {
    ServeJvm none = ServeJvm.forBudget(0);
    assertThat(none.options()).first().isEqualTo("-XX:MaxRAMPercentage=50");
    assertThat(none.options()).contains("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=5000");
    assertThat(none.environment()).containsEntry("MALLOC_ARENA_MAX", "2");
    assertThat(ServeJvm.forBudget(2L << 30).options()).first().isEqualTo("-Xmx3328m");
    assertThat(ServeJvm.replacedByServeOptions("-XX:+UseParallelGC")).isTrue();
    assertThat(ServeJvm.replacedByServeOptions("--enable-native-access=ALL-UNNAMED")).isFalse();
  }

  @Test
  void nativeMemorySummaryIsParsedInEitherScale() {
    String bytes = """
        Total: reserved=1532405457, committed=131184337
               malloc: 6526673 #4729, peak=6447927 #4735
        -                 Java Heap (reserved=67108864, committed=67108864)
                                    (mmap: reserved=67108864, committed=67108864, at peak)
        -                     Class (reserved=1073797486, committed=121198)
        """;
    assertThat(NativeMemory.parse(bytes)).containsExactly(Map.entry("Total", 131184337L),
        Map.entry("Java Heap", 67108864L), Map.entry("Class", 121198L));
    String kb = "Total: reserved=1496490KB, committed=128109KB\n-                    GC (reserved=2KB, committed=1KB)\n";
    assertThat(NativeMemory.parse(kb)).containsExactly(Map.entry("Total", 128109L * 1024), Map.entry("GC", 1024L));
  }
}
