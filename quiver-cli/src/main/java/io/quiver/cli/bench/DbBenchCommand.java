package io.quiver.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * End-to-end database benchmark: durable upserts of points with payloads, background indexing and sealing, search
 * recall and QPS (with and without a payload filter) against exact search, close, and reopen time.
 */
@Command(name = "bench-db", mixinStandardHelpOptions = true,
    description = "Benchmark a durable collection: upsert throughput, indexing, search recall/QPS, reopen time.")
public final class DbBenchCommand implements Callable<Integer> {
  @Option(names = "--points", description = "points to write (default ${DEFAULT-VALUE})")
  int points = 100_000;

  @Option(names = "--dim", description = "vector dimension (default ${DEFAULT-VALUE})")
  int dim = 384;

  @Option(names = "--metric", description = "l2, dot, cosine or l1 (default ${DEFAULT-VALUE})")
  String metric = "cosine";

  @Option(names = "--batch", description = "points per upsert call (default ${DEFAULT-VALUE})")
  int batch = 256;

  @Option(names = "--writers", description = "concurrent upserting threads (default ${DEFAULT-VALUE})")
  int writers = 2;

  @Option(names = "--durability", description = "fsync or periodic (default ${DEFAULT-VALUE})")
  Durability durability = Durability.FSYNC;

  @Option(names = "--seal-threshold", description = "points per mutable segment before sealing (default ${DEFAULT-VALUE})")
  int sealThreshold = 100_000;

  @Option(names = "--indexing-lag", description = "points left unindexed while writes stream (default ${DEFAULT-VALUE}:"
      + " index at once)")
  int indexingLag;

  @Option(names = "--payload-index", description = "index the payload field 'category' (keyword) used by the filtered"
      + " search")
  boolean payloadIndex;

  @Option(names = "--on-disk", description = "serve sealed vectors from the mmap'd file instead of the heap")
  boolean onDisk;

  @Option(names = "--disk-index", description = "seal segments as disk indexes (on_disk and hnsw on_disk: graph and"
      + " vectors in a .qdisk file, compact codes in RAM); implies --on-disk")
  boolean diskIndex;

  @Option(names = "--queries", description = "search queries (default ${DEFAULT-VALUE})")
  int queries = 500;

  @Option(names = "--k", description = "neighbours per query (default ${DEFAULT-VALUE})")
  int k = 10;

  @Option(names = "--ef", description = "search breadth (default ${DEFAULT-VALUE})")
  int ef = 64;

  @Option(names = "--dir", description = "database directory (default: a new temporary one, deleted afterwards)")
  Path dir;

  @Option(names = "--open-only", description = "only time opening the collection 'bench' already in --dir (written by"
      + " an earlier bench-db --dir run) and its first search, in this fresh JVM")
  boolean openOnly;

  @Option(names = "--seed", description = "data seed (default ${DEFAULT-VALUE})")
  long seed = 42;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] CATEGORIES = {"shoes", "shirts", "hats", "bags", "socks", "coats", "belts", "scarves",
      "gloves", "boots"};

  @Override
  public Integer call() throws Exception {
    if (openOnly) {
      if (dir == null) {
        throw new ParameterException(new CommandLine(this), "--open-only needs --dir");
      }
      long t0 = System.nanoTime();
      try (Quiver db = Quiver.open(dir)) {
        Collection c = db.collection("bench");
        long t1 = System.nanoTime();
        float[] q = new float[c.config().vectors().values().iterator().next().size()];
        q[0] = 1;
        c.search(SearchRequest.builder(q).limit(k).build());
        long t2 = System.nanoTime();
        System.err.printf(Locale.ROOT, "fresh JVM: Quiver.open + collection %.0f ms (%,d points), first search %.1f ms%n",
            (t1 - t0) / 1e6, c.count(), (t2 - t1) / 1e6);
      }
      return 0;
    }
    Metric m = Metric.parse(metric);
    System.err.printf(Locale.ROOT, "generating %,d x %d clustered vectors and %,d queries...%n", points, dim, queries);
    Dataset data = Dataset.synthetic(points, queries, dim, m, seed, k);
    ObjectNode[] payloads = new ObjectNode[points];
    Random rnd = new Random(seed);
    for (int i = 0; i < points; i++) {
      ObjectNode p = JSON.createObjectNode();
      p.put("category", CATEGORIES[rnd.nextInt(CATEGORIES.length)]);
      p.put("price", rnd.nextInt(1000));
      p.putArray("tags").add("t" + rnd.nextInt(20)).add("t" + rnd.nextInt(20));
      p.put("created", String.format(Locale.ROOT, "2026-%02d-%02dT10:00:00Z", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28)));
      payloads[i] = p;
    }
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("quiver-bench-db-") : dir; // system temp, never the repo
    try {
      run(root, data, payloads, m);
    } finally {
      if (temporary) {
        AtomicFiles.deleteTree(root);
      }
    }
    return 0;
  }

  private void run(Path root, Dataset data, ObjectNode[] payloads, Metric m) throws Exception {
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, m).withOnDisk(onDisk)
        .withDiskIndex(diskIndex))
        .durability(durability).sealThreshold(sealThreshold).indexingLag(indexingLag).build();
    if (payloadIndex) {
      cfg = cfg.toBuilder().payloadIndex("category", FieldSchema.KEYWORD).build();
    }
    Filter filter = Filter.must(new Condition.Match("category", JSON.getNodeFactory().textNode("hats")));
    double upsertSeconds;
    double indexSeconds;
    double flushSeconds;
    try (Quiver db = Quiver.open(root)) {
      Collection c = db.createCollection("bench", cfg);
      AtomicInteger next = new AtomicInteger();
      long t0 = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          fs.add(pool.submit(() -> {
            int from;
            while ((from = next.getAndAdd(batch)) < points) {
              List<Point> pts = new ArrayList<>(batch);
              for (int i = from; i < Math.min(points, from + batch); i++) {
                pts.add(Point.of(i, data.base()[i], payloads[i]));
              }
              c.upsert(pts);
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      }
      upsertSeconds = (System.nanoTime() - t0) / 1e9;
      System.err.printf(Locale.ROOT, "upserted %,d points in %.2f s: %,.0f points/s (%s, %d writers, batch %d,"
          + " indexing lag %d)%n", points, upsertSeconds, points / upsertSeconds, durability, writers, batch,
          indexingLag);
      long t1 = System.nanoTime();
      c.awaitIndexed();
      indexSeconds = (System.nanoTime() - t1) / 1e9;
      long t2 = System.nanoTime();
      c.flush();
      flushSeconds = (System.nanoTime() - t2) / 1e9;
      System.err.printf(Locale.ROOT, "indexing finished %.2f s after the last upsert; sealing took %.2f s%n",
          indexSeconds, flushSeconds);
      search(c, data, null, "after build");
      search(c, data, filter, "after build, filter category=hats");
    }
    long t3 = System.nanoTime();
    double reopenMs;
    double firstSearchMs;
    try (Quiver db = Quiver.open(root)) {
      Collection c = db.collection("bench");
      reopenMs = (System.nanoTime() - t3) / 1e6;
      long t4 = System.nanoTime();
      c.search(SearchRequest.builder(data.queries()[0]).limit(k).build());
      firstSearchMs = (System.nanoTime() - t4) / 1e6;
      System.err.printf(Locale.ROOT, "reopen: %.0f ms, then first search %.1f ms (%,d points, %s vectors)%n",
          reopenMs, firstSearchMs, c.count(), diskIndex ? "disk index" : onDisk ? "mmap'd" : "heap");
      search(c, data, null, "after reopen");
      var info = c.info();
      System.out.printf(Locale.ROOT, "{\"bench\":\"db\",\"points\":%d,\"dim\":%d,\"metric\":\"%s\",\"durability\":\"%s\","
              + "\"writers\":%d,\"batch\":%d,\"indexing_lag\":%d,\"upsert_points_per_s\":%.0f,\"index_tail_s\":%.2f,\"seal_s\":%.2f,"
              + "\"reopen_ms\":%.0f,\"first_search_ms\":%.1f,\"segments\":%d,\"heap_bytes\":%d,\"mapped_bytes\":%d,"
              + "\"on_disk\":%b,\"disk_index\":%b}%n", points, dim, m, durability, writers, batch, indexingLag, points / upsertSeconds, indexSeconds,
          flushSeconds, reopenMs, firstSearchMs, info.segments(), info.heapBytes(), info.mappedBytes(), onDisk || diskIndex,
          diskIndex);
    }
  }

  private void search(Collection c, Dataset data, Filter filter, String label) {
    int nq = data.queries().length;
    List<Set<PointId>> truth = new ArrayList<>();
    for (int q = 0; q < nq; q++) {
      Set<PointId> t = new HashSet<>();
      if (filter == null) {
        for (int i = 0; i < k; i++) {
          t.add(PointId.of(data.groundTruth()[q][i]));
        }
      } else {
        c.search(SearchRequest.builder(data.queries()[q]).limit(k).filter(filter).exact(true).build())
            .forEach(h -> t.add(h.id()));
      }
      truth.add(t);
    }
    for (int q = 0; q < Math.min(nq, 200); q++) { // warm-up
      c.search(SearchRequest.builder(data.queries()[q]).limit(k).ef(ef).filter(filter).build());
    }
    double best = 0;
    double recall = 0;
    for (int run = 0; run < 3; run++) {
      long found = 0;
      long t0 = System.nanoTime();
      for (int q = 0; q < nq; q++) {
        for (ScoredPoint h : c.search(SearchRequest.builder(data.queries()[q]).limit(k).ef(ef).filter(filter).build())) {
          if (truth.get(q).contains(h.id())) {
            found++;
          }
        }
      }
      double qps = nq / ((System.nanoTime() - t0) / 1e9);
      best = Math.max(best, qps);
      recall = (double) found / ((long) nq * k);
    }
    System.err.printf(Locale.ROOT, "search %s: recall@%d %.4f, %,.0f QPS (1 thread, ef %d, best of 3)%n", label, k,
        recall, best, ef);
  }
}
