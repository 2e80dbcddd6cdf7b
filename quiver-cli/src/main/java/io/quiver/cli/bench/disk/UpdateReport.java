package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * bench-disk-updates' output: one JSON object per phase appended to the JSON file, each with the run's shape and the
 * machine's load average, and one readable line per phase on standard output.
 */
final class UpdateReport {
  private final ObjectMapper mapper;
  private final PrintStream out;
  private final Path json;
  private final int n;
  private final int dim;
  private final int updates;
  private final int deletes;
  private final int writers;

  UpdateReport(ObjectMapper mapper, PrintStream out, Path json, int n, int dim, int updates, int deletes,
      int writers) {
    this.mapper = mapper;
    this.out = out;
    this.json = json;
    this.n = n;
    this.dim = dim;
    this.updates = updates;
    this.deletes = deletes;
    this.writers = writers;
  }

  /** A new row of {@code phase} with the fields every row has. */
  ObjectNode row(String phase) {
    ObjectNode o = mapper.createObjectNode();
    o.put("phase", phase);
    o.put("n", n);
    o.put("dim", dim);
    o.put("updates", updates);
    o.put("deletes", deletes);
    o.put("writers", writers);
    o.put("load_avg_1m", loadAverage());
    return o;
  }

  /** The update phase's row: rates over the phase, latencies, the sampled recall and the delete checks. */
  ObjectNode updateRow(UpdatePhase.Result r, double recall, int samples, int ef, int batch, int searchThreads,
      Collection c, BiConsumer<ObjectNode, Collection> info) {
    ObjectNode o = row("update");
    o.put("batch", batch);
    o.put("search_threads", searchThreads);
    o.put("ef", ef);
    o.put("durability", "fsync");
    number(o, "upserts_per_s", r.upserted() / r.upsertSeconds());
    number(o, "upsert_p50_ms", percentile(r.upsertMs(), 0.5));
    number(o, "upsert_p99_ms", percentile(r.upsertMs(), 0.99));
    number(o, "deletes_per_s", r.deleted() / r.deleteSeconds());
    number(o, "delete_p50_ms", percentile(r.deleteMs(), 0.5));
    number(o, "delete_p99_ms", percentile(r.deleteMs(), 0.99));
    o.put("upsert_s", r.upsertSeconds());
    o.put("delete_s", r.deleteSeconds());
    o.put("phase_s", r.seconds());
    o.put("searches", r.searches().size());
    number(o, "search_qps", r.searches().size() / r.seconds());
    number(o, "search_p50_ms", percentile(r.searchMs(), 0.5));
    number(o, "search_p99_ms", percentile(r.searchMs(), 0.99));
    number(o, "recall10", recall);
    o.put("recall_samples", samples);
    o.put("recall_method", "mean over searches sampled evenly through the phase of the share of the exact top-k"
        + " (brute force over the points acknowledged before the search started, acknowledged deletes excluded)"
        + " that the search returned");
    o.put("unindexed_at_upsert_end", r.unindexedAtUpsertEnd());
    o.put("delete_checks", r.deleteChecks());
    o.put("deleted_returned", r.deletedReturned());
    info.accept(o, c);
    out.printf(Locale.ROOT, "update: %,.0f upserts/s durable (%,d in %.1f s, batch p50 %.1f ms, p99 %.1f ms);"
        + " %,.0f deletes/s paced over the phase (%,d, call p50 %.1f ms)%n", r.upserted() / r.upsertSeconds(),
        r.upserted(), r.upsertSeconds(), percentile(r.upsertMs(), 0.5), percentile(r.upsertMs(), 0.99),
        r.deleted() / r.deleteSeconds(), r.deleted(), percentile(r.deleteMs(), 0.5));
    out.printf(Locale.ROOT, "update: %,d points not yet in a graph when the last upsert was acknowledged (searches"
        + " scan them exactly until indexed)%n", r.unindexedAtUpsertEnd());
    out.printf(Locale.ROOT, "update: searches %,.0f QPS on %d threads (p50 %.2f ms, p99 %.2f ms) at ef %d, recall@10"
        + " %.4f over %d sampled searches vs exact top-10 of the points acknowledged before each;"
        + " deleted ids returned by %,d searches with deleted vectors: %d (load %.2f)%n",
        r.searches().size() / r.seconds(), searchThreads, percentile(r.searchMs(), 0.5),
        percentile(r.searchMs(), 0.99), ef, recall, samples, r.deleteChecks(), r.deletedReturned(),
        o.get("load_avg_1m").asDouble());
    return o;
  }

  /** Appends {@code row} to the JSON file and prints {@code line} (unless null) with the load average. */
  void emit(ObjectNode row, String line) throws IOException {
    if (line != null) {
      out.printf(Locale.ROOT, "%s: %s (load %.2f)%n", row.get("phase").asText(), line,
          row.get("load_avg_1m").asDouble());
    }
    out.flush();
    if (json != null) {
      Files.write(json, List.of(mapper.writeValueAsString(row)), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  /** Puts {@code value}, or null when it is undefined (a rate over no time, a percentile of nothing). */
  static void number(ObjectNode o, String field, double value) {
    if (Double.isFinite(value)) {
      o.put(field, value);
    } else {
      o.putNull(field);
    }
  }

  static double percentile(double[] sorted, double p) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
  }

  /** The 1-minute load average of /proc/loadavg, or -1 where there is none. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
