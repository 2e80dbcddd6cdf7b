package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens one engine's index and measures it at every thread count, list size, filter and pass. A cold run closes the
 * engine (unmapping its files, whose touched pages the kernel would otherwise keep), evicts the files from the page
 * cache, reopens and evicts again; a warm pass first runs the queries once unmeasured. Before any of it, unmeasured
 * passes (at least one, for at least the warm-up time) compile the search code, so no pass measures the JIT. A filter
 * the engine cannot apply gets "not supported" rows instead of figures.
 */
final class SearchSession {
  /** What to measure. */
  record Settings(int[] threads, int[] listSizes, List<String> passes, int runs, int k, DiskSearchOptions options,
      long warmupNanos, List<Case> cases) {}

  /**
   * The queries run with one filter, or none.
   *
   * @param filter the filter, null for unfiltered searches
   * @param truth the exact neighbours under that filter (rows padded with -1 where fewer match)
   */
  record Case(RowFilter filter, int[][] truth) {
    Double selectivity() {
      return filter == null ? null : filter.selectivity();
    }
  }

  /** Build facts of the index, when known. */
  record BuildInfo(Double buildSeconds) {}

  private record Measured(int[][] ids, long[] latencyNanos, long wallNanos, long logicalReads, long readBytes) {
    double qps() {
      return ids.length * 1e9 / wallNanos;
    }
  }

  private final BenchData data;
  private final Settings settings;
  private final PrintStream log;
  private final ObjectMapper mapper;

  SearchSession(BenchData data, Settings settings, PrintStream log, ObjectMapper mapper) {
    this.data = data;
    this.settings = settings;
    this.log = log;
    this.mapper = mapper;
  }

  /** Measures the index in {@code indexDir} with engines made by {@code provider}: one JSON row per setting. */
  List<ObjectNode> run(DiskEngineProvider provider, Path indexDir, BuildInfo build) throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    DiskEngine engine = open(provider, indexDir);
    try {
      double heapPerVector = engine.ramBytes() / (double) data.n();
      List<Case> supported = new ArrayList<>();
      for (Case c : settings.cases()) {
        if (supports(engine, c)) {
          supported.add(c);
        } else {
          log.printf(Locale.ROOT, "%s: filtered search not supported%n", provider.name());
        }
      }
      long t0 = System.nanoTime();
      int warmupPasses = 0;
      int combos = settings.listSizes().length * Math.max(1, supported.size());
      do {
        int at = warmupPasses++ % combos;
        if (!supported.isEmpty()) {
          measure(engine, 1, settings.listSizes()[at % settings.listSizes().length],
              supported.get(at / settings.listSizes().length));
        }
      } while (System.nanoTime() - t0 < settings.warmupNanos() && !supported.isEmpty());
      log.printf(Locale.ROOT, "%s: opened, %.1f heap bytes/vector; warm-up %d passes in %.1f s%n", provider.name(),
          heapPerVector, warmupPasses, (System.nanoTime() - t0) / 1e9);
      for (int threads : settings.threads()) {
        for (int listSize : settings.listSizes()) {
          for (Case c : settings.cases()) {
            for (String pass : settings.passes()) {
              if (!supported.contains(c)) {
                rows.add(SearchRow.unsupported(mapper, provider.name(), threads, listSize, pass, c.selectivity(),
                    data.n(), data.dim()));
                continue;
              }
              boolean cold = pass.equals("cold");
              if (!cold) {
                measure(engine, threads, listSize, c);
              }
              List<Measured> runs = new ArrayList<>();
              long resident = -1;
              for (int r = 0; r < settings.runs(); r++) {
                if (cold) {
                  engine.close();
                  engine = open(provider, indexDir);
                  // the closed index is garbage now: collected here, not inside the pass (a heap engine measured
                  // cold at 3,572 QPS against 8,761 warm with no byte read, its p99 4.2 ms, while both indexes
                  // filled the heap)
                  System.gc();
                  resident = PageCache.residentBytes(indexDir);
                }
                runs.add(measure(engine, threads, listSize, c));
              }
              rows.add(row(provider.name(), threads, listSize, pass, c, runs, heapPerVector, build, resident)
                  .toJson(mapper));
            }
          }
        }
      }
    } finally {
      engine.close();
    }
    return rows;
  }

  private DiskEngine open(DiskEngineProvider provider, Path indexDir) throws Exception {
    DiskEngine engine = provider.create();
    engine.searchOptions(settings.options());
    PageCache.evict(indexDir);
    try {
      engine.open(indexDir, data.metric());
    } catch (Exception | Error e) {
      engine.close();
      throw e;
    }
    PageCache.evict(indexDir); // what open read through read() calls; its mapped parts stay
    return engine;
  }

  /** Whether {@code engine} runs {@code c}'s searches (tried on the first query). */
  private boolean supports(DiskEngine engine, Case c) {
    if (c.filter() == null) {
      return true;
    }
    try {
      engine.search(data.queries()[0], settings.k(), settings.listSizes()[0], c.filter());
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  private SearchRow row(String engine, int threads, int listSize, String pass, Case c, List<Measured> runs,
      double heapPerVector, BuildInfo build, long resident) {
    List<Measured> byQps = new ArrayList<>(runs);
    byQps.sort(Comparator.comparingDouble(Measured::qps));
    Measured m = byQps.get(byQps.size() / 2);
    int q = data.queries().length;
    long[] lat = m.latencyNanos().clone();
    Arrays.sort(lat);
    boolean engineCounts = m.logicalReads() >= 0;
    double reads = engineCounts ? m.logicalReads() / (double) q
        : m.readBytes() < 0 ? -1 : m.readBytes() / (double) DiskProbe.PAGE / q;
    int returnedMin = Arrays.stream(m.ids()).mapToInt(r -> r.length).min().orElse(0);
    return new SearchRow(engine, threads, listSize, pass, recall10(m.ids(), c.truth()), m.qps(),
        percentile(lat, 0.5) / 1e6, percentile(lat, 0.99) / 1e6, reads, engineCounts ? "engine" : "read_bytes",
        m.readBytes() < 0 ? -1 : m.readBytes() / (double) q, heapPerVector, build.buildSeconds(), data.n(),
        data.dim(), settings.k(), q, settings.runs(), data.metric().name().toLowerCase(Locale.ROOT), resident,
        c.selectivity(), returnedMin);
  }

  /**
   * Recall@10 (recall@k when k is below 10) against the ground truth; a query with fewer true neighbours than that
   * (a selective filter's, its row padded with -1) is scored against the ones it has.
   */
  double recall10(int[][] ids, int[][] groundTruth) {
    int depth = Math.min(10, settings.k());
    double sum = 0;
    int scored = 0;
    for (int i = 0; i < ids.length; i++) {
      int[] truth = groundTruth[i];
      int wanted = 0;
      while (wanted < Math.min(depth, truth.length) && truth[wanted] >= 0) {
        wanted++;
      }
      if (wanted == 0) {
        continue;
      }
      int hits = 0;
      for (int r = 0; r < Math.min(depth, ids[i].length); r++) {
        for (int t = 0; t < wanted; t++) {
          if (truth[t] == ids[i][r]) {
            hits++;
            break;
          }
        }
      }
      sum += hits / (double) wanted;
      scored++;
    }
    return scored == 0 ? 1 : sum / scored;
  }

  /**
   * One pass over all queries from {@code threads} threads taking the next query in turn. The wall time runs from the
   * first worker's start to the last one's end, as the workers clock them (not the coordinating thread, which may be
   * descheduled while they run).
   */
  private Measured measure(DiskEngine engine, int threads, int listSize, Case c) throws InterruptedException {
    RowFilter filter = c.filter();
    float[][] queries = data.queries();
    int[][] ids = new int[queries.length][];
    long[] latency = new long[queries.length];
    long[] starts = new long[threads];
    long[] ends = new long[threads];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CyclicBarrier start = new CyclicBarrier(threads);
    Thread[] workers = new Thread[threads];
    long logicalBefore = engine.logicalReads();
    long bytesBefore = ProcIo.readBytes();
    for (int t = 0; t < threads; t++) {
      int worker = t;
      workers[t] = Thread.ofPlatform().name("bench-disk-search-" + t).start(() -> {
        try {
          start.await();
          starts[worker] = System.nanoTime();
          int i;
          while ((i = next.getAndIncrement()) < queries.length) {
            long t0 = System.nanoTime();
            ids[i] = filter == null ? engine.search(queries[i], settings.k(), listSize)
                : engine.search(queries[i], settings.k(), listSize, filter);
            latency[i] = System.nanoTime() - t0;
          }
        } catch (RuntimeException | Error | InterruptedException | BrokenBarrierException e) {
          failure.compareAndSet(null, e);
          next.set(queries.length);
        } finally {
          ends[worker] = System.nanoTime();
        }
      });
    }
    for (Thread w : workers) {
      w.join();
    }
    long bytesAfter = ProcIo.readBytes();
    long logicalAfter = engine.logicalReads();
    if (failure.get() != null) {
      throw new IllegalStateException(engine.name() + " search failed: " + failure.get(), failure.get());
    }
    long wall = Arrays.stream(ends).max().orElseThrow() - Arrays.stream(starts).min().orElseThrow();
    return new Measured(ids, latency, Math.max(1, wall),
        logicalBefore < 0 || logicalAfter < 0 ? -1 : logicalAfter - logicalBefore,
        bytesBefore < 0 || bytesAfter < 0 ? -1 : bytesAfter - bytesBefore);
  }

  private static double percentile(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }
}
