package io.quiver.cli.bench.disk;

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
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchDiskUpdatesCommandTest {
  /** -Dtests.seed=N reproduces a run; otherwise a random seed, printed. */
  private static final long SEED = Long.getLong("tests.seed", new Random().nextLong());

  private static final List<String> UPDATE_FIELDS = List.of("phase", "n", "dim", "updates", "deletes", "writers",
      "upserts_per_s", "deletes_per_s", "search_qps", "recall10", "recall_samples", "deleted_returned",
      "delete_checks", "unindexed_at_upsert_end", "heap_bytes", "load_avg_1m");

  @TempDir
  Path dir;

  private final ObjectMapper mapper = new ObjectMapper();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new QuiverCli());
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("bench-disk-updates"));
    all.addAll(List.of(args));
    return cli.execute(all.toArray(String[]::new));
  }

  private List<JsonNode> rows(Path json) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(json)) {
      rows.add(mapper.readTree(line));
    }
    return rows;
  }

  /**
   * 3,000 base points sealed into a disk segment, 300 upserted and 300 deleted while searching, then the merge into
   * the base's graph; a second run over the same kept directory reuses the load.
   */
  @Test
  void aRunReportsEveryPhaseMergesIntoTheBaseGraphAndNeverReturnsADeletedPoint() throws Exception {
    System.out.printf("BenchDiskUpdatesCommandTest seed %d (-Dtests.seed=%d)%n", SEED, SEED);
    Path json = dir.resolve("out.jsonl");
    // a small seed: the kept base's description must still match when read back (a small long reads as an int)
    String[] args = {"--synthetic", "3000", "--dim", "16", "--seed", Long.toString(Math.floorMod(SEED, 1000)),
        "--batch", "50", "--queries", "50", "--ef", "64", "--dir", dir.resolve("kept").toString()};
    assertThat(run(concat(args, "--json", json.toString()))).as(err.toString()).isZero();
    List<JsonNode> rows = rows(json);
    assertThat(rows).extracting(r -> r.get("phase").asText()).containsExactly("load", "update", "merge", "search");

    JsonNode load = rows.get(0);
    assertThat(load.get("reused").asBoolean()).isFalse();
    assertThat(load.get("points").asLong()).isEqualTo(3000);
    assertThat(load.get("load_s").asDouble()).isPositive();

    JsonNode update = rows.get(1);
    for (String field : UPDATE_FIELDS) {
      assertThat(update.has(field)).as("field %s in %s", field, update).isTrue();
    }
    assertThat(update.get("updates").asInt()).isEqualTo(300);
    assertThat(update.get("deletes").asInt()).isEqualTo(300);
    assertThat(update.get("upserts_per_s").asDouble()).isPositive();
    assertThat(update.get("deletes_per_s").asDouble()).isPositive();
    assertThat(update.get("search_qps").asDouble()).isPositive();
    assertThat(update.get("recall10").asDouble()).isBetween(0.8, 1.0);
    assertThat(update.get("delete_checks").asLong()).isEqualTo(6 * 4); // 6 delete batches of 50, 4 checks each
    assertThat(update.get("deleted_returned").asLong()).isZero();
    assertThat(update.get("points").asLong()).isEqualTo(3000);
    assertThat(update.get("unindexed_at_upsert_end").asLong()).isBetween(0L, 300L);

    JsonNode merge = rows.get(2);
    assertThat(merge.get("merge_finished").asBoolean()).isTrue();
    assertThat(merge.get("merges").asLong() + merge.get("vacuums").asLong()).isEqualTo(1);
    assertThat(merge.get("graph_merges").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(merge.get("merge_s").asDouble()).isGreaterThanOrEqualTo(merge.get("flush_s").asDouble());

    JsonNode search = rows.get(3);
    assertThat(search.get("points").asLong()).isEqualTo(3000);
    assertThat(search.get("recall10").asDouble()).isBetween(0.9, 1.0);
    assertThat(search.get("qps").asDouble()).isPositive();

    Path again = dir.resolve("again.jsonl");
    assertThat(run(concat(args, "--json", again.toString(), "--updates", "100", "--deletes", "0"))).as(err.toString())
        .isZero();
    List<JsonNode> second = rows(again);
    assertThat(second.get(0).get("reused").asBoolean()).isTrue();
    assertThat(second.get(0).get("load_s").asDouble()).isEqualTo(load.get("load_s").asDouble());
    assertThat(second.get(1).get("deleted_returned").asLong()).isZero();
    assertThat(second.get(1).get("delete_p50_ms").isNull()).isTrue(); // no delete calls: no latency
    assertThat(second.get(3).get("points").asLong()).isEqualTo(3100);
  }

  @Test
  void updatesBeyondTheBaseSizeAreRefused() {
    assertThat(run("--synthetic", "100", "--updates", "101")).isNotZero();
    assertThat(err.toString()).contains("--updates and --deletes must be in 0..N (100)");
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }
}
