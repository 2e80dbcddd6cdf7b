package io.quiver.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;

/**
 * The load test's measurement: for one scenario, C closed-loop connections each send their next request as soon as
 * the last is answered, for the warm-up and then the measured seconds; latencies of requests sent in the measured
 * window go into histograms, client and process CPU are sampled at its edges, and recall@k of the served results is
 * checked against the server's exact search afterwards.
 */
final class ScenarioRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_SAMPLES = 5;
  private static final String FILTER_JSON = "{\"must\":[{\"key\":\"group\",\"match\":{\"value\":\"g3\"}}]}";

  private final String collection;
  private final LoadSettings settings;
  private final int recallQueries;
  private final AtomicBoolean stopping;
  private final PrintStream log;

  /** Workers stop sending once {@code stopping} is set (Ctrl-C). */
  ScenarioRunner(String collection, LoadSettings settings, int recallQueries, AtomicBoolean stopping,
      PrintStream log) {
    this.settings = settings;
    this.collection = collection;
    this.recallQueries = recallQueries;
    this.stopping = stopping;
    this.log = log;
  }

  /**
   * The ping scenario against the JDK's own HTTP server (com.sun.net.httpserver, one virtual thread per exchange)
   * answering GET / with the bytes Quiver's server sent: the same client and load, another server library.
   */
  ScenarioResult jdkPing(byte[] rootBody) throws Exception {
    HttpServer jdk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    jdk.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    jdk.createContext("/", ex -> {
      try (ex) {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, rootBody.length);
        ex.getResponseBody().write(rootBody);
      }
    });
    jdk.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + jdk.getAddress().getPort() + "/");
      try (HttpTransport other = HttpTransport.of(settings.client(), base, settings.concurrency());
          HttpTransport.Connection c = other.open()) {
        return run(other, c, Scenario.PING_JDK);
      }
    } finally {
      jdk.stop(0);
    }
  }

  ScenarioResult run(HttpTransport http, HttpTransport.Connection conn, Scenario s) throws Exception {
    String method = s.ping() ? "GET" : "POST";
    String path = s.ping() ? "/" : "/collections/" + collection + "/points/query";
    byte[][] bodies;
    float[][] pool = null;
    if (s.ping()) {
      bodies = new byte[][] {null};
    } else {
      SyntheticVectors data = new SyntheticVectors(settings.dim(), settings.seed());
      pool = new float[settings.queryPool()][];
      bodies = new byte[settings.queryPool()][];
      for (int j = 0; j < settings.queryPool(); j++) {
        pool[j] = data.query(j);
        bodies[j] = queryBody(pool[j], s, false);
      }
    }
    int sample = s.ping() ? 0 : recallQueries;
    AtomicReferenceArray<long[]> served = new AtomicReferenceArray<>(Math.max(1, sample));
    AtomicLong errors = new AtomicLong();
    ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    Histogram[] histograms = new Histogram[settings.concurrency()];
    long start = System.nanoTime() + 50_000_000L; // all workers start together
    long measureFrom = start + (long) (settings.warmup() * 1e9);
    long measureTo = measureFrom + (long) (settings.duration() * 1e9);
    log.printf(Locale.ROOT, "loadtest: %s: %d connections, %.0f s warm-up + %.0f s measured...%n", s.label(),
        settings.concurrency(), settings.warmup(), settings.duration());
    CountDownLatch measured = new CountDownLatch(1); // workers outlive the last CPU snapshot, so it counts them
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < settings.concurrency(); w++) {
      int worker = w;
      Histogram h = new Histogram(120_000_000L, 3); // microseconds, up to 2 minutes
      histograms[w] = h;
      workers.add(Thread.ofPlatform().name("loadtest-worker-" + w).start(() -> {
        SplittableRandom rnd = new SplittableRandom(settings.seed() * 1_000_003L + worker);
        HttpTransport.Connection wc = http.open();
        try {
          while (System.nanoTime() < start) {
            Thread.onSpinWait();
          }
          for (;;) {
            long t0 = System.nanoTime();
            if (t0 >= measureTo || stopping.get()) {
              break;
            }
            int q = bodies.length == 1 ? 0 : rnd.nextInt(bodies.length);
            HttpTransport.Response r;
            try {
              r = wc.send(method, path, bodies[q]);
            } catch (IOException e) {
              errors.incrementAndGet();
              sampleError(errorSamples, "exception " + e);
              continue;
            }
            long t1 = System.nanoTime();
            if (t0 >= measureFrom) {
              h.recordValue(Math.min((t1 - t0) / 1000, h.getHighestTrackableValue()));
            }
            if (r.status() != 200) {
              errors.incrementAndGet();
              sampleError(errorSamples, "HTTP " + r.status() + ": " + r.abbreviatedText());
            } else if (q < sample && served.get(q) == null) {
              served.compareAndSet(q, null, ids(r));
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
          errors.incrementAndGet();
          sampleError(errorSamples, "exception " + e);
        } finally {
          wc.close();
          try {
            measured.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }));
    }
    CpuSnapshot cpu0;
    CpuSnapshot cpu1;
    try {
      sleepUntil(measureFrom);
      cpu0 = CpuSnapshot.take();
      sleepUntil(measureTo);
      cpu1 = CpuSnapshot.take();
    } finally {
      measured.countDown();
    }
    for (Thread t : workers) {
      t.join();
    }
    Histogram all = new Histogram(120_000_000L, 3);
    for (Histogram h : histograms) {
      all.add(h);
    }
    long n = all.getTotalCount();
    double recall = Double.NaN;
    if (sample > 0) {
      try {
        recall = recall(conn, s, method, path, bodies, pool, served, sample);
      } catch (IOException e) {
        errors.incrementAndGet();
        sampleError(errorSamples, "recall check: " + e.getMessage());
      }
    }
    double clientCpu = cpu1.clientNanos(cpu0);
    double processCpu = cpu1.processNanos() - cpu0.processNanos();
    double wall = cpu1.wallNanos() - cpu0.wallNanos();
    double seconds = settings.duration();
    return new ScenarioResult(s, settings.concurrency(), n, errors.get(), seconds, n / seconds, all.getMean() / 1000,
        ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9), all.getMaxValue() / 1000.0, recall, sample,
        n == 0 ? Double.NaN : clientCpu / n / 1000, n == 0 ? Double.NaN : processCpu / n / 1000,
        clientCpu / wall, processCpu / wall, List.copyOf(errorSamples));
  }

  /** Recall@k of the served results of the first {@code sample} pool queries against the server's exact search. */
  private double recall(HttpTransport.Connection conn, Scenario s, String method, String path, byte[][] bodies,
      float[][] pool, AtomicReferenceArray<long[]> served, int sample) throws IOException, InterruptedException {
    long found = 0;
    long wanted = 0;
    for (int q = 0; q < sample; q++) {
      if (served.get(q) == null) { // not drawn during the run: ask now, the same request
        HttpTransport.Response r = conn.send(method, path, bodies[q]);
        r.expectOk(method + " " + path);
        served.set(q, ids(r));
      }
      HttpTransport.Response exact = conn.send(method, path, queryBody(pool[q], s, true));
      exact.expectOk(method + " " + path + " (exact)");
      Set<Long> truth = new HashSet<>();
      for (long id : ids(exact)) {
        truth.add(id);
      }
      wanted += truth.size();
      for (long id : served.get(q)) {
        if (truth.contains(id)) {
          found++;
        }
      }
    }
    return wanted == 0 ? Double.NaN : (double) found / wanted;
  }

  private byte[] queryBody(float[] v, Scenario s, boolean exact) {
    StringBuilder sb = new StringBuilder(settings.dim() * 11 + 160).append("{\"query\":");
    SyntheticVectors.appendJson(sb, v).append(",\"limit\":").append(settings.limit()).append(",\"params\":{");
    if (exact) {
      sb.append("\"exact\":true");
    } else {
      sb.append("\"hnsw_ef\":").append(settings.ef());
    }
    sb.append('}');
    if (s == Scenario.FILTERED) {
      sb.append(",\"filter\":").append(FILTER_JSON);
    }
    return HttpTransport.body(sb.append('}').toString());
  }

  private static long[] ids(HttpTransport.Response r) throws IOException {
    JsonNode pts = JSON.readTree(r.body()).path("result").path("points");
    long[] ids = new long[pts.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = pts.get(i).path("id").asLong(-1);
    }
    return ids;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static void sampleError(ConcurrentLinkedQueue<String> samples, String e) {
    if (samples.size() < MAX_ERROR_SAMPLES) {
      samples.add(e);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }
}
