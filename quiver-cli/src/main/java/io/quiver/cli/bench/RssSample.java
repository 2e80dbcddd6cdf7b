package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's memory at one moment of bench-rss: the process's own figures from {@code /proc/PID/status}, the JVM's
 * heap from {@code /metrics}, and the collection's {@code storage} object from {@code GET /collections/NAME}.
 *
 * @param phase "load" (the last upsert answered), "green" or "idle" (green, then the idle time)
 * @param seconds since the server listened
 * @param proc VmRSS, VmHWM, RssAnon and RssFile in bytes
 * @param jvmHeapUsed bytes of heap in use ({@code jvm_memory_used_bytes{area="heap"}}; -1 when not reported)
 * @param jvmHeapCommitted bytes of heap committed ({@code jvm_memory_committed_bytes{area="heap"}})
 * @param jvmNonHeapCommitted bytes of the JVM's non-heap pools committed (metaspace, code cache)
 * @param storage the collection's bytes by part and place, with totals, as the server reports them
 * @param nativeMemory committed bytes per Native Memory Tracking category (empty unless tracked)
 */
record RssSample(String phase, double seconds, Map<String, Long> proc, long jvmHeapUsed, long jvmHeapCommitted,
    long jvmNonHeapCommitted, String status, long points, int segments, JsonNode storage,
    Map<String, Long> nativeMemory) {
  RssSample {
    proc = Map.copyOf(proc);
    nativeMemory = Collections.unmodifiableMap(new LinkedHashMap<>(nativeMemory));
  }

  long rss() {
    return proc.getOrDefault("VmRSS", -1L);
  }

  long hwm() {
    return proc.getOrDefault("VmHWM", -1L);
  }

  long storageTotal(String place) {
    return storage.path("total").path(place + "_bytes").asLong(-1);
  }

  /** One row of --json: the run's settings, then this sample. */
  ObjectNode toJson(ObjectNode settings) {
    ObjectNode o = settings.deepCopy();
    o.put("phase", phase).put("seconds", Math.round(seconds * 10) / 10.0).put("status", status)
        .put("points_count", points).put("segments_count", segments)
        .put("vm_rss_bytes", rss()).put("vm_hwm_bytes", hwm())
        .put("rss_anon_bytes", proc.getOrDefault("RssAnon", -1L))
        .put("rss_file_bytes", proc.getOrDefault("RssFile", -1L))
        .put("jvm_heap_used_bytes", jvmHeapUsed).put("jvm_heap_committed_bytes", jvmHeapCommitted)
        .put("jvm_nonheap_committed_bytes", jvmNonHeapCommitted)
        .put("storage_heap_bytes", storageTotal("heap")).put("storage_mapped_bytes", storageTotal("mapped"))
        .put("storage_disk_bytes", storageTotal("disk"))
        .put("storage_sum_bytes", storageTotal("heap") + storageTotal("mapped"));
    o.set("storage", storage);
    if (!nativeMemory.isEmpty()) {
      ObjectNode nmt = o.putObject("native_memory_committed_bytes");
      nativeMemory.forEach(nmt::put);
    }
    return o;
  }

  /** The sum of a Prometheus gauge's samples whose labels include {@code label} ({@code -1} when none). */
  static long prometheusSum(String metrics, String name, String label) {
    double sum = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? (long) sum : -1;
  }
}
