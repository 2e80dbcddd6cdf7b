package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The readable form of bench-disk's JSON rows: one line per engine, threads, L, filter and pass ("min": the fewest
 * results any query got).
 */
final class ResultTable {
  private final PrintStream out;
  private boolean headerPrinted;

  ResultTable(PrintStream out) {
    this.out = out;
  }

  void print(JsonNode row) {
    if (row.has("error")) {
      out.printf(Locale.ROOT, "%-13s failed: %s%n", row.path("engine").asText(), row.get("error").asText());
      return;
    }
    if (!headerPrinted) {
      out.printf(Locale.ROOT, "%-13s %3s %5s %-5s %7s %8s %5s %9s %8s %8s %9s %9s %9s %9s %9s %9s%n", "engine",
          "thr", "L", "pass", "filter", "recall10", "min", "QPS", "p50 ms", "p99 ms", "reads/q", "KiB/q", "heap B/v",
          "anon MiB", "peak MiB", "cap MiB");
      headerPrinted = true;
    }
    String filter = row.has("filter") ? row.get("filter").asText() : "-";
    if (row.has("note")) {
      out.printf(Locale.ROOT, "%-13s %3d %5d %-5s %7s %s%n", row.get("engine").asText(), row.get("threads").asInt(),
          row.get("L").asInt(), row.get("pass").asText(), filter, row.get("note").asText());
      out.flush();
      return;
    }
    out.printf(Locale.ROOT, "%-13s %3d %5d %-5s %7s %8.4f %5d %9.0f %8.3f %8.3f %9.1f %9.1f %9.1f %9s %9s %9s%n",
        row.get("engine").asText(), row.get("threads").asInt(), row.get("L").asInt(), row.get("pass").asText(),
        filter, row.get("recall10").asDouble(), row.path("returned_min").asInt(), row.get("qps").asDouble(),
        row.get("p50_ms").asDouble(), row.get("p99_ms").asDouble(), row.get("reads_per_query").asDouble(),
        row.get("read_bytes_per_query").asDouble() / 1024, row.get("heap_bytes_per_vector").asDouble(),
        mib(row.get("peak_anon_bytes")), mib(row.get("peak_bytes")), mib(row.get("cap_bytes")));
    out.flush();
  }

  private static String mib(JsonNode bytes) {
    return bytes == null || bytes.isNull() ? "-" : String.format(Locale.ROOT, "%.1f", bytes.asLong() / 1048576.0);
  }
}
