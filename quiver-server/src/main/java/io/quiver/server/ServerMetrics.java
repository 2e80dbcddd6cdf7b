package io.quiver.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.OptimizerStats;
import io.quiver.collection.SearchStrategy;
import io.quiver.collection.StorageUsage;
import io.quiver.util.ProcessMemory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Prometheus metrics of a {@link QuiverServer}: a Helidon filter timing every request by route template, method and
 * status; search latency by endpoint kind; per-collection gauges read at scrape time (so they follow collections
 * being created and deleted); and Micrometer's JVM and process binders. {@link #scrape} renders them in the
 * Prometheus text format, as served at {@code GET /metrics}. Metric names are listed in {@code docs/server.md}.
 */
public final class ServerMetrics implements Filter, AutoCloseable {
  /** The {@code endpoint} label of requests that matched no route. */
  public static final String UNMATCHED = "unmatched";
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  /** Latency buckets (SLO boundaries) of the request and search timers: 1 ms .. 10 s. */
  private static final Duration[] BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
      2500, 5000, 10000).map(Duration::ofMillis).toArray(Duration[]::new);
  /** Endpoints whose latency is also recorded as {@code quiver_search_seconds}, by kind. */
  private static final Map<String, String> SEARCH_KINDS = Map.of(
      "/collections/{name}/points/search", "search",
      "/collections/{name}/points/query", "query",
      "/collections/{name}/points/search/batch", "search_batch",
      "/collections/{name}/points/query/batch", "query_batch",
      "/collections/{name}/points/search/groups", "search_groups",
      "/collections/{name}/points/query/groups", "query_groups",
      "/collections/{name}/points/scroll", "scroll",
      "/collections/{name}/points/count", "count");

  private final Quiver db;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<AutoCloseable> binders = new ArrayList<>();
  /** Per-collection meters, registered at scrape time; guarded by this. */
  private final Map<String, CollectionMeters> collections = new HashMap<>();

  public ServerMetrics(Quiver db) {
    this.db = db;
    JvmGcMetrics gc = new JvmGcMetrics();
    binders.add(gc);
    for (MeterBinder b : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
        new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
      b.bindTo(registry);
    }
    Gauge.builder("quiver.memory.budget.bytes", db, d -> d.memoryBudget().limitBytes())
        .description("The memory budget of the collections' heap (storage.memory_budget); 0: none").register(registry);
    Gauge.builder("quiver.memory.used.bytes", db, d -> d.memoryBudget().usedBytes())
        .description("Heap the collections hold together, as the memory budget counts it").register(registry);
    Gauge.builder("quiver.process.resident.bytes", ProcessMemory::residentBytes)
        .description("Resident memory of the process (VmRSS; -1 where unknown)").register(registry);
    Gauge.builder("quiver.process.resident.peak.bytes", ProcessMemory::peakResidentBytes)
        .description("Highest resident memory of the process so far (VmHWM; -1 where unknown)").register(registry);
  }

  /** The registry {@link #scrape} renders; the gRPC server records its calls here too. */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  // ------------------------------------------------------------------ requests

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      chain.proceed();
      failed = false;
    } finally {
      long nanos = System.nanoTime() - start;
      try {
        record(req, failed && !res.isSent() ? 500 : res.status().code(), nanos);
      } catch (RuntimeException e) {
        System.getLogger(ServerMetrics.class.getName()).log(System.Logger.Level.WARNING, "recording metrics", e);
      }
    }
  }

  private void record(ServerRequest req, int status, long nanos) {
    String endpoint = endpoint(req);
    String method = req.prologue().method().text();
    Timer.builder("http.server.requests")
        .description("HTTP requests by route template, method and status")
        .tags("endpoint", endpoint, "method", METHODS.contains(method) ? method : "other",
            "status", String.valueOf(status))
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    String kind = SEARCH_KINDS.get(endpoint);
    if (kind != null && status >= 200 && status < 300) {
      Timer.builder("quiver.search")
          .description("Latency of successful search, query, scroll and count requests, by kind")
          .tag("kind", kind)
          .serviceLevelObjectives(BUCKETS)
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The route template the request matched (never the raw path: bounded cardinality), or {@link #UNMATCHED}. */
  static String endpoint(ServerRequest req) {
    String pattern = req.matchingPattern().orElse(null);
    // the catch-all 404 route (HttpRouting.Builder.any without a path) has no template of its own
    if (pattern == null || pattern.isEmpty() || !pattern.startsWith("/") || pattern.equals("/*")) {
      return UNMATCHED;
    }
    return pattern;
  }

  // ------------------------------------------------------------------ scrape

  /** {@code GET /metrics}. */
  public void handle(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
    res.send(scrape().getBytes(StandardCharsets.UTF_8));
  }

  /** Refreshes the per-collection gauges and renders every metric in the Prometheus text format. */
  public synchronized String scrape() {
    refreshCollections();
    return registry.scrape();
  }

  private void refreshCollections() {
    Set<String> seen = new HashSet<>();
    for (String name : db.collectionNames()) {
      Collection c;
      try {
        c = db.collection(name);
      } catch (QuiverException.NotFound e) {
        continue; // deleted meanwhile
      }
      CollectionMeters m = collections.get(name);
      if (m != null && m.collection != c) { // deleted and created again, or restored: counters start over
        m.remove();
        m = null;
      }
      if (m == null) {
        m = new CollectionMeters(c);
        collections.put(name, m);
      }
      try {
        m.info = c.info();
        m.stats = c.optimizerStats();
        seen.add(name);
      } catch (RuntimeException e) { // closed by a concurrent delete
        m.remove();
        collections.remove(name);
      }
    }
    collections.entrySet().removeIf(e -> {
      if (seen.contains(e.getKey())) {
        return false;
      }
      e.getValue().remove();
      return true;
    });
  }

  /** One collection's meters; they read the info and optimizer stats taken at the current scrape. */
  private final class CollectionMeters {
    final Collection collection;
    volatile CollectionInfo info;
    volatile OptimizerStats stats;
    final List<Meter> meters = new ArrayList<>();

    CollectionMeters(Collection c) {
      this.collection = c;
      Tags tags = Tags.of("collection", c.name());
      gauge("quiver.collection.points", "Live points", tags, m -> m.info.points());
      gauge("quiver.collection.indexed.points", "Points reachable through a graph index", tags,
          m -> m.info.indexedPoints());
      gauge("quiver.collection.segments", "Sealed segments plus the mutable one", tags, m -> m.info.segments());
      gauge("quiver.collection.heap.bytes", "Estimated JVM heap held by vectors, graphs, codes, payloads and caches",
          tags, m -> m.info.heapBytes());
      gauge("quiver.collection.mapped.bytes", "Bytes of memory-mapped segment files (vectors and graphs)", tags,
          m -> m.info.mappedBytes());
      gauge("quiver.collection.wal.bytes", "Size of the write-ahead log on disk", tags, m -> m.info.walBytes());
      gauge("quiver.collection.quantized.bytes", "Quantized codes held in RAM (part of heap bytes)", tags,
          m -> m.info.quantizedBytes());
      // bytes by part and place, the breakdown of the totals above (divide by points for bytes per vector)
      for (String part : List.of("vectors", "graph", "codes", "payloads", "caches")) {
        for (String place : List.of("heap", "mapped", "disk")) {
          gauge("quiver.collection.storage.bytes", "Bytes by part (vectors, graph, codes, payloads, caches) and place"
              + " (heap, mapped, disk)", tags.and("part", part).and("place", place), m -> storageBytes(m.info, part, place));
        }
      }
      gauge("quiver.collection.optimizations.running", "Optimizations (seal, merge, vacuum) in progress", tags,
          m -> m.stats.running());
      counter("quiver.collection.seals", "Segments sealed to disk since the collection was opened", tags,
          m -> m.stats.seals());
      counter("quiver.collection.merges", "Merges of small sealed segments since the collection was opened", tags,
          m -> m.stats.merges());
      counter("quiver.collection.vacuums", "Sealed segments rewritten without deleted points since opened", tags,
          m -> m.stats.vacuums());
      counter("quiver.collection.disk.graph.merges", "Disk-index fields rewritten by merging into an existing graph"
          + " (no rebuild) since the collection was opened", tags, m -> m.stats.graphMerges());
      // the filtered-search planner: how segments were searched, how often a graph walk gave up, and the cost
      for (SearchStrategy strategy : List.of(SearchStrategy.EXACT, SearchStrategy.ACORN, SearchStrategy.ROUTE_THROUGH)) {
        counter("quiver.search.segments", "Segment searches by strategy (exact includes fallbacks)",
            tags.and("strategy", strategy.name().toLowerCase(Locale.ROOT)),
            m -> m.collection.searchStats().segmentSearches(strategy));
      }
      counter("quiver.search.fallbacks", "Graph walks abandoned for an exact scan (visit budget or too few found)",
          tags, m -> m.collection.searchStats().fallbacks());
      counter("quiver.search.distance.computations", "Vector distances computed by searches", tags,
          m -> m.collection.searchStats().distanceComputations());
      counter("quiver.search.payload.link.walks", "Segment searches whose walk followed payload-aware links", tags,
          m -> m.collection.searchStats().payloadLinkWalks());
    }

    private static double storageBytes(CollectionInfo info, String part, String place) {
      StorageUsage st = info.storage();
      StorageUsage.Part p = switch (part) {
        case "vectors" -> st.vectors();
        case "graph" -> st.graph();
        case "codes" -> st.codes();
        case "caches" -> st.caches();
        default -> st.payloads();
      };
      return switch (place) {
        case "heap" -> p.heap();
        case "mapped" -> p.mapped();
        default -> p.disk();
      };
    }

    private void gauge(String name, String help, Tags tags, ToDoubleFunction<CollectionMeters> f) {
      meters.add(Gauge.builder(name, this, f).description(help).tags(tags).strongReference(true).register(registry));
    }

    private void counter(String name, String help, Tags tags, ToDoubleFunction<CollectionMeters> f) {
      meters.add(FunctionCounter.builder(name, this, f).description(help).tags(tags).register(registry));
    }

    void remove() {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  @Override
  public void close() {
    for (AutoCloseable b : binders) {
      try {
        b.close();
      } catch (Exception e) {
        // nothing to do: the registry goes away with the server
      }
    }
    registry.close();
  }
}
