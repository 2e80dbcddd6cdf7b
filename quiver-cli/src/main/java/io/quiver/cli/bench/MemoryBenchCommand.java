package io.quiver.cli.bench;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.Point;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver bench-memory}: the resident memory of a process serving one sealed N x d collection, per quantization
 * mode. The collection is built once (float32), then for each mode re-encoded in place
 * ({@link Collection#updateQuantization}) and opened by a fresh JVM, which runs the queries (so the pages a search
 * touches are resident) and reports its RSS from {@code /proc/self/status} after a full GC: a fresh process, because
 * a JVM does not give back what an earlier mode used.
 */
@Command(name = "bench-memory", mixinStandardHelpOptions = true,
    description = "Process RSS per quantization mode for one sealed synthetic collection (each mode measured in a"
        + " fresh JVM that opens the collection and runs the queries).")
public final class MemoryBenchCommand implements Callable<Integer> {
  @Option(names = "--points", description = "Vectors (default ${DEFAULT-VALUE}).")
  int points = 1_000_000;

  @Option(names = "--dim", description = "Dimension (default ${DEFAULT-VALUE}).")
  int dim = 384;

  @Option(names = "--modes", split = ",", description = "float32,int8,float16,binary,pq4..pq64 (default"
      + " float32,int8,float16,binary,pq16).")
  List<String> modes = List.of("float32", "int8", "float16", "binary", "pq16");

  @Option(names = "--queries", description = "Queries run by each probe, with exact ground truth (default"
      + " ${DEFAULT-VALUE}).")
  int queries = 200;

  @Option(names = "--ef", description = "Search breadth (default ${DEFAULT-VALUE}).")
  int ef = 64;

  @Option(names = "--k", description = "Neighbours (default ${DEFAULT-VALUE}).")
  int k = 10;

  @Option(names = "--seed", description = "Seed of the generated data (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--dir", description = "Where the collection is built and kept: an existing build of the same"
      + " size there is reused. Default: a temporary directory, deleted at the end.")
  Path dir;

  @Option(names = "--probe-heap", description = "-Xmx of the probe JVMs (default: the JVM's own default).")
  String probeHeap;

  @Option(names = "--drop-caches", description = "Each probe drops the page cache after opening the collection"
      + " (needs root; writes /proc/sys/vm/drop_caches): the mapped vector file is then resident only as far as"
      + " searches read it, not as far as the build or the open-time checksum pass left it cached.")
  boolean dropCaches;

  static final String COLLECTION = "mem";

  @Override
  public Integer call() throws Exception {
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("quiver-bench-memory-") : Files.createDirectories(dir);
    try {
      run(root);
    } finally {
      if (temporary) {
        AtomicFiles.deleteTree(root);
      }
    }
    return 0;
  }

  private void run(Path root) throws Exception {
    Path db = root.resolve("db");
    Path queryFile = root.resolve("queries-" + points + "x" + dim + ".bin");
    double build = build(db, queryFile);
    System.out.printf(Locale.ROOT, "## Memory: %,d x %d synthetic clustered vectors (COSINE), one sealed segment,"
        + " %d queries, ef %d, k=%d%n%n", points, dim, queries, ef, k);
    System.out.printf(Locale.ROOT, "Build (upsert, index, seal, float32): %s. RSS from /proc/self/status of a fresh"
        + " JVM (-XX:MaxHeapFreeRatio=20) after it opened the collection, ran every query twice and a full GC; %s;"
        + " %s.%n%n", build < 0 ? "reused from " + db : String.format(Locale.ROOT, "%.0f s", build),
        probeHeap == null ? "probe heap limit: the JVM default" : "probe -Xmx" + probeHeap,
        dropCaches ? "page cache dropped after the probe opened the collection" : "page cache as the build and the"
            + " open-time checksum pass left it (file MB then counts cached pages mapped a folio at a time)");
    // no QPS column: a probe runs its queries twice in a cold JVM, which says little about speed (bench-quant does)
    System.out.println("| mode | encode s | codes B/vector | recall@" + k + " | RSS MB | anon MB | file MB"
        + " | heap used MB | heap committed MB |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (String m : modes) {
      QuantizationConfig q = QuantBenchCommand.mode(m);
      long t0 = System.nanoTime();
      try (Quiver quiver = Quiver.open(db)) {
        quiver.collection(COLLECTION).updateQuantization(q);
      }
      double encode = (System.nanoTime() - t0) / 1e9;
      Map<String, String> r = probe(db, queryFile);
      double mb = 1024 * 1024;
      System.out.printf(Locale.ROOT, "| %s | %.1f | %,d | %s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f |%n", m,
          encode, Long.parseLong(r.get("quantized_bytes")) / points, r.get("recall"), kb(r, "VmRSS") / 1024.0, kb(r, "RssAnon") / 1024.0,
          kb(r, "RssFile") / 1024.0, Long.parseLong(r.get("heap_used")) / mb,
          Long.parseLong(r.get("heap_committed")) / mb);
      System.out.println("{\"bench\":\"memory\",\"points\":" + points + ",\"dim\":" + dim + ",\"mode\":\"" + m
          + "\",\"encode_s\":" + String.format(Locale.ROOT, "%.2f", encode) + "," + toJson(r) + "}");
      System.out.flush();
    }
  }

  static void dropPageCache() throws IOException {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
    } catch (IOException | InterruptedException e) {
      throw new IOException("--drop-caches: cannot drop the page cache (" + e.getMessage() + "); run as root or"
          + " without the option", e);
    }
  }

  private static long kb(Map<String, String> r, String key) {
    return Long.parseLong(r.getOrDefault(key, "0"));
  }

  private static String toJson(Map<String, String> r) {
    StringBuilder b = new StringBuilder();
    r.forEach((key, v) -> b.append(b.isEmpty() ? "" : ",").append('"').append(key).append("\":")
        .append(v.matches("-?[0-9.]+") ? v : "\"" + v + "\""));
    return b.toString();
  }

  /** Builds the float32 collection and the query file unless both exist at this size; -1 when reused. */
  private double build(Path db, Path queryFile) throws Exception {
    if (Files.exists(queryFile) && Files.isDirectory(db)) {
      try (Quiver quiver = Quiver.open(db)) {
        Collection c = quiver.collection(COLLECTION);
        if (c != null && c.count() == points) {
          System.err.printf(Locale.ROOT, "bench-memory: reusing %,d points in %s%n", points, db);
          return -1;
        }
      }
    }
    if (Files.exists(db)) {
      AtomicFiles.deleteTree(db);
    }
    System.err.printf(Locale.ROOT, "bench-memory: generating %,d x %d clustered vectors, %d queries and their exact"
        + " neighbours...%n", points, dim, queries);
    Dataset d = Dataset.synthetic(points, queries, dim, Metric.COSINE, seed, k);
    writeQueries(queryFile, d.queries(), d.groundTruth());
    long t0 = System.nanoTime();
    try (Quiver quiver = Quiver.open(db)) {
      Collection c = quiver.createCollection(COLLECTION, CollectionConfig.builder()
          .vector(VectorParams.of(dim, Metric.COSINE)).durability(Durability.PERIODIC).sealThreshold(points + 1)
          .indexingLag(points).build());
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < points; i++) {
        batch.add(Point.of(i, d.base()[i], null));
        if (batch.size() == 1000) {
          c.upsert(batch);
          batch.clear();
        }
        if ((i + 1) % 100_000 == 0) {
          System.err.printf(Locale.ROOT, "bench-memory: upserted %,d%n", i + 1);
        }
      }
      c.upsert(batch);
      c.awaitIndexed();
      c.flush();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.err.printf(Locale.ROOT, "bench-memory: built in %.0f s%n", s);
    return s;
  }

  private static void writeQueries(Path file, float[][] queries, int[][] truth) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(queries.length);
      out.writeInt(queries[0].length);
      for (int i = 0; i < queries.length; i++) {
        for (float x : queries[i]) {
          out.writeFloat(x);
        }
        out.writeInt(truth[i].length);
        for (int t : truth[i]) {
          out.writeInt(t);
        }
      }
    }
  }

  /** Runs {@link Probe} in a fresh JVM with this JVM's module and native-access flags; returns its key/values. */
  private Map<String, String> probe(Path db, Path queryFile) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx") && !arg.startsWith("-Xms") && !arg.startsWith("-agentlib")) {
        cmd.add(arg);
      }
    }
    if (probeHeap != null) {
      cmd.add("-Xmx" + probeHeap);
    }
    // after the probe's full GC, G1 gives back heap beyond 20% free: RSS then tracks live data, not heap sizing
    cmd.addAll(List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), db.toString(),
        queryFile.toString(), Integer.toString(ef), Integer.toString(k), Boolean.toString(dropCaches)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, String> out = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          out.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    int code = p.waitFor();
    if (code != 0 || !out.containsKey("VmRSS")) {
      throw new IllegalStateException("memory probe exited with " + code + " and reported " + out);
    }
    return out;
  }

  /** The probe process: opens the collection, runs the queries, reports memory as key=value lines on stdout. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) throws Exception {
      Path db = Path.of(args[0]);
      int ef = Integer.parseInt(args[2]);
      int k = Integer.parseInt(args[3]);
      float[][] queries;
      int[][] truth;
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(
          Files.newInputStream(Path.of(args[1]))))) {
        int n = in.readInt();
        int d = in.readInt();
        queries = new float[n][d];
        truth = new int[n][];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < d; j++) {
            queries[i][j] = in.readFloat();
          }
          truth[i] = new int[in.readInt()];
          for (int j = 0; j < truth[i].length; j++) {
            truth[i][j] = in.readInt();
          }
        }
      }
      try (Quiver quiver = Quiver.open(db)) {
        Collection c = quiver.collection(COLLECTION);
        c.awaitIndexed();
        if (Boolean.parseBoolean(args[4])) {
          dropPageCache();
        }
        double recall = 0;
        long t0 = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass faults in the pages searches touch
          t0 = System.nanoTime();
          recall = 0;
          for (int i = 0; i < queries.length; i++) {
            List<ScoredPoint> hits = c.search(SearchRequest.builder(queries[i]).limit(k).ef(ef).build());
            int[] found = hits.stream().mapToInt(h -> (int) ((PointId.Num) h.id()).value()).toArray();
            recall += BenchCommand.recall(found, truth[i], k);
          }
        }
        double qps = queries.length / ((System.nanoTime() - t0) / 1e9);
        System.gc();
        Thread.sleep(300);
        System.gc();
        Map<String, String> status = procStatus();
        CollectionInfo info = c.info();
        Runtime rt = Runtime.getRuntime();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "recall=%.4f%nqps=%.1f%n", recall / queries.length, qps));
        b.append("segments=").append(info.segments()).append('\n');
        b.append("quantized_bytes=").append(info.quantizedBytes()).append('\n');
        b.append("info_heap_bytes=").append(info.heapBytes()).append('\n');
        b.append("info_mapped_bytes=").append(info.mappedBytes()).append('\n');
        b.append("heap_used=").append(rt.totalMemory() - rt.freeMemory()).append('\n');
        b.append("heap_committed=").append(rt.totalMemory()).append('\n');
        status.forEach((key, v) -> b.append(key).append('=').append(v).append('\n'));
        System.out.print(b);
        System.out.flush();
      }
    }

    /** VmRSS, VmHWM, RssAnon, RssFile and RssShmem in kB. */
    static Map<String, String> procStatus() throws IOException {
      Map<String, String> out = new LinkedHashMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        for (String key : new String[] {"VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"}) {
          if (line.startsWith(key + ":")) {
            out.put(key, line.substring(key.length() + 1).trim().replace(" kB", ""));
          }
        }
      }
      return out;
    }
  }
}
