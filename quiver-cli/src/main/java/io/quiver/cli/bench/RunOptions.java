package io.quiver.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every benchmark command that measures shares (bench, bench-filter, bench-quant, loadtest): the warm-up
 * time, the seed of generated data and the JSON output. A command sets its own default warm-up by constructing the
 * instance.
 */
public final class RunOptions {
  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Untimed warm-up before each setting's timed"
      + " measurement, at least this many seconds (the Vector API kernels reach C2 only after seconds), and at least"
      + " one pass over the queries where the command times passes. Default: ${DEFAULT-VALUE}.")
  double warmup;

  @Option(names = "--seed", description = "Seed of the generated data, queries and payloads. Default: ${DEFAULT-VALUE}.")
  long seed = 42;

  @Option(names = "--json", paramLabel = "FILE", description = "Append one JSON line per measured result to FILE.")
  Path json;

  /** {@code defaultWarmupSeconds}: the command's default for {@code --warmup}. */
  public RunOptions(double defaultWarmupSeconds) {
    this.warmup = defaultWarmupSeconds;
  }

  /** The minimum warm-up time, in seconds. */
  public double warmupSeconds() {
    return warmup;
  }

  /** The minimum warm-up time, in nanoseconds. */
  public long warmupNanos() {
    return (long) (warmup * 1e9);
  }

  public long seed() {
    return seed;
  }

  /** The JSON output file, or null. */
  public Path json() {
    return json;
  }

  /** Throws a usage error for a negative or non-finite warm-up. */
  public void validate(CommandLine cmd) {
    if (!(warmup >= 0) || Double.isInfinite(warmup)) {
      throw new ParameterException(cmd, "--warmup must be a number of seconds >= 0");
    }
  }

  /** Appends {@code lines} to the {@code --json} file, creating it; does nothing without {@code --json}. */
  public void appendJson(List<String> lines) throws IOException {
    if (json != null) {
      Files.write(json, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }
}
