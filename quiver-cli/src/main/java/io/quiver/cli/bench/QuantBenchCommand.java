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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench-quant}: one sealed collection per quantization mode over a data set (float32, int8, float16,
 * binary, product), each measured the same way: build time, bytes per vector in RAM (codes, graph, vectors on the
 * heap) and on disk (mapped vectors), and single-thread recall@k / QPS at each ef.
 */
@Command(name = "bench-quant", mixinStandardHelpOptions = true,
    description = "Recall, QPS, RAM bytes per vector and build time per quantization mode, through a collection.")
public final class QuantBenchCommand implements Callable<Integer> {
  @Option(names = "--data", description = "data set directory (default ../shared/datasets/fashion-mnist-784-euclidean)")
  Path data = Path.of("..", "shared", "datasets", "fashion-mnist-784-euclidean");

  @Option(names = "--modes", split = ",", description = "float32,int8,float16,binary,pq8,pq16,pq32,pq64"
      + " (default float32,int8,float16,binary,pq16)")
  List<String> modes = List.of("float32", "int8", "float16", "binary", "pq16");

  @Option(names = "--ef", split = ",", description = "search breadths (default 32,64,128)")
  List<Integer> efs = List.of(32, 64, 128);

  @Option(names = "--synthetic", description = "no data set: this many generated clustered vectors instead")
  int synthetic = 0;

  @Option(names = "--dim", description = "dimension of --synthetic data (default ${DEFAULT-VALUE})")
  int dim = 384;

  @Mixin
  QueryOptions queryOptions = new QueryOptions(1000);

  /** Warm-up: at least one pass and 5 s per mode and ef before its timed rounds. */
  @Mixin
  RunOptions runOptions = new RunOptions(5.0);

  @Spec
  CommandSpec spec;


  /** One pass of every query at {@code ef}: {QPS, mean recall@k}. */
  private double[] timedPass(Collection c, Dataset d, int ef) {
    int k = queryOptions.k();
    double sum = 0;
    long s0 = System.nanoTime();
    for (int qi = 0; qi < d.queries().length; qi++) {
      List<ScoredPoint> hits = c.search(SearchRequest.builder(d.queries()[qi]).limit(k).ef(ef).build());
      int[] found = new int[hits.size()];
      for (int i = 0; i < found.length; i++) {
        found[i] = (int) ((PointId.Num) hits.get(i).id()).value();
      }
      sum += BenchCommand.recall(found, d.groundTruth()[qi], k);
    }
    return new double[] {d.queries().length / ((System.nanoTime() - s0) / 1e9), sum / d.queries().length};
  }

  private static double median(double[] xs) {
    double[] c = xs.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  static QuantizationConfig mode(String m) {
    return switch (m) {
      case "float32" -> null;
      case "int8" -> QuantizationConfig.int8(1f);
      case "float16" -> QuantizationConfig.float16();
      case "binary" -> QuantizationConfig.binary();
      default -> {
        if (m.matches("pq(4|8|16|32|64)")) {
          yield QuantizationConfig.product(Integer.parseInt(m.substring(2)));
        }
        throw new IllegalArgumentException("unknown mode " + m + " (float32, int8, float16, binary, pq4..pq64)");
      }
    };
  }

  @Override
  public Integer call() throws Exception {
    queryOptions.validate(spec.commandLine());
    runOptions.validate(spec.commandLine());
    int k = queryOptions.k();
    int runs = queryOptions.runs();
    modes = List.copyOf(new LinkedHashSet<>(modes)); // each mode once: they are all open together
    Dataset d;
    if (synthetic > 0 || !Files.isDirectory(data)) {
      if (synthetic == 0) {
        System.err.println("bench-quant: " + data + " not found; using generated clustered data (20,000 x " + dim + ")");
      }
      d = Dataset.synthetic(synthetic > 0 ? synthetic : 20_000, queryOptions.generated(), dim, Metric.COSINE,
          runOptions.seed(), k);
    } else {
      Path[] f = Dataset.filesIn(data);
      d = Dataset.load(data.getFileName().toString(), f[0], f[1], f[2], Dataset.metricFromName(
          data.getFileName().toString()), -1, queryOptions.fromFile(), k);
    }
    int n = d.base().length;
    int dimension = d.base()[0].length;
    System.out.printf(Locale.ROOT, "## Quantization: %s, %,d x %d (%s), %d queries, k=%d%n%n", d.name(), n,
        dimension, d.metric(), d.queries().length, k);
    System.out.println("| mode | build s | RAM B/vector (codes + graph + heap vectors) | mapped B/vector | ef | recall@"
        + k + " | QPS | vs float32 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    List<String> jsonLines = new ArrayList<>();
    Path dir = Files.createTempDirectory("quiver-bench-quant-");
    try (Quiver db = Quiver.open(dir)) {
      // every mode is built first and stays open: the modes are then timed in interleaved rounds, so drift in the
      // machine's speed (a shared 2-vCPU host) lands on all of them alike
      Map<String, Collection> built = new LinkedHashMap<>();
      Map<String, Double> buildSeconds = new LinkedHashMap<>();
      for (String m : modes) {
        long t0 = System.nanoTime();
        Collection c = db.createCollection("m-" + m, CollectionConfig.builder()
            .vector(VectorParams.of(dimension, d.metric())).durability(Durability.PERIODIC).sealThreshold(n + 1)
            .indexingLag(n).quantization(mode(m)).build());
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batch.add(Point.of(i, d.base()[i], null));
          if (batch.size() == 1000) {
            c.upsert(batch);
            batch.clear();
          }
        }
        c.upsert(batch);
        c.awaitIndexed();
        c.flush();
        buildSeconds.put(m, (System.nanoTime() - t0) / 1e9);
        built.put(m, c);
      }
      for (int ef : efs) {
        // warm-up by time, not count: the Vector API kernels reach C2 only after seconds, and 3,000 searches (0.2 s
        // on SciFact) left the first-timed mode at two thirds of its speed
        for (Collection c : built.values()) {
          long until = System.nanoTime() + runOptions.warmupNanos();
          do {
            for (float[] query : d.queries()) {
              c.search(SearchRequest.builder(query).limit(k).ef(ef).build());
            }
          } while (System.nanoTime() < until);
        }
        Map<String, Double> recall = new LinkedHashMap<>();
        Map<String, double[]> qps = new LinkedHashMap<>();
        for (var e : built.entrySet()) {
          recall.put(e.getKey(), timedPass(e.getValue(), d, ef)[1]);
          qps.put(e.getKey(), new double[runs]);
        }
        List<String> order = new ArrayList<>(built.keySet());
        for (int run = 0; run < runs; run++) {
          for (int j = 0; j < order.size(); j++) {
            String m = order.get((run + j) % order.size()); // rotate who goes first
            qps.get(m)[run] = timedPass(built.get(m), d, ef)[0];
          }
        }
        double base = qps.containsKey("float32") ? median(qps.get("float32")) : Double.NaN;
        for (String m : order) {
          Collection c = built.get(m);
          CollectionInfo info = c.info();
          double q = median(qps.get(m));
          System.out.printf(Locale.ROOT, "| %s | %.1f | %,d | %,d | %d | %.4f | %,.0f | %s |%n", m, buildSeconds.get(m),
              info.heapBytes() / n, info.mappedBytes() / n, ef, recall.get(m), q,
              Double.isNaN(base) ? "-" : String.format(Locale.ROOT, "%.2fx", q / base));
          String line = String.format(Locale.ROOT, "{\"bench\":\"quant\",\"dataset\":\"%s\",\"mode\":\"%s\",\"ef\":%d,"
                  + "\"recall\":%.4f,\"qps\":%.1f,\"qps_runs\":%s,\"build_s\":%.2f,\"ram_bytes_per_vector\":%d,"
                  + "\"codes_bytes_per_vector\":%d,\"mapped_bytes_per_vector\":%d}", d.name(), m, ef, recall.get(m), q,
              Arrays.toString(qps.get(m)), buildSeconds.get(m), info.heapBytes() / n, info.quantizedBytes() / n,
              info.mappedBytes() / n);
          System.out.println(line);
          jsonLines.add(line);
        }
        System.out.flush();
      }
    } finally {
      AtomicFiles.deleteTree(dir);
    }
    runOptions.appendJson(jsonLines);
    return 0;
  }
}
