package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The shared bench options: one name and meaning, each command's own defaults, JSON lines appended. */
class RunOptionsTest {
  @TempDir
  Path dir;

  @Test
  void eachCommandKeepsItsOwnDefaults() {
    BenchCommand bench = new BenchCommand();
    new CommandLine(bench).parseArgs();
    QuantBenchCommand quant = new QuantBenchCommand();
    new CommandLine(quant).parseArgs();
    FilterBenchCommand filter = new FilterBenchCommand();
    new CommandLine(filter).parseArgs();
    assertThat(bench.runOptions.warmupSeconds()).isEqualTo(2.0);
    assertThat(quant.runOptions.warmupSeconds()).isEqualTo(5.0);
    assertThat(filter.runOptions.warmupSeconds()).isZero();
    assertThat(bench.queryOptions.fromFile()).isEqualTo(-1); // the whole query file
    assertThat(bench.queryOptions.generated()).isEqualTo(QueryOptions.GENERATED_QUERIES);
    assertThat(quant.queryOptions.fromFile()).isEqualTo(1000);
    assertThat(filter.queryOptions.generated()).isEqualTo(1000);
  }

  @Test
  void warmupIsSecondsEverywhereAndTheOldNameIsGone() {
    BenchCommand bench = new BenchCommand();
    new CommandLine(bench).parseArgs("--warmup", "0.5", "--queries", "7", "--k", "3", "--runs", "2", "--seed", "9");
    assertThat(bench.runOptions.warmupNanos()).isEqualTo(500_000_000L);
    assertThat(bench.queryOptions.generated()).isEqualTo(7);
    assertThat(bench.queryOptions.fromFile()).isEqualTo(7);
    assertThat(bench.queryOptions.k()).isEqualTo(3);
    assertThat(bench.queryOptions.runs()).isEqualTo(2);
    assertThat(bench.runOptions.seed()).isEqualTo(9);
    assertThatThrownBy(() -> new CommandLine(new BenchCommand()).parseArgs("--warmup-seconds", "1"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> new CommandLine(new QuantBenchCommand()).parseArgs("--warmup-seconds", "1"))
        .isInstanceOf(ParameterException.class);
  }

  @Test
  void jsonLinesAreAppended() throws Exception {
    Path json = dir.resolve("out.jsonl");
    RunOptions options = new RunOptions(0);
    new CommandLine(options).parseArgs("--json", json.toString());
    options.appendJson(List.of("{\"a\":1}"));
    options.appendJson(List.of("{\"b\":2}", "{\"c\":3}"));
    assertThat(Files.readAllLines(json)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
  }
}
