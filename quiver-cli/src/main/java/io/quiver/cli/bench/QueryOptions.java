package io.quiver.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The query options of the in-process search benchmarks (bench, bench-filter, bench-quant): how many queries, the k
 * of recall@k and how many timed passes. A command sets its own default query count by constructing the instance.
 */
final class QueryOptions {
  /** Queries generated when {@code --queries} is 0. */
  static final int GENERATED_QUERIES = 1000;

  @Option(names = "--queries", paramLabel = "N", description = "Queries: the first N of the query file, or N"
      + " generated ones; 0 takes the whole query file, or generates " + GENERATED_QUERIES + ". Default:"
      + " ${DEFAULT-VALUE}.")
  int queries;

  @Option(names = "--k", description = "Neighbours per query, the k of recall@k. Default: ${DEFAULT-VALUE}.")
  int k = 10;

  @Option(names = "--runs", description = "Timed passes per measured setting; QPS (and latencies) are the median"
      + " pass's. Default: ${DEFAULT-VALUE}.")
  int runs = 3;

  /** {@code defaultQueries}: the command's default for {@code --queries} (0: the whole query file). */
  QueryOptions(int defaultQueries) {
    this.queries = defaultQueries;
  }

  int k() {
    return k;
  }

  int runs() {
    return runs;
  }

  /** How many queries to read from a query file: -1 for all of them. */
  int fromFile() {
    return queries > 0 ? queries : -1;
  }

  /** How many queries to generate. */
  int generated() {
    return queries > 0 ? queries : GENERATED_QUERIES;
  }

  /** Throws a usage error for a negative query count, or k or runs below 1. */
  void validate(CommandLine cmd) {
    if (queries < 0 || k < 1 || runs < 1) {
      throw new ParameterException(cmd, "--queries must be >= 0, --k and --runs >= 1");
    }
  }
}
