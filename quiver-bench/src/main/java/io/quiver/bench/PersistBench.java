package io.quiver.bench;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.index.flat.FlatIndex;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Open time and search speed of a saved HNSW index, heap-loaded against memory-mapped vectors, on a synthetic
 * clustered set (the figures in docs/benchmarks.md, "Opening a saved index"). Run after
 * {@code ./mvnw -B -DskipTests package}:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseTransparentHugePages -Xmx3g \
 *     -cp quiver-bench/target/quiver-bench.jar:quiver-core/target/quiver-core-0.1.0-SNAPSHOT.jar \
 *     io.quiver.bench.PersistBench --dir /tmp/quiver-persist [--n 100000] [--dim 384] [--ef 10,20,40,80]
 * </pre>
 *
 * It builds the index, saves it as {@code DIR/bench.{vec,hnsw}}, times opens in four modes (heap or mmap, vector
 * checksum verified or not) with the files in the page cache, round-robin over the modes with a {@code System.gc()}
 * before each (so that no collection of earlier garbage lands inside a timed open), then runs the queries on the built
 * index, the heap-opened one and the mmap-opened one, interleaved, reporting the median of {@code --runs} timed
 * passes ({@code --search heap} or {@code mmap} runs just one). {@code --reuse true} skips the build when the files exist (the data is regenerated from the same seed).
 * {@code --open-only MODE} times one open of the saved files in this fresh JVM and exits, for first-open and
 * cold-cache runs.
 */
public final class PersistBench {
  private record Mode(String name, boolean mmap, boolean verify) {}

  private static final List<Mode> MODES = List.of(new Mode("heap", false, true), new Mode("heap-noverify", false, false),
      new Mode("mmap", true, true), new Mode("mmap-noverify", true, false));

  public static void main(String[] args) throws IOException {
    Map<String, String> opt = new HashMap<>(Map.of("--n", "100000", "--dim", "384", "--queries", "1000", "--m", "16",
        "--ef-construction", "100", "--ef", "10,20,40,80", "--runs", "5", "--opens", "5", "--metric", "cosine"));
    opt.put("--threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
    opt.put("--reuse", "false");
    opt.put("--search", "all");
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length || !args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value pairs, got " + Arrays.toString(args));
      }
      opt.put(args[i], args[i + 1]);
    }
    if (!opt.containsKey("--dir")) {
      throw new IllegalArgumentException("--dir DIR is required (the index files go there)");
    }
    Path dir = Path.of(opt.get("--dir"));
    if (opt.containsKey("--open-only")) {
      Mode mode = MODES.stream().filter(m -> m.name().equals(opt.get("--open-only"))).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("--open-only takes one of " + MODES));
      long t0 = System.nanoTime();
      try (HnswIndex index = HnswIndex.open(dir, "bench", mode.mmap(), mode.verify())) {
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "open %s (fresh JVM): %.1f ms, %,d vectors, heap %.1f MB, mapped %.1f MB%n",
            mode.name(), (t1 - t0) / 1e6, index.size(), index.ramBytesUsed() / 1e6, index.mappedBytes() / 1e6);
      }
      return;
    }
    run(dir, opt);
  }

  private static void run(Path dir, Map<String, String> opt) throws IOException {
    int n = Integer.parseInt(opt.get("--n"));
    int dim = Integer.parseInt(opt.get("--dim"));
    int nq = Integer.parseInt(opt.get("--queries"));
    int runs = Integer.parseInt(opt.get("--runs"));
    int opens = Integer.parseInt(opt.get("--opens"));
    int threads = Integer.parseInt(opt.get("--threads"));
    int[] efs = Arrays.stream(opt.get("--ef").split(",")).mapToInt(Integer::parseInt).toArray();
    Metric metric = Metric.parse(opt.get("--metric"));
    Files.createDirectories(dir);

    float[][] all = clustered(new Random(42), n + nq, dim);
    float[][] base = Arrays.copyOfRange(all, 0, n);
    float[][] queries = Arrays.copyOfRange(all, n, n + nq);
    System.out.printf(Locale.ROOT, "synthetic clustered %,d x %d, %s, %,d queries, k=10, M=%s, efConstruction=%s, "
        + "%d build threads%n", n, dim, metric, nq, opt.get("--m"), opt.get("--ef-construction"), threads);
    int[][] truth = groundTruth(base, queries, metric, threads);

    HnswIndex built = null;
    boolean reuse = Boolean.parseBoolean(opt.get("--reuse")) && Files.exists(dir.resolve("bench.hnsw"));
    if (!reuse) {
      HnswConfig config = HnswConfig.builder().m(Integer.parseInt(opt.get("--m")))
          .efConstruction(Integer.parseInt(opt.get("--ef-construction"))).build();
      built = new HnswIndex(dim, metric, config);
      long t0 = System.nanoTime();
      built.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
      long t1 = System.nanoTime();
      built.save(dir, "bench");
      long t2 = System.nanoTime();
      System.out.printf(Locale.ROOT, "build %.1f s; save %.0f ms: ", (t1 - t0) / 1e9, (t2 - t1) / 1e6);
    }
    System.out.printf(Locale.ROOT, "bench.vec %.1f MB, bench.hnsw %.1f MB%n",
        Files.size(dir.resolve("bench.vec")) / 1e6, Files.size(dir.resolve("bench.hnsw")) / 1e6);

    System.out.printf(Locale.ROOT, "%nopen times, files in the page cache, %d rounds over the modes, GC before each "
        + "open:%n", opens);
    double[][] ms = new double[MODES.size()][opens];
    String[] memory = new String[MODES.size()];
    for (int round = 0; round < opens; round++) {
      for (int m = 0; m < MODES.size(); m++) {
        Mode mode = MODES.get(m);
        System.gc();
        long s = System.nanoTime();
        try (HnswIndex index = HnswIndex.open(dir, "bench", mode.mmap(), mode.verify())) {
          ms[m][round] = (System.nanoTime() - s) / 1e6;
          memory[m] = String.format(Locale.ROOT, "heap %.1f MB, mapped %.1f MB", index.ramBytesUsed() / 1e6,
              index.mappedBytes() / 1e6);
        }
      }
    }
    for (int m = 0; m < MODES.size(); m++) {
      double[] sorted = ms[m].clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "  %-14s median %6.1f ms   min %6.1f ms   max %6.1f ms   (%s)%n",
          MODES.get(m).name(), sorted[opens / 2], sorted[0], sorted[opens - 1], memory[m]);
    }

    try (HnswIndex heap = HnswIndex.open(dir, "bench", false); HnswIndex mapped = HnswIndex.open(dir, "bench", true)) {
      List<HnswIndex> chosen = new ArrayList<>();
      List<String> chosenNames = new ArrayList<>();
      String which = opt.get("--search"); // all, heap or mmap
      if (built != null && which.equals("all")) {
        chosen.add(built);
        chosenNames.add("built (heap)");
      }
      if (!which.equals("mmap")) {
        chosen.add(heap);
        chosenNames.add("opened heap");
      }
      if (!which.equals("heap")) {
        chosen.add(mapped);
        chosenNames.add("opened mmap");
      }
      HnswIndex[] indexes = chosen.toArray(HnswIndex[]::new);
      String[] names = chosenNames.toArray(String[]::new);
      int count = indexes.length;
      System.out.printf(Locale.ROOT, "%nsearch, 1 thread, median of %d passes over %,d queries:%n", runs, nq);
      System.out.printf(Locale.ROOT, "  %-14s %5s %10s %10s %9s%n", "index", "ef", "recall@10", "QPS", "p50 ms");
      for (int ef : efs) {
        double[][] qps = new double[count][runs];
        double[][] p50 = new double[count][runs];
        double[] recall = new double[count];
        for (int i = 0; i < count; i++) {
          recall[i] = pass(indexes[i], queries, truth, ef, null); // warm-up, and the recall
          pass(indexes[i], queries, truth, ef, null);
        }
        for (int r = 0; r < runs; r++) {
          for (int i = 0; i < count; i++) { // interleaved, so machine noise hits all alike
            double[] latencies = new double[nq];
            long s = System.nanoTime();
            pass(indexes[i], queries, truth, ef, latencies);
            qps[i][r] = nq / ((System.nanoTime() - s) / 1e9);
            Arrays.sort(latencies);
            p50[i][r] = latencies[nq / 2];
          }
        }
        for (int i = 0; i < count; i++) {
          Arrays.sort(qps[i]);
          Arrays.sort(p50[i]);
          System.out.printf(Locale.ROOT, "  %-14s %5d %10.4f %10.0f %9.3f%n", names[i], ef, recall[i],
              qps[i][runs / 2], p50[i][runs / 2]);
        }
      }
    }
  }

  /** One pass over the queries; returns mean recall@10, and per-query latencies in ms when asked. */
  private static double pass(HnswIndex index, float[][] queries, int[][] truth, int ef, double[] latencies) {
    double recall = 0;
    SearchParams params = SearchParams.ef(ef);
    for (int q = 0; q < queries.length; q++) {
      long s = latencies == null ? 0 : System.nanoTime();
      SearchResult r = index.search(queries[q], 10, params, null);
      if (latencies != null) {
        latencies[q] = (System.nanoTime() - s) / 1e6;
      }
      int hits = 0;
      for (int ord : r.ordinals()) {
        for (int t : truth[q]) {
          if (t == ord) {
            hits++;
            break;
          }
        }
      }
      recall += hits / 10.0;
    }
    return recall / queries.length;
  }

  /** 64 Gaussian clusters (the generator of {@code quiver bench --synthetic}). */
  private static float[][] clustered(Random rnd, int count, int dim) {
    float[][] centres = new float[64][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) rnd.nextGaussian();
      }
    }
    float[][] out = new float[count][dim];
    for (float[] v : out) {
      float[] c = centres[rnd.nextInt(centres.length)];
      for (int d = 0; d < dim; d++) {
        v[d] = c[d] + (float) (rnd.nextGaussian() * 0.35);
      }
    }
    return out;
  }

  private static int[][] groundTruth(float[][] base, float[][] queries, Metric metric, int threads) {
    FlatIndex flat = new FlatIndex(base[0].length, metric);
    flat.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
    SearchResult[] results = flat.searchBatch(queries, 10, null, threads);
    List<int[]> truth = new ArrayList<>();
    for (SearchResult r : results) {
      truth.add(r.ordinals());
    }
    return truth.toArray(int[][]::new);
  }
}
