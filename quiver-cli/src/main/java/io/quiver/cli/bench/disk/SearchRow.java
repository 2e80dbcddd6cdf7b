package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One measured setting of bench-disk: an engine at a thread count, list size and pass, the median of the runs.
 *
 * @param readsPerQuery the engine's own read count per query when it counts them ({@code readsSource} "engine"),
 *     else storage bytes read / 4096 ({@code readsSource} "read_bytes")
 * @param residentBytes for cold passes, what fincore found of the index still cached after eviction (-1 unknown)
 * @param filter the selectivity level of the keyword filter the queries ran with, null when unfiltered
 * @param returnedMin the fewest results any query got (k when no query came back short)
 */
record SearchRow(String engine, int threads, int listSize, String pass, double recall10, double qps, double p50Ms,
    double p99Ms, double readsPerQuery, String readsSource, double readBytesPerQuery, double heapBytesPerVector,
    Double buildSeconds, int n, int dim, int k, int queries, int runs, String metric, long residentBytes,
    Double filter, int returnedMin) {

  /** The JSON object of the field list; cap and peak are null until the parent fills them for a capped run. */
  ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode o = head(mapper, engine, threads, listSize, pass, filter);
    o.put("recall10", recall10);
    o.put("qps", qps);
    o.put("p50_ms", p50Ms);
    o.put("p99_ms", p99Ms);
    o.put("reads_per_query", readsPerQuery);
    o.put("read_bytes_per_query", readBytesPerQuery);
    o.put("heap_bytes_per_vector", heapBytesPerVector);
    o.putNull("cap_bytes");
    o.putNull("peak_bytes");
    if (buildSeconds == null) {
      o.putNull("build_s");
    } else {
      o.put("build_s", buildSeconds);
    }
    o.put("n", n);
    o.put("dim", dim);
    o.put("reads_source", readsSource);
    o.put("k", k);
    o.put("queries", queries);
    o.put("runs", runs);
    o.put("metric", metric);
    o.put("returned_min", returnedMin);
    if ("cold".equals(pass)) {
      o.put("resident_after_evict_bytes", residentBytes);
    }
    return o;
  }

  /** The row of a setting the engine cannot run (a filtered search of an engine without one): no figures. */
  static ObjectNode unsupported(ObjectMapper mapper, String engine, int threads, int listSize, String pass,
      Double filter, int n, int dim) {
    ObjectNode o = head(mapper, engine, threads, listSize, pass, filter);
    o.put("n", n);
    o.put("dim", dim);
    o.put("supported", false);
    o.put("note", "not supported");
    return o;
  }

  private static ObjectNode head(ObjectMapper mapper, String engine, int threads, int listSize, String pass,
      Double filter) {
    ObjectNode o = mapper.createObjectNode();
    o.put("engine", engine);
    o.put("threads", threads);
    o.put("L", listSize);
    o.put("pass", pass);
    if (filter != null) {
      o.put("filter", filter);
    }
    return o;
  }
}
