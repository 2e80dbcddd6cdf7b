package io.quiver.bench.peers;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.BuildParams;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Version;
import org.apache.lucene.util.hnsw.HnswBuilder;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's HNSW graph used directly on heap, without a codec, an index writer or segments: the fastest path Lucene
 * has, so the comparison flatters Lucene rather than penalising it.
 *
 * <p>Build: {@link HnswGraphBuilder#create} (single thread) or, for {@code threads > 1}, Lucene's
 * {@link HnswConcurrentMergeBuilder} (the builder Lucene's merges use with {@code numMergeWorkers > 1}) over an empty
 * {@link OnHeapHnswGraph}. Lucene's M is the upper-level degree; level 0 keeps 2M, as in HNSW.
 *
 * <p>Search: {@link HnswGraphSearcher#search(RandomVectorScorer, org.apache.lucene.search.KnnCollector,
 * org.apache.lucene.util.hnsw.HnswGraph, org.apache.lucene.util.Bits)} with a {@code TopKnnCollector(ef, MAX)}:
 * the beam collects {@code ef} candidates and the first {@code k} are returned.
 *
 * <p>Scores go through {@link FlatVectorScorerUtil#getLucene99FlatVectorsScorer()} (the scorer Lucene's HNSW codec
 * uses). With {@code jdk.incubator.vector} present that is {@code Lucene99MemorySegmentFlatVectorsScorer}, which
 * for on-heap float vectors hands out exactly {@code DefaultFlatVectorScorer}'s scorers (same classes, same speed,
 * checked), and those compute with Lucene's {@code VectorUtil}, i.e. its Panama implementation
 * ("Java vector incubator API enabled" in the log).
 */
final class LuceneHnswEngine implements AnnEngine {

  /** Seed for Lucene's level assignment; fixed so builds are reproducible. */
  static final long SEED = 42L;

  private final FlatVectorsScorer flatScorer = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
  private Metric metric;
  private VectorSimilarityFunction similarity;
  private FloatVectorValues vectors;
  private OnHeapHnswGraph graph;
  private long vectorBytes;

  static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      // raw inner products on vectors of any length; Lucene's DOT_PRODUCT assumes unit vectors
      case DOT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      // vectors (and queries) are normalised first, so the dot product is the cosine
      case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
      case L1 -> throw new IllegalArgumentException("Lucene HNSW has no L1 similarity");
    };
  }

  @Override
  public String name() {
    return "lucene-hnsw";
  }

  @Override
  public String version() {
    return Version.LATEST.toString();
  }

  @Override
  public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception {
    this.metric = metric;
    this.similarity = similarity(metric);
    int dim = PeerSupport.dimension(base);
    int n = base.length;
    float[][] data = PeerSupport.prepare(base, metric);
    this.vectors = FloatVectorValues.fromFloats(Arrays.asList(data), dim);
    this.vectorBytes = (long) n * dim * Float.BYTES;
    RandomVectorScorerSupplier supplier = flatScorer.getRandomVectorScorerSupplier(similarity, vectors);

    PeerSupport.Ticker ticker = new PeerSupport.Ticker(progress, n);
    int threads = Math.max(1, params.threads());
    if (threads == 1) {
      HnswGraphBuilder builder = HnswGraphBuilder.create(supplier, params.m(), params.efConstruction(), SEED, n);
      // the abort check runs once at the start of every node insertion: a free progress hook
      builder.setAbortCheck(ticker::tick);
      graph = builder.build(n);
    } else {
      // HnswConcurrentMergeBuilder wants an OnHeapHnswGraph sized for n nodes, whose constructor is package-private;
      // a (never built) HnswGraphBuilder makes exactly that empty graph, as ConcurrentHnswMerger does without readers.
      OnHeapHnswGraph empty =
          HnswGraphBuilder.create(supplier, params.m(), params.efConstruction(), SEED, n).getGraph();
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "lucene-hnsw-build");
        t.setDaemon(true);
        return t;
      });
      try {
        HnswBuilder builder = new HnswConcurrentMergeBuilder(
            new TaskExecutor(pool), threads, supplier, params.m(), params.efConstruction(), empty, null);
        builder.setAbortCheck(ticker::tick);
        graph = builder.build(n);
      } finally {
        pool.shutdownNow();
      }
    }
    ticker.finish();
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    try {
      float[] q = PeerSupport.prepareQuery(query, metric);
      RandomVectorScorer scorer = flatScorer.getRandomVectorScorer(similarity, vectors, q);
      TopKnnCollector collector = new TopKnnCollector(Math.max(ef, k), Integer.MAX_VALUE);
      HnswGraphSearcher.search(scorer, collector, graph, null);
      ScoreDoc[] docs = collector.topDocs().scoreDocs; // best first
      int[] ids = new int[Math.min(k, docs.length)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = docs[i].doc; // ord == doc for FloatVectorValues.fromFloats
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long ramBytesUsed() {
    return graph == null ? -1 : graph.ramBytesUsed() + vectorBytes;
  }

  @Override
  public void close() {
    graph = null;
    vectors = null;
  }
}
