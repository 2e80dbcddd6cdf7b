package io.quiver.cli.load;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;

/**
 * The load test's measurement: C closed-loop connections each send their next request as soon as the last is
 * answered, either drawn at random for the warm-up and then the measured seconds ({@link #run}), or each of the
 * workload's requests once ({@link #runAll}, the upsert). Latencies of requests sent in the measured window go into
 * histograms, client and process CPU are sampled at its edges, and recall@k of the served search results is checked
 * against the server's exact search afterwards.
 */
final class ScenarioRunner {
  private static final int MAX_ERROR_SAMPLES = 5;

  private final LoadSettings settings;
  private final int recallQueries;
  private final AtomicBoolean stopping;
  private final PrintStream log;

  /** Workers stop sending once {@code stopping} is set (Ctrl-C). */
  ScenarioRunner(LoadSettings settings, int recallQueries, AtomicBoolean stopping, PrintStream log) {
    this.settings = settings;
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
      try (HttpTransport other = HttpTransport.of(settings.client(), base, settings.concurrency())) {
        return run(RestWorkload.ping(other), Scenario.PING_JDK, Transport.REST);
      }
    } finally {
      jdk.stop(0);
    }
  }

  /** Random draws from {@code w} for the warm-up and the measured seconds; recall@k for the search scenarios. */
  ScenarioResult run(Workload w, Scenario s, Transport t) throws Exception {
    int sample = s.search() ? Math.min(recallQueries, w.size()) : 0;
    log.printf(Locale.ROOT, "loadtest: %s over %s: %d connections, %.0f s warm-up + %.0f s measured...%n", s.label(),
        t.label(), settings.concurrency(), settings.warmup(), settings.duration());
    return measure(w, s, t, settings.concurrency(), settings.warmup(), settings.duration(), sample);
  }

  /** Each of {@code w}'s requests once, from {@code connections} connections, measured from the first to the last. */
  ScenarioResult runAll(Workload w, Scenario s, Transport t, int connections) throws Exception {
    log.printf(Locale.ROOT, "loadtest: %s over %s: %,d requests from %d connections...%n", s.label(), t.label(),
        w.size(), connections);
    return measure(w, s, t, connections, 0, Double.NaN, 0);
  }

  /** Random draws from {@code w} for {@code seconds}, unmeasured (the upsert's warm-up); returns how many failed. */
  long warmUp(Workload w, Transport t, int connections, double seconds) throws Exception {
    log.printf(Locale.ROOT, "loadtest: warming up over %s: %d connections, %.0f s...%n", t.label(), connections,
        seconds);
    return measure(w, Scenario.UPSERT, t, connections, 0, seconds, 0).errors();
  }

  /** A {@code duration} of NaN sends every request once instead of random ones for a time. */
  private ScenarioResult measure(Workload w, Scenario s, Transport t, int connections, double warmup,
      double duration, int sample) throws Exception {
    boolean once = Double.isNaN(duration);
    AtomicInteger next = new AtomicInteger();
    AtomicReferenceArray<long[]> served = new AtomicReferenceArray<>(Math.max(1, sample));
    AtomicLong errors = new AtomicLong();
    ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    Histogram[] histograms = new Histogram[connections];
    long start = System.nanoTime() + 50_000_000L; // all workers start together
    long measureFrom = start + (long) (warmup * 1e9);
    long measureTo = once ? Long.MAX_VALUE : measureFrom + (long) (duration * 1e9);
    CountDownLatch finished = new CountDownLatch(connections);
    CountDownLatch measured = new CountDownLatch(1); // workers outlive the last CPU snapshot, so it counts them
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      int worker = i;
      Histogram h = new Histogram(120_000_000L, 3); // microseconds, up to 2 minutes
      histograms[i] = h;
      workers.add(Thread.ofPlatform().name("loadtest-worker-" + i).start(() -> {
        SplittableRandom rnd = new SplittableRandom(settings.seed() * 1_000_003L + worker);
        try (Workload.Connection wc = w.open()) {
          while (System.nanoTime() < start) {
            Thread.onSpinWait();
          }
          for (;;) {
            long t0 = System.nanoTime();
            int q = once ? next.getAndIncrement() : w.size() == 1 ? 0 : rnd.nextInt(w.size());
            if (t0 >= measureTo || stopping.get() || q >= w.size()) {
              break;
            }
            Workload.Reply r;
            try {
              r = wc.send(q, false, q < sample && served.get(q) == null);
            } catch (IOException e) {
              errors.incrementAndGet();
              sampleError(errorSamples, "exception " + e);
              continue;
            }
            long t1 = System.nanoTime();
            if (t0 >= measureFrom) {
              h.recordValue(Math.min((t1 - t0) / 1000, h.getHighestTrackableValue()));
            }
            if (!r.ok()) {
              errors.incrementAndGet();
              sampleError(errorSamples, r.error());
            } else if (r.ids() != null) {
              served.compareAndSet(q, null, r.ids());
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
          errors.incrementAndGet();
          sampleError(errorSamples, "exception " + e);
        } finally {
          finished.countDown();
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
      if (once) {
        finished.await();
      } else {
        sleepUntil(measureTo);
      }
      cpu1 = CpuSnapshot.take();
    } finally {
      measured.countDown();
    }
    for (Thread th : workers) {
      th.join();
    }
    Histogram all = new Histogram(120_000_000L, 3);
    for (Histogram h : histograms) {
      all.add(h);
    }
    long n = all.getTotalCount();
    double recall = Double.NaN;
    if (sample > 0) {
      try (Workload.Connection c = w.open()) {
        recall = recall(c, served, sample);
      } catch (IOException e) {
        errors.incrementAndGet();
        sampleError(errorSamples, "recall check: " + e.getMessage());
      }
    }
    double clientCpu = cpu1.clientNanos(cpu0);
    double processCpu = cpu1.processNanos() - cpu0.processNanos();
    double wall = cpu1.wallNanos() - cpu0.wallNanos();
    double seconds = once ? wall / 1e9 : duration;
    return new ScenarioResult(s, t, connections, n, errors.get(), seconds, n / seconds, all.getMean() / 1000,
        ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9), all.getMaxValue() / 1000.0, recall, sample, Double.NaN,
        n == 0 ? Double.NaN : clientCpu / n / 1000, n == 0 ? Double.NaN : processCpu / n / 1000,
        clientCpu / wall, processCpu / wall, List.copyOf(errorSamples));
  }

  /** Recall@k of the served results of the first {@code sample} queries against the server's exact search. */
  private static double recall(Workload.Connection c, AtomicReferenceArray<long[]> served, int sample)
      throws IOException, InterruptedException {
    long found = 0;
    long wanted = 0;
    for (int q = 0; q < sample; q++) {
      if (served.get(q) == null) { // not drawn during the run: ask now, the same request
        served.set(q, expectIds(c.send(q, false, true), "query " + q));
      }
      Set<Long> truth = new HashSet<>();
      for (long id : expectIds(c.send(q, true, true), "exact query " + q)) {
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

  private static long[] expectIds(Workload.Reply r, String what) throws IOException {
    if (!r.ok()) {
      throw new IOException(what + ": " + r.error());
    }
    return r.ids();
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
