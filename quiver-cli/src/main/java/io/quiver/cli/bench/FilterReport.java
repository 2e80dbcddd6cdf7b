package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.SearchStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The filtered-search benchmark's output: a markdown table per case and one JSON line per (case, method). */
final class FilterReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LabelledData d;
  private final int k;
  private final String quantization;

  /** {@code quantization} null for float32 vectors. */
  FilterReport(LabelledData d, int k, String quantization) {
    this.d = d;
    this.k = k;
    this.quantization = quantization;
  }

  static String mixString(Map<SearchStrategy, Long> mix, int nq) {
    List<String> parts = new ArrayList<>();
    for (var e : mix.entrySet()) {
      parts.add(String.format(Locale.ROOT, "%s %s%%", e.getKey(), trim(100.0 * e.getValue() / nq)));
    }
    return String.join(", ", parts);
  }

  String table(FilterCase cs, List<FilterRow> rows) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "### %s: %s, %s%% of points match%n%n", cs.name(), cs.description(),
        trim(100 * cs.selectivity())));
    b.append("| method | ef | recall@").append(k).append(" | QPS | distances/query | note |\n");
    b.append("|---|---:|---:|---:|---:|---|\n");
    for (FilterRow r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %,.0f | %,.0f | %s |%n", r.method(),
          r.ef() == 0 ? "-" : Integer.toString(r.ef()), r.recall(), r.qps(), r.distances(), r.note()));
    }
    return b.toString();
  }

  String jsonLine(FilterCase cs, FilterRow r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "filter");
    o.put("dataset", d.name());
    o.put("points", d.base().length);
    o.put("queries", d.queries().length);
    o.put("quantization", quantization == null ? "none" : quantization);
    o.put("case", cs.name());
    o.put("selectivity", cs.selectivity());
    o.put("method", r.method());
    o.put("k", k);
    o.put("ef", r.ef());
    o.put("recall", r.recall());
    o.put("qps", r.qps());
    o.put("distances_per_query", r.distances());
    o.put("fallback_rate", r.fallbackRate());
    ObjectNode mix = o.putObject("segment_strategies"); // as searched (EXACT includes fallbacks)
    r.mix().forEach((s, n) -> mix.put(s.name(), n));
    ObjectNode planned = o.putObject("planned_strategies");
    r.planned().forEach((s, n) -> planned.put(s.name(), n));
    o.put("note", r.note());
    return o.toString();
  }

  /** {@code x} with two decimals at most, trailing zeros dropped. */
  static String trim(double x) {
    String s = String.format(Locale.ROOT, "%.2f", x);
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return s;
  }
}