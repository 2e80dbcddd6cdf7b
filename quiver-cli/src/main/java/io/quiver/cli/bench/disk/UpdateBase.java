package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.storage.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The big sealed disk segment an update run starts from: its base points upserted durably into collection
 * {@value #COLLECTION}, then flushed into one sealed segment. Under a kept directory the loaded database stays in
 * {@code base/} with a description of how it was loaded ({@code base.json}); each run works on a fresh copy, so a
 * large load is done once.
 */
final class UpdateBase {
  static final String COLLECTION = "bench";

  /**
   * How the base was obtained.
   *
   * @param loadSeconds the durable upserts of the base points
   * @param sealSeconds the flush that indexed what was left and sealed them into a disk segment
   * @param reused whether an earlier run's load was copied instead
   * @param copySeconds the copy of the kept load into the run's directory (0 without one)
   */
  record Loaded(double loadSeconds, double sealSeconds, boolean reused, double copySeconds) {}

  private UpdateBase() {}

  /**
   * The base in database directory {@code work}: loaded there, or with {@code keep} (a kept directory) loaded into
   * {@code keep/base} unless an identical load is there, then copied to {@code work}.
   */
  static Loaded prepare(Path keep, Path work, UpdateData data, CollectionConfig config, ObjectNode identity,
      int writers, int batch, PrintStream log) throws IOException, InterruptedException {
    ObjectMapper mapper = new ObjectMapper();
    AtomicFiles.deleteTree(work);
    if (keep == null) {
      double[] t = load(work, data, config, writers, batch, log);
      return new Loaded(t[0], t[1], false, 0);
    }
    Path base = keep.resolve("base");
    Path marker = keep.resolve("base.json");
    JsonNode previous = Files.exists(marker) ? mapper.readTree(marker.toFile()) : null;
    // compared as text: read back, a small long (the seed) is an int node, which equals() tells from a long one
    boolean reuse = previous != null && identity.toString().equals(String.valueOf(previous.get("identity")))
        && Files.isDirectory(base);
    double loadSeconds;
    double sealSeconds;
    if (reuse) {
      loadSeconds = previous.get("load_s").asDouble();
      sealSeconds = previous.get("seal_s").asDouble();
      log.printf(Locale.ROOT, "reusing the base loaded earlier in %s (load %.1f s, seal %.1f s)%n", base, loadSeconds,
          sealSeconds);
    } else {
      Files.deleteIfExists(marker);
      AtomicFiles.deleteTree(base);
      double[] t = load(base, data, config, writers, batch, log);
      loadSeconds = t[0];
      sealSeconds = t[1];
      ObjectNode m = mapper.createObjectNode();
      m.set("identity", identity);
      m.put("load_s", loadSeconds);
      m.put("seal_s", sealSeconds);
      AtomicFiles.write(marker, mapper.writeValueAsBytes(m));
    }
    long t0 = System.nanoTime();
    copyTree(base, work);
    double copySeconds = (System.nanoTime() - t0) / 1e9;
    log.printf(Locale.ROOT, "copied the base to %s in %.1f s%n", work, copySeconds);
    return new Loaded(loadSeconds, sealSeconds, reuse, copySeconds);
  }

  /** Upserts the base points durably with {@code writers} threads, then flushes; returns {load s, seal s}. */
  private static double[] load(Path root, UpdateData data, CollectionConfig config, int writers, int batch,
      PrintStream log) throws IOException, InterruptedException {
    log.printf(Locale.ROOT, "loading %,d x %d points into %s (%s, %d writers, batch %d)...%n", data.n(), data.dim(),
        root, config.durability(), writers, batch);
    try (Quiver db = Quiver.open(root)) {
      Collection c = db.createCollection(COLLECTION, config);
      AtomicInteger next = new AtomicInteger();
      int n = data.n();
      long t0 = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          fs.add(pool.submit(() -> {
            int from;
            while ((from = next.getAndAdd(batch)) < n) {
              List<Point> pts = new ArrayList<>(batch);
              for (int id = from; id < Math.min(n, from + batch); id++) {
                pts.add(UpdatePhase.point(data, id));
              }
              c.upsert(pts);
            }
            return null;
          }));
        }
        UpdatePhase.join(fs);
      }
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      log.printf(Locale.ROOT, "upserted %,d points in %.1f s (%,.0f/s); indexing and sealing...%n", n, loadSeconds,
          n / loadSeconds);
      long t1 = System.nanoTime();
      c.flush();
      double sealSeconds = (System.nanoTime() - t1) / 1e9;
      log.printf(Locale.ROOT, "sealed in %.1f s (%d segments, the mutable one included)%n", sealSeconds,
          c.info().segments());
      return new double[] {loadSeconds, sealSeconds};
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
