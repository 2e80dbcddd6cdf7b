package io.quiver.bench.jmh;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.SparseSearchRequest;
import io.quiver.collection.SparseVector;
import io.quiver.collection.SparseVectorParams;
import io.quiver.storage.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does one sparse query take on a SciFact-sized collection, single-threaded?
 *
 * <p>{@code docs} points (5,000: SciFact's corpus is 5,183) each hold a sparse vector of about {@code nnz} distinct
 * indices of a {@code vocab}-term vocabulary, drawn log-uniformly (term {@code floor(vocab^u)}, u uniform), so a few
 * terms are in most documents and most terms in few, as in text; values uniform in (0, 1]. Queries draw
 * {@code queryNnz} indices the same way, so common terms, with the longest posting lists, are in most queries. The
 * collection is sealed ({@code segment=sealed}: the inverted index file) or still in the mutable segment; the field's
 * modifier is {@code none} or {@code idf} (IDF adds a pass counting the query terms' live postings). Results are
 * sampled per query: JMH's {@code p0.50} is the median latency. The shaded CLI jar brings the collection's
 * dependencies (Jackson, RoaringBitmap).
 *
 * <pre>
 * java -cp quiver-bench/target/quiver-bench.jar:quiver-cli/target/quiver-cli.jar \
 *     org.openjdk.jmh.Main SparseSearchBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class SparseSearchBenchmark {
  private static final int QUERIES = 1024;

  @Param({"5000"})
  public int docs;

  @Param({"100"})
  public int nnz;

  @Param({"30000"})
  public int vocab;

  @Param({"10", "100"})
  public int queryNnz;

  @Param({"sealed", "mutable"})
  public String segment;

  @Param({"none", "idf"})
  public String modifier;

  private Path dir;
  private Quiver db;
  private Collection collection;
  private SparseVector[] queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("sparse-bench");
    db = Quiver.open(dir);
    collection = db.createCollection("bench", CollectionConfig.builder()
        .sparseVector("text", SparseVectorParams.of(SparseVectorParams.Modifier.parse(modifier)))
        .sealThreshold(docs + 1).build());
    SplittableRandom rnd = new SplittableRandom(42);
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      batch.add(new Point(PointId.of(i), Map.of(), null, Map.of("text", vector(rnd, nnz))));
      if (batch.size() == 500) {
        collection.upsert(batch);
        batch.clear();
      }
    }
    collection.upsert(batch);
    if (segment.equals("sealed")) {
      collection.flush();
    }
    queries = new SparseVector[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = vector(rnd, queryNnz);
    }
  }

  private SparseVector vector(SplittableRandom rnd, int n) {
    int[] idx = rnd.ints(4L * n, 0, Integer.MAX_VALUE)
        .map(x -> (int) Math.pow(vocab, (double) x / Integer.MAX_VALUE) - 1).distinct().limit(n).toArray();
    float[] val = new float[idx.length];
    for (int i = 0; i < val.length; i++) {
      val[i] = 1f - (float) rnd.nextDouble();
    }
    return new SparseVector(idx, val);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    db.close();
    AtomicFiles.deleteTree(dir);
  }

  @Benchmark
  public Object top10() {
    SparseVector q = queries[next++ & (QUERIES - 1)];
    return collection.search(SparseSearchRequest.builder(q, "text").limit(10).build());
  }
}
