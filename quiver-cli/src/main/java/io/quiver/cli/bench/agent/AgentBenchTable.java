package io.quiver.cli.bench.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;

/** The readable form of bench-agent's JSON rows: one line per engine and tool. */
final class AgentBenchTable {
  private final PrintStream out;
  private boolean headerPrinted;

  AgentBenchTable(PrintStream out) {
    this.out = out;
  }

  void print(JsonNode row) {
    if (!headerPrinted) {
      out.printf(Locale.ROOT, "%-8s %8s %-24s %6s %4s %9s %9s %9s %9s  %s%n", "engine", "episodes", "tool", "calls",
          "err", "p50 ms", "p99 ms", "max ms", "per s", "checks");
      headerPrinted = true;
    }
    String engine = row.path("engine").asText();
    String tool = row.path("tool").asText();
    if (row.has("unavailable")) {
      out.printf(Locale.ROOT, "%-8s %8d %-24s unavailable: %s%n", engine, row.path("episodes").asInt(), tool,
          row.get("unavailable").asText().replace('\n', ' '));
      out.flush();
      return;
    }
    String rate = row.has("episodes_per_s") ? String.format(Locale.ROOT, "%9.0f", row.get("episodes_per_s").asDouble())
        : row.has("texts_per_s") ? String.format(Locale.ROOT, "%9.0f", row.get("texts_per_s").asDouble()) : "        -";
    out.printf(Locale.ROOT, "%-8s %8d %-24s %6d %4d %9s %9s %9s %s  %s%n", engine, row.path("episodes").asInt(),
        tool, row.path("calls").asInt(), row.path("errors").asInt(), ms(row, "p50_ms"), ms(row, "p99_ms"),
        ms(row, "max_ms"), rate, checks(row));
    out.flush();
  }

  private static String ms(JsonNode row, String field) {
    return row.has(field) ? String.format(Locale.ROOT, "%.3f", row.get(field).asDouble()) : "-";
  }

  private static String checks(JsonNode row) {
    StringBuilder s = new StringBuilder();
    if (row.has("filters_obeyed")) {
      s.append(String.format(Locale.ROOT, "filters obeyed %.3f, mean hits %.2f", row.get("filters_obeyed").asDouble(),
          row.path("mean_hits").asDouble()));
      if (row.has("exact_topk")) {
        s.append(String.format(Locale.ROOT, ", exact top-%d %.3f", row.path("k").asInt(),
            row.get("exact_topk").asDouble()));
      }
      if (row.has("first_is_nearest")) {
        s.append(String.format(Locale.ROOT, ", first = nearest %.3f", row.get("first_is_nearest").asDouble()));
      }
      if (row.has("similarity_agrees")) {
        s.append(String.format(Locale.ROOT, ", printed similarity = reference %.3f",
            row.get("similarity_agrees").asDouble()));
      }
      s.append(" (").append(row.path("reference").asText()).append(')');
    }
    if (row.has("episodes_reported")) {
      s.append("episodes reported ").append(row.get("episodes_reported").asLong());
    }
    if (row.has("note")) {
      s.append(row.has("mean_ms") && !row.has("p50_ms")
          ? String.format(Locale.ROOT, "mean %.4f ms a text; ", row.get("mean_ms").asDouble()) : "");
      s.append(row.get("note").asText());
    }
    return s.toString();
  }
}
