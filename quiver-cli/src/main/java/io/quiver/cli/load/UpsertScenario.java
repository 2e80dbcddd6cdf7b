package io.quiver.cli.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The upsert scenario over one transport: into a fresh collection (Cosine, keyword index on {@code group}, as the
 * search data's), first the warm-up's random batches for the warm-up seconds, then a new collection and every batch
 * once with {@code wait=true} from the load connections; then an exact count over REST must find every point, and
 * the collection is dropped. Collections are made and checked over REST whatever the transport measured.
 */
final class UpsertScenario {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The workload of upserting {@code points} points into {@code collection} over one transport. */
  @FunctionalInterface
  interface Workloads {
    Workload upsert(String collection, int points);
  }

  private final String collection;
  private final int points;
  private final int dim;
  private final int connections;
  private final double warmup;
  private final boolean recreate;
  private final PrintStream log;

  /** {@code recreate}: drop a collection of that name left by someone else (else refuse to touch it). */
  UpsertScenario(String collection, int points, int dim, int connections, double warmup, boolean recreate,
      PrintStream log) {
    this.collection = collection;
    this.points = points;
    this.dim = dim;
    this.connections = connections;
    this.warmup = warmup;
    this.recreate = recreate;
    this.log = log;
  }

  String collection() {
    return collection;
  }

  ScenarioResult run(ScenarioRunner runner, HttpTransport.Connection admin, Transport t, Workloads workloads)
      throws Exception {
    String c = "/collections/" + collection;
    if (exists(admin, c) && !recreate) {
      throw new IllegalStateException("collection " + collection + " (the upsert scenario's) already exists;"
          + " pass --recreate to drop it or --collection to pick another name");
    }
    try {
      if (warmup > 0) {
        create(admin, c);
        try (Workload w = workloads.upsert(collection, points)) {
          runner.warmUp(w, t, connections, warmup);
        }
      }
      create(admin, c);
      ScenarioResult r;
      try (Workload w = workloads.upsert(collection, points)) {
        r = runner.runAll(w, Scenario.UPSERT, t, connections);
      }
      r = r.withPointsPerSecond(points / r.seconds());
      long count = count(admin, c);
      if (count != points) {
        r = r.withErrors(1, List.of("after the upsert an exact count found " + count + " of " + points + " points"));
      }
      log.printf(Locale.ROOT, "loadtest: upsert over %s: %,d points in %.2f s, %,.0f points/s; %,d counted%n",
          t.label(), points, r.seconds(), r.pointsPerSecond(), count);
      return r;
    } finally {
      if (exists(admin, c)) {
        admin.send("DELETE", c, null).expectOk("DELETE " + c);
      }
    }
  }

  /** Drops the collection if it exists, then creates it with the keyword index. */
  private void create(HttpTransport.Connection admin, String c) throws IOException, InterruptedException {
    if (exists(admin, c)) {
      admin.send("DELETE", c, null).expectOk("DELETE " + c);
    }
    admin.send("PUT", c, HttpTransport.body("{\"vectors\":{\"size\":" + dim + ",\"distance\":\"Cosine\"}}"))
        .expectOk("PUT " + c);
    admin.send("PUT", c + "/index?wait=true",
        HttpTransport.body("{\"field_name\":\"group\",\"field_schema\":\"keyword\"}")).expectOk("PUT " + c + "/index");
  }

  private static boolean exists(HttpTransport.Connection admin, String c) throws IOException, InterruptedException {
    HttpTransport.Response r = admin.send("GET", c + "/exists", null);
    r.expectOk("GET " + c + "/exists");
    return JSON.readTree(r.body()).path("result").path("exists").asBoolean();
  }

  private static long count(HttpTransport.Connection admin, String c) throws IOException, InterruptedException {
    HttpTransport.Response r = admin.send("POST", c + "/points/count", HttpTransport.body("{\"exact\":true}"));
    r.expectOk("POST " + c + "/points/count");
    return JSON.readTree(r.body()).path("result").path("count").asLong(-1);
  }
}
