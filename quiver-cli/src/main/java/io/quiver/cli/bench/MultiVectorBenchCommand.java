package io.quiver.cli.bench;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.MultiVectorConfig;
import io.quiver.collection.MultiVectorSearchRequest;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench-multivector}: loads synthetic clustered multi-vector documents (each a few "topics" of a shared
 * set of centres, every vector a centre plus Gaussian noise, cosine) into an embedded collection sealed as one
 * segment, then measures single-threaded QPS and recall@10 of the FDE graph search (per candidate pool) against exact
 * MaxSim, whose QPS is measured on the same queries.
 */
@Command(name = "bench-multivector", mixinStandardHelpOptions = true,
    description = "Recall@10 and QPS of multi-vector (MaxSim) search through MUVERA FDEs against exact MaxSim, on"
        + " synthetic clustered documents.",
    footer = {"", "Example: ./quiver bench-multivector --docs 100000 --dim 128 --min-vectors 8 --max-vectors 32"})
public final class MultiVectorBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--docs", defaultValue = "100000", description = "documents (default: ${DEFAULT-VALUE})")
  int docs;

  @Option(names = "--dim", defaultValue = "128", description = "vector size (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(names = "--min-vectors", defaultValue = "8", description = "fewest vectors per document and query")
  int minVectors;

  @Option(names = "--max-vectors", defaultValue = "32", description = "most vectors per document and query")
  int maxVectors;

  @Option(names = "--centres", defaultValue = "1000", description = "cluster centres (default: ${DEFAULT-VALUE})")
  int centres;

  @Option(names = "--noise", defaultValue = "0.5", description = "per-component noise, centres are N(0,1) "
      + "(default: ${DEFAULT-VALUE})")
  float noise;

  @Option(names = "--queries", defaultValue = "50", description = "queries (default: ${DEFAULT-VALUE})")
  int queries;

  @Option(names = "--candidates", split = ",", defaultValue = "100,200,400",
      description = "FDE candidate pools to measure (default: ${DEFAULT-VALUE})")
  List<Integer> candidates;

  @Option(names = "--seed", defaultValue = "42", description = "data seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--dir", description = "database directory (default: a temporary one, deleted after)")
  Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Random rnd = new Random(seed);
    float[][] c = new float[centres][dim];
    for (float[] row : c) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) rnd.nextGaussian();
      }
    }
    Path db = dir != null ? dir : Files.createTempDirectory("quiver-mv-bench");
    try (Quiver quiver = Quiver.open(db)) {
      Collection col = quiver.exists("mv") ? quiver.collection("mv") : load(quiver, rnd, c, out);
      Random qr = new Random(seed + 1); // the same queries whether or not the documents were loaded now
      List<float[]> qs = new ArrayList<>();
      for (int i = 0; i < queries; i++) {
        qs.add(clustered(qr, c));
      }
      measure(col, qs, out);
    } finally {
      if (dir == null) {
        delete(db);
      }
    }
    return 0;
  }

  /** Loads the documents into a new collection sealed as one segment (a --dir run reuses it next time). */
  private Collection load(Quiver quiver, Random rnd, float[][] c, PrintWriter out) throws Exception {
    Collection col = quiver.createCollection("mv", CollectionConfig.builder()
        .vector("m", VectorParams.of(dim, Metric.COSINE).withMultivector(MultiVectorConfig.MAX_SIM))
        .durability(Durability.PERIODIC).sealThreshold(docs).build());
    long t0 = System.nanoTime();
    long vectors = 0;
    List<Point> batch = new ArrayList<>();
    for (int d = 0; d < docs; d++) {
      float[] m = clustered(rnd, c);
      vectors += m.length / dim;
      batch.add(new Point(PointId.of(d), Map.of("m", m), null));
      if (batch.size() == 1000 || d == docs - 1) {
        col.upsert(batch);
        batch.clear();
      }
    }
    long t1 = System.nanoTime();
    col.flush();
    long t2 = System.nanoTime();
    out.printf(Locale.ROOT, "%d documents, %d vectors of %d (%.1f per document); loaded in %.1f s, sealed (FDE "
        + "graph built) in %.1f s%n", docs, vectors, dim, (double) vectors / docs, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    out.flush();
    return col;
  }

  /** Exact MaxSim QPS (also the truth), then recall@10 and QPS per candidate pool, one thread. */
  private void measure(Collection col, List<float[]> qs, PrintWriter out) {
    List<Set<PointId>> truth = new ArrayList<>();
    long e0 = System.nanoTime();
    for (float[] q : qs) {
      truth.add(ids(col.search(MultiVectorSearchRequest.builder(q, "m").limit(10).exact(true).build())));
    }
    double exactQps = qs.size() / ((System.nanoTime() - e0) / 1e9);
    out.printf(Locale.ROOT, "exact MaxSim: %.2f QPS%n", exactQps);
    for (int pool : candidates) {
      for (float[] q : qs.subList(0, Math.min(5, qs.size()))) { // warm-up
        col.search(MultiVectorSearchRequest.builder(q, "m").limit(10).candidates(pool).build());
      }
      int found = 0;
      long s0 = System.nanoTime();
      for (int i = 0; i < qs.size(); i++) {
        Set<PointId> got = ids(col.search(MultiVectorSearchRequest.builder(qs.get(i), "m").limit(10)
            .candidates(pool).build()));
        got.retainAll(truth.get(i));
        found += got.size();
      }
      double qps = qs.size() / ((System.nanoTime() - s0) / 1e9);
      out.printf(Locale.ROOT, "FDE graph + rerank, candidates %d: recall@10 %.4f, %.1f QPS (%.0fx exact)%n", pool,
          found / (10.0 * qs.size()), qps, qps / exactQps);
      out.flush();
    }
  }

  private float[] clustered(Random rnd, float[][] c) {
    int n = minVectors + rnd.nextInt(maxVectors - minVectors + 1);
    float[] out = new float[n * dim];
    int topics = 1 + rnd.nextInt(3);
    int[] pick = rnd.ints(topics, 0, c.length).toArray();
    for (int v = 0; v < n; v++) {
      float[] centre = c[pick[rnd.nextInt(topics)]];
      for (int i = 0; i < dim; i++) {
        out[v * dim + i] = centre[i] + noise * (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  private static Set<PointId> ids(List<ScoredPoint> hits) {
    Set<PointId> out = new HashSet<>();
    hits.forEach(h -> out.add(h.id()));
    return out;
  }

  private static void delete(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
