package io.quiver.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The load test's data over HTTP: creates the collection with a keyword index on {@code group}, upserts the
 * synthetic clustered Cosine vectors in batches from several connections, then waits until the server has indexed
 * them; it records how long loading and indexing took.
 */
final class CollectionLoader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String collection;
  private final int points;
  private final int dim;
  private final long seed;
  private final int batch;
  private final int loadConcurrency;
  private final double indexTimeout;
  private final boolean recreate;
  private final String target;
  private final PrintStream log;
  private double loadSeconds = Double.NaN;
  private double indexSeconds = Double.NaN;

  /** {@code target} names the server in messages; {@code recreate} drops an existing collection on an external one. */
  CollectionLoader(String collection, int points, int dim, long seed, int batch, int loadConcurrency,
      double indexTimeout, boolean recreate, String target, PrintStream log) {
    this.collection = collection;
    this.points = points;
    this.dim = dim;
    this.seed = seed;
    this.batch = batch;
    this.loadConcurrency = loadConcurrency;
    this.indexTimeout = indexTimeout;
    this.recreate = recreate;
    this.target = target;
    this.log = log;
  }

  /** Seconds the upserts took (NaN before {@link #load}). */
  double loadSeconds() {
    return loadSeconds;
  }

  /** Seconds from the last upsert until every vector was indexed (NaN before {@link #load}). */
  double indexSeconds() {
    return indexSeconds;
  }

  /** Creates and fills the collection, then waits for indexing; true if this run created it. */
  boolean load(HttpTransport http, HttpTransport.Connection conn, boolean external) throws Exception {
    String c = "/collections/" + collection;
    HttpTransport.Response exists = conn.send("GET", c + "/exists", null);
    exists.expectOk("GET " + c + "/exists");
    if (JSON.readTree(exists.body()).path("result").path("exists").asBoolean()) {
      if (!external || !recreate) {
        throw new IllegalStateException("collection " + collection + " already exists on " + target
            + "; pass --recreate to drop it or --collection to pick another name");
      }
      conn.send("DELETE", c, null).expectOk("DELETE " + c);
    }
    conn.send("PUT", c, HttpTransport.body("{\"vectors\":{\"size\":" + dim + ",\"distance\":\"Cosine\"}}"))
        .expectOk("PUT " + c);
    conn.send("PUT", c + "/index?wait=true",
        HttpTransport.body("{\"field_name\":\"group\",\"field_schema\":\"keyword\"}")).expectOk("PUT " + c + "/index");
    SyntheticVectors data = new SyntheticVectors(dim, seed);
    log.printf(Locale.ROOT, "loadtest: loading %,d x %d clustered Cosine vectors (seed %d) in batches of %d,"
        + " %d at a time...%n", points, dim, seed, batch, loadConcurrency);
    AtomicInteger next = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    AtomicReferenceArray<Throwable> failure = new AtomicReferenceArray<>(1);
    long t0 = System.nanoTime();
    List<Thread> loaders = new ArrayList<>();
    for (int w = 0; w < loadConcurrency; w++) {
      loaders.add(Thread.ofPlatform().name("loadtest-loader-" + w).start(() -> {
        try (HttpTransport.Connection lc = http.open()) {
          int from;
          while (failure.get(0) == null && (from = next.getAndAdd(batch)) < points) {
            int to = Math.min(points, from + batch);
            lc.send("PUT", c + "/points?wait=true", RestWorkload.upsertBody(data, from, to)).expectOk("PUT " + c + "/points");
            long d = done.addAndGet(to - from);
            long step = Math.max(1, points / 10);
            if (d / step != (d - (to - from)) / step && d < points) {
              log.printf(Locale.ROOT, "loadtest:   %,d points (%.0f%%), %.1f s%n", d, 100.0 * d / points,
                  (System.nanoTime() - t0) / 1e9);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(0, null, e);
        }
      }));
    }
    for (Thread t : loaders) {
      t.join();
    }
    if (failure.get(0) != null) {
      throw new IOException("loading failed: " + failure.get(0).getMessage(), failure.get(0));
    }
    loadSeconds = (System.nanoTime() - t0) / 1e9;
    log.printf(Locale.ROOT, "loadtest: loaded %,d points in %.2f s: %,.0f points/s (upserts with wait=true)%n",
        points, loadSeconds, points / loadSeconds);
    long t1 = System.nanoTime();
    long deadline = t1 + (long) (indexTimeout * 1e9);
    for (;;) {
      HttpTransport.Response info = conn.send("GET", c, null);
      info.expectOk("GET " + c);
      JsonNode r = JSON.readTree(info.body()).path("result");
      long count = r.path("points_count").asLong();
      long indexed = r.path("indexed_vectors_count").asLong();
      String status = r.path("status").asText();
      if (count >= points && (indexed >= points || status.equals("green"))) {
        indexSeconds = (System.nanoTime() - t1) / 1e9;
        log.printf(Locale.ROOT, "loadtest: indexing finished %.2f s after the last upsert (status %s, %,d of %,d"
            + " vectors indexed): %,.0f points/s load to searchable index%n", indexSeconds, status, indexed, count,
            points / (loadSeconds + indexSeconds));
        return true;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("indexing not finished after " + indexTimeout + " s: status " + status + ", "
            + indexed + " of " + count + " vectors indexed");
      }
      Thread.sleep(200);
    }
  }
}
