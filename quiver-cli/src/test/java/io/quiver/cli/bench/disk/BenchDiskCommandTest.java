package io.quiver.cli.bench.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.QuiverCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchDiskCommandTest {
  private static final List<String> SEARCH_FIELDS = List.of("engine", "threads", "L", "pass", "recall10", "qps",
      "p50_ms", "p99_ms", "reads_per_query", "read_bytes_per_query", "heap_bytes_per_vector", "cap_bytes",
      "peak_bytes", "build_s", "n", "dim", "reads_source");

  @TempDir
  Path dir;

  private final ObjectMapper mapper = new ObjectMapper();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new QuiverCli());
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("bench-disk", "--dir", dir.toString(), "--probe-bytes", "4194304"));
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

  private static final String[] TINY = {"--synthetic", "2000", "--dim", "16", "--queries", "50", "--seed", "3",
      "--engines", "quiver-hnsw", "--runs", "1", "--warmup", "0"};

  @Test
  void aRunWritesAProbeAndOneRowPerThreadsListSizeAndPassWithTheIssuesFields() throws Exception {
    Path json = dir.resolve("out.jsonl");
    int code = run(concat(TINY, "--threads", "1,2", "--L", "16,64", "--passes", "cold,warm", "--json",
        json.toString()));
    assertThat(code).as(err.toString()).isZero();
    List<JsonNode> rows = rows(json);
    assertThat(rows).hasSize(1 + 2 * 2 * 2);
    JsonNode probe = rows.getFirst();
    assertThat(probe.get("engine").asText()).isEqualTo("disk-probe");
    assertThat(probe.get("reads_per_s_1").asDouble()).isPositive();
    assertThat(probe.get("reads_per_s_4").asDouble()).isPositive();
    for (JsonNode row : rows.subList(1, rows.size())) {
      for (String field : SEARCH_FIELDS) {
        assertThat(row.has(field)).as("field %s in %s", field, row).isTrue();
      }
      assertThat(row.get("engine").asText()).isEqualTo("quiver-hnsw");
      assertThat(row.get("n").asInt()).isEqualTo(2000);
      assertThat(row.get("dim").asInt()).isEqualTo(16);
      assertThat(row.get("qps").asDouble()).isPositive();
      assertThat(row.get("p99_ms").asDouble()).isGreaterThanOrEqualTo(row.get("p50_ms").asDouble());
      assertThat(row.get("heap_bytes_per_vector").asDouble()).isGreaterThan(16 * 4);
      assertThat(row.get("build_s").asDouble()).isPositive();
      assertThat(row.get("cap_bytes").isNull()).isTrue();
      assertThat(row.get("reads_source").asText()).isEqualTo("read_bytes"); // HNSW counts no reads of its own
    }
    JsonNode wideWarm = rows.stream().filter(r -> r.path("L").asInt() == 64 && r.path("pass").asText().equals("warm"))
        .findFirst().orElseThrow();
    assertThat(wideWarm.get("recall10").asDouble()).isGreaterThan(0.9);
    assertThat(wideWarm.get("read_bytes_per_query").asDouble()).isZero(); // all on the heap
    assertThat(rows.stream().map(r -> r.path("threads").asInt()).distinct()).containsExactly(0, 1, 2);
  }

  /** An exact engine that counts its reads: recall is 1 and reads per query come from the engine, n each. */
  @Test
  void recallAndReadsComeFromTheEngineWhenItCountsThem() throws Exception {
    Path json = dir.resolve("exact.jsonl");
    int code = run("--synthetic", "1500", "--dim", "8", "--queries", "20", "--engines", "exact-scan", "--runs", "3",
        "--warmup", "0", "--L", "10", "--threads", "2", "--passes", "cold,warm", "--json", json.toString());
    assertThat(code).as(err.toString()).isZero();
    List<JsonNode> rows = rows(json);
    assertThat(rows).hasSize(3);
    for (JsonNode row : rows.subList(1, 3)) {
      assertThat(row.get("engine").asText()).isEqualTo("exact-scan");
      assertThat(row.get("recall10").asDouble()).isEqualTo(1.0);
      assertThat(row.get("reads_source").asText()).isEqualTo("engine");
      assertThat(row.get("reads_per_query").asDouble()).isEqualTo(1500.0);
      assertThat(row.get("runs").asInt()).isEqualTo(3);
    }
    JsonNode cold = rows.get(1);
    assertThat(cold.get("pass").asText()).isEqualTo("cold");
    // what fincore finds of the 14-page file after eviction (-1 without fincore); opening maps the file and reads its
    // first record, and the pages the kernel maps around that fault stay cached while mapped
    assertThat(cold.get("resident_after_evict_bytes").asLong()).isBetween(-1L, 14L * 4096);
  }

  @Test
  void buildOnlyThenSearchOnlyReuseTheDataAndTheIndex() throws Exception {
    Path json = dir.resolve("build.jsonl");
    assertThat(run(concat(TINY, "--build-only", "--json", json.toString()))).as(err.toString()).isZero();
    List<JsonNode> built = rows(json);
    assertThat(built).hasSize(1);
    JsonNode b = built.getFirst();
    for (String field : List.of("engine", "build_s", "n", "dim", "index_bytes")) {
      assertThat(b.has(field)).as("field %s in %s", field, b).isTrue();
    }
    assertThat(b.get("index_bytes").asLong()).isGreaterThan(2000L * 16 * 4);
    long dataFiles;
    try (Stream<Path> s = Files.walk(dir.resolve("data"))) {
      dataFiles = s.filter(Files::isRegularFile).count();
    }
    assertThat(dataFiles).isEqualTo(3); // base, queries, ground truth

    Path searched = dir.resolve("search.jsonl");
    assertThat(run(concat(TINY, "--search-only", "--L", "32", "--passes", "warm", "--json", searched.toString())))
        .as(err.toString()).isZero();
    List<JsonNode> rows = rows(searched);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1).get("build_s").asDouble()).isEqualTo(b.get("build_s").asDouble());
    assertThat(err.toString()).doesNotContain("generating");
  }

  @Test
  void searchOnlyWithoutABuildSaysSo() {
    int code = run(concat(TINY, "--search-only", "--passes", "warm"));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("no quiver-hnsw index").contains("--build-only");
  }

  @Test
  void conflictingOrIncompleteOptionsFailWithAMessage() {
    assertThat(run(concat(TINY, "--build-only", "--search-only"))).isNotZero();
    assertThat(err.toString()).contains("--build-only and --search-only exclude each other");
    assertThat(run(concat(TINY, "--heap", "64m"))).isNotZero();
    assertThat(err.toString()).contains("--heap sizes the capped child JVM: it needs --mem-cap");
    assertThat(run(concat(TINY, "--mem-cap", "64m", "--heap", "64m"))).isNotZero();
    assertThat(err.toString()).contains("must be below --mem-cap");
    assertThat(run(concat(TINY, "--mem-cap", "lots"))).isNotZero();
    assertThat(err.toString()).contains("--mem-cap expects a size");
    assertThat(run("--synthetic", "100", "--engines", "nope")).isNotZero();
    assertThat(err.toString()).contains("unknown engine 'nope'");
  }

  @Test
  void memCapWithoutCgroupAccessFailsBeforeBuildingAndNeverRunsUncapped() {
    Path json = dir.resolve("never.jsonl");
    int code = run(concat(TINY, "--mem-cap", "256m", "--heap", "128m", "--cgroup-root",
        dir.resolve("no-cgroups").toString(), "--json", json.toString()));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--mem-cap needs the cgroup v1 memory hierarchy");
    assertThat(json).doesNotExist();
    assertThat(dir.resolve("engines")).doesNotExist();

    Path noMemoryLine = dir.resolve("cgroup");
    assertThat(code = runWithProcCgroup(noMemoryLine, "0::/user.slice\n")).isNotZero();
    assertThat(err.toString()).contains("names none");
  }

  private int runWithProcCgroup(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return run(concat(TINY, "--mem-cap", "256m", "--proc-cgroup", file.toString()));
  }

  /** Where this process may create memory cgroups (root on a cgroup v1 machine), the search runs capped. */
  @Test
  void aCappedSearchRunsInAChildJvmAndReportsTheCgroupsPeak() throws Exception {
    boolean cgroups;
    try (MemoryCgroup probe = MemoryCgroup.create(MemoryCgroup.V1_ROOT, MemoryCgroup.PROC_SELF_CGROUP,
        "quiver-bench-disk-test-" + ProcessHandle.current().pid(), 256L << 20)) {
      cgroups = true;
    } catch (java.io.IOException e) {
      cgroups = false;
    }
    assumeThat(cgroups).as("cgroup v1 memory hierarchy writable").isTrue();
    Path json = dir.resolve("capped.jsonl");
    int code = run(concat(TINY, "--mem-cap", "128m", "--heap", "64m", "--L", "32", "--passes", "cold,warm",
        "--json", json.toString()));
    assertThat(code).as(err.toString()).isZero();
    List<JsonNode> rows = rows(json);
    assertThat(rows).hasSize(3);
    for (JsonNode row : rows.subList(1, 3)) {
      assertThat(row.get("cap_bytes").asLong()).isEqualTo(128L << 20);
      assertThat(row.get("peak_bytes").asLong()).isBetween(1L << 20, 128L << 20);
      assertThat(row.get("peak_anon_bytes").asLong()).isBetween(1L << 20, row.get("peak_bytes").asLong());
      assertThat(row.get("recall10").asDouble()).isGreaterThan(0.8);
    }
    assertThat(dir.resolve("child-rows-quiver-hnsw.jsonl")).doesNotExist();
  }

  /**
   * Filtered searches: a row per filter level carrying the level and the fewest results any query got; the disk
   * index is never short and finds the filtered neighbours; an engine without filtered search gets "not supported"
   * rows and the run still succeeds.
   */
  @Test
  void filteredRowsCarryTheLevelAndTheFewestResultsAndAreNeverShort() throws Exception {
    Path json = dir.resolve("filtered.jsonl");
    int code = run("--synthetic", "5000", "--dim", "16", "--queries", "40", "--seed", "5", "--engines",
        "quiver-disk,exact-scan,exact-scan-unfiltered", "--runs", "1", "--warmup", "0", "--L", "64", "--passes",
        "warm", "--filters", "none,0.0005,0.01,0.5", "--json", json.toString());
    assertThat(code).as(err.toString()).isZero();
    List<JsonNode> rows = rows(json);
    assertThat(rows).hasSize(1 + 3 * 4);
    int[] matches = new int[4];
    List<Double> levels = Arrays.asList(null, 0.0005, 0.01, 0.5);
    for (int i = 1; i < levels.size(); i++) {
      matches[i] = FilterLabels.level(5, levels.get(i), 5000).count();
    }
    assertThat(matches[1]).isLessThan(10); // a level with fewer matches than k
    for (JsonNode row : rows.subList(1, rows.size())) {
      String engine = row.get("engine").asText();
      int level = levels.indexOf(row.has("filter") ? row.get("filter").asDouble() : null);
      assertThat(level).as("filter of %s", row).isNotNegative();
      if (engine.equals("exact-scan-unfiltered") && level > 0) {
        assertThat(row.get("note").asText()).isEqualTo("not supported");
        assertThat(row.has("recall10")).isFalse();
        continue;
      }
      int expected = level == 0 ? 10 : Math.min(10, matches[level]);
      assertThat(row.get("returned_min").asInt()).as("%s", row).isEqualTo(expected);
      if (engine.startsWith("exact-scan")) {
        assertThat(row.get("recall10").asDouble()).as("%s", row).isEqualTo(1.0);
      } else if (level == 2) {
        assertThat(row.get("recall10").asDouble()).as("%s", row).isGreaterThanOrEqualTo(0.9);
      }
    }
    long cached;
    try (Stream<Path> s = Files.list(dir.resolve("data"))) {
      cached = s.filter(f -> f.getFileName().toString().contains("-filter")).count();
    }
    assertThat(cached).isEqualTo(3);
    assertThat(run("--synthetic", "100", "--filters", "0.2,2")).isNotZero();
    assertThat(err.toString()).contains("--filters takes selectivities in (0, 1]");
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
