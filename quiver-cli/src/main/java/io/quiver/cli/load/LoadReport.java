package io.quiver.cli.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The load test's output: a table of the scenarios and one JSON line per scenario with the run's parameters. */
final class LoadReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String target;
  private final LoadSettings settings;
  private final double loadSeconds;
  private final double indexSeconds;

  /** {@code loadSeconds} and {@code indexSeconds} NaN when nothing was loaded. */
  LoadReport(String target, LoadSettings settings, double loadSeconds, double indexSeconds) {
    this.settings = settings;
    this.target = target;
    this.loadSeconds = loadSeconds;
    this.indexSeconds = indexSeconds;
  }

  /** Prints the table and the JSON lines to {@code out}; returns the JSON lines. */
  List<String> print(List<ScenarioResult> results, PrintStream out) throws IOException {
    out.println();
    out.println(tableHeader());
    for (ScenarioResult r : results) {
      out.println(tableRow(r));
    }
    out.printf(Locale.ROOT, "(%s server, %s REST client / grpc-java, %d connections, %.0f s measured after %.0f s"
            + " warm-up; upsert: every batch once; CPU/req: client threads and whole process; figures on a busy machine"
            + " are noise)%n", target, settings.client(), settings.concurrency(), settings.duration(),
        settings.warmup());
    List<String> lines = new ArrayList<>();
    for (ScenarioResult r : results) {
      String line = JSON.writeValueAsString(jsonLine(r));
      lines.add(line);
      out.println(line);
    }
    return lines;
  }

  static String summaryLine(ScenarioResult r) {
    return String.format(Locale.ROOT, "loadtest: %s: %,d requests, %d errors, %,.0f req/s, p50 %.2f ms, p99 %.2f ms%s%s",
        r.label(), r.requests(), r.errors(), r.rps(), r.p50Ms(), r.p99Ms(),
        Double.isNaN(r.recall()) ? "" : String.format(Locale.ROOT, ", recall@k %.4f", r.recall()),
        Double.isNaN(r.pointsPerSecond()) ? "" : String.format(Locale.ROOT, ", %,.0f points/s", r.pointsPerSecond()));
  }

  private static String tableHeader() {
    return String.format(Locale.ROOT, "%-16s %4s %9s %6s %9s %7s %7s %7s %7s %7s %8s %7s %13s %13s %9s", "scenario",
        "conn", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9", "max ms", "recall", "mean",
        "client us/req", "process us/r", "points/s");
  }

  private String tableRow(ScenarioResult r) {
    return String.format(Locale.ROOT,
        "%-16s %4d %9d %6d %9.0f %7.2f %7.2f %7.2f %7.2f %7.2f %8s %7.2f %13.0f %13.0f %9s",
        r.label(), r.concurrency(), r.requests(), r.errors(), r.rps(), r.p50Ms(), r.p90Ms(), r.p99Ms(),
        r.p999Ms(), r.maxMs(), Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.4f", r.recall()),
        r.meanMs(), r.clientCpuUsPerReq(), r.processCpuUsPerReq(),
        Double.isNaN(r.pointsPerSecond()) ? "-" : String.format(Locale.ROOT, "%.0f", r.pointsPerSecond()));
  }

  private ObjectNode jsonLine(ScenarioResult r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "loadtest");
    o.put("scenario", r.scenario().label());
    o.put("target", target);
    o.put("transport", r.transport().label());
    o.put("client", r.transport() == Transport.REST ? settings.client() : "grpc-java");
    o.put("concurrency", r.concurrency());
    o.put("duration_s", settings.duration());
    o.put("warmup_s", settings.warmup());
    o.put("requests", r.requests());
    o.put("errors", r.errors());
    num(o, "rps", r.rps(), 1);
    num(o, "mean_ms", r.meanMs(), 3);
    num(o, "p50_ms", r.p50Ms(), 3);
    num(o, "p90_ms", r.p90Ms(), 3);
    num(o, "p99_ms", r.p99Ms(), 3);
    num(o, "p999_ms", r.p999Ms(), 3);
    num(o, "max_ms", r.maxMs(), 3);
    num(o, "client_cpu_us_per_req", r.clientCpuUsPerReq(), 1);
    num(o, "process_cpu_us_per_req", r.processCpuUsPerReq(), 1);
    num(o, "client_cores", r.clientCores(), 3);
    num(o, "process_cores", r.processCores(), 3);
    o.put("available_processors", Runtime.getRuntime().availableProcessors());
    if (r.scenario() == Scenario.UPSERT) {
      o.put("points", settings.upsertPoints());
      o.put("batch", settings.upsertBatch());
      o.put("dim", settings.dim());
      o.put("wait", true);
      o.put("seed", settings.seed());
      num(o, "seconds", r.seconds(), 3);
      num(o, "points_per_s", r.pointsPerSecond(), 0);
    }
    if (r.scenario().search()) {
      o.put("filter", r.scenario() == Scenario.FILTERED ? "group=g3" : null);
      num(o, "recall", r.recall(), 4);
      o.put("recall_queries", r.recallQueries());
      o.put("k", settings.limit());
      o.put("ef", settings.ef());
      o.put("points", settings.points());
      o.put("dim", settings.dim());
      o.put("metric", "cosine");
      o.put("seed", settings.seed());
      o.put("query_pool", settings.queryPool());
      num(o, "load_s", loadSeconds, 3);
      num(o, "load_points_per_s", settings.points() / loadSeconds, 0);
      num(o, "index_wait_s", indexSeconds, 3);
    }
    return o;
  }

  /** Puts {@code v} rounded to {@code digits} decimals, or null when it is not a number. */
  private static void num(ObjectNode o, String key, double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(key);
    } else {
      double f = Math.pow(10, digits);
      o.put(key, Math.round(v * f) / f);
    }
  }
}
