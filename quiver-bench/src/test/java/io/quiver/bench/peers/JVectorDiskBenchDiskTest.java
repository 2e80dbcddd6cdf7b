package io.quiver.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.QuiverCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jvector-disk} the way {@code bench-disk} runs it: built by one command with the harness's default build
 * settings (no {@code --alpha}), then opened by a later {@code --search-only} command in fresh engine instances and
 * searched from worker threads, warm and cold, with recall taken against the harness's ground truth of base row ids.
 * Seeded by {@code -Dtests.seed=HEX} or at random, printed.
 */
class JVectorDiskBenchDiskTest {

  private static final long SEED = seed();

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private static long seed() {
    String s = System.getProperty("tests.seed");
    return s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
  }

  private int benchDisk(String... args) {
    CommandLine cli = new CommandLine(new QuiverCli());
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("bench-disk", "--dir", dir.toString(), "--probe-bytes", "4194304",
        "--synthetic", "3000", "--dim", "32", "--queries", "50", "--seed", Long.toString(SEED & 0xffff),
        "--engines", "jvector-disk", "--runs", "1", "--warmup", "0"));
    all.addAll(List.of(args));
    return cli.execute(all.toArray(String[]::new));
  }

  @Test
  void buildThenSearchInFreshInstancesFindsTheNearestRows() throws Exception {
    String seed = Long.toHexString(SEED).toUpperCase(Locale.ROOT);
    assertThat(benchDisk("--build-only")).as(err.toString()).isZero();
    Path json = dir.resolve("search.jsonl");
    assertThat(benchDisk("--search-only", "--threads", "2", "--L", "64", "--passes", "cold,warm", "--json",
        json.toString())).as(err.toString()).isZero();

    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(json)) {
      JsonNode row = mapper.readTree(line);
      if (row.has("recall10")) {
        rows.add(row);
      }
    }
    assertThat(rows).extracting(r -> r.get("pass").asText()).containsExactly("cold", "warm");
    for (JsonNode row : rows) {
      double recall = row.get("recall10").asDouble();
      System.out.printf(Locale.ROOT, "jvector-disk via bench-disk, seed %s: %s recall@10=%.3f at L=64%n", seed,
          row.get("pass").asText(), recall);
      assertThat(recall).as("%s recall@10 at L=64, seed %s", row.get("pass").asText(), seed)
          .isGreaterThanOrEqualTo(0.9);
    }
  }
}
