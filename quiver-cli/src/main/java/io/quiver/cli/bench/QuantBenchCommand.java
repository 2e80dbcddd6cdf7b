package io.quiver.cli.bench;

import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.Point;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.VectorParams;
import io.quiver.filter.PointId;
import io.quiver.storage.wal.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

  @Option(names = "--queries", description = "queries (default ${DEFAULT-VALUE})")
  int queries = 1000;

  @Option(names = "--k", description = "neighbours (default ${DEFAULT-VALUE})")
  int k = 10;

  @Option(names = "--runs", description = "timed passes per ef; the median is reported (default ${DEFAULT-VALUE})")
  int runs = 3;

  @Option(names = "--synthetic", description = "no data set: this many generated clustered vectors instead")
  int synthetic = 0;

  @Option(names = "--dim", description = "dimension of --synthetic data (default ${DEFAULT-VALUE})")
  int dim = 384;

  /** Searches run before a mode's first timed pass. */
  static final int WARMUP_SEARCHES = 3_000;

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
    Dataset d;
    if (synthetic > 0 || !Files.isDirectory(data)) {
      if (synthetic == 0) {
        System.err.println("bench-quant: " + data + " not found; using generated clustered data (20,000 x " + dim + ")");
      }
      d = Dataset.synthetic(synthetic > 0 ? synthetic : 20_000, queries, dim, io.quiver.distance.Metric.COSINE, 42, k);
    } else {
      Path[] f = Dataset.filesIn(data);
      d = Dataset.load(data.getFileName().toString(), f[0], f[1], f[2], Dataset.metricFromName(
          data.getFileName().toString()), -1, queries, k);
    }
    int n = d.base().length;
    int dimension = d.base()[0].length;
    System.out.printf(Locale.ROOT, "## Quantization: %s, %,d x %d (%s), %d queries, k=%d%n%n", d.name(), n,
        dimension, d.metric(), d.queries().length, k);
    System.out.println("| mode | build s | RAM B/vector (codes + graph + heap vectors) | mapped B/vector | ef | recall@"
        + k + " | QPS |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    Path dir = Files.createTempDirectory("quiver-bench-quant-");
    try (Quiver db = Quiver.open(dir)) {
      for (String m : modes) {
        QuantizationConfig q = mode(m);
        long t0 = System.nanoTime();
        Collection c = db.createCollection("m-" + m, CollectionConfig.builder()
            .vector(VectorParams.of(dimension, d.metric())).durability(Durability.PERIODIC).sealThreshold(n + 1)
            .indexingLag(n).quantization(q).build());
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
        double build = (System.nanoTime() - t0) / 1e9;
        CollectionInfo info = c.info();
        // warm-up: each mode's scorer compiles on first use; 300 SciFact queries were too few (a mode's first ef
        // measured at a third of its second)
        for (int i = 0; i < Math.max(WARMUP_SEARCHES, d.queries().length); i++) {
          c.search(SearchRequest.builder(d.queries()[i % d.queries().length]).limit(k).ef(efs.get(0)).build());
        }
        for (int ef : efs) {
          double[] qps = new double[runs];
          double recall = 0;
          for (float[] query : d.queries()) { // and one pass at this ef
            c.search(SearchRequest.builder(query).limit(k).ef(ef).build());
          }
          for (int run = 0; run < runs; run++) {
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
            qps[run] = d.queries().length / ((System.nanoTime() - s0) / 1e9);
            recall = sum / d.queries().length;
          }
          Arrays.sort(qps);
          System.out.printf(Locale.ROOT, "| %s | %.1f | %,d | %,d | %d | %.4f | %,.0f |%n", m, build,
              info.heapBytes() / n, info.mappedBytes() / n, ef, recall, qps[runs / 2]);
          System.out.printf(Locale.ROOT, "{\"bench\":\"quant\",\"dataset\":\"%s\",\"mode\":\"%s\",\"ef\":%d,"
                  + "\"recall\":%.4f,\"qps\":%.1f,\"build_s\":%.2f,\"ram_bytes_per_vector\":%d,\"codes_bytes_per_vector\":%d,"
                  + "\"mapped_bytes_per_vector\":%d}%n", d.name(), m, ef, recall, qps[runs / 2], build,
              info.heapBytes() / n, info.quantizedBytes() / n, info.mappedBytes() / n);
        }
        db.deleteCollection(c.name());
      }
    } finally {
      io.quiver.storage.AtomicFiles.deleteTree(dir);
    }
    return 0;
  }
}
