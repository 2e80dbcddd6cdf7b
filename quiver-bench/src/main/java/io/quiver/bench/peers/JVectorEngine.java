package io.quiver.bench.peers;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.BuildParams;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * JVector's on-heap graph (DiskANN/Vamana family, with an HNSW-style hierarchy on top), searched with exact
 * full-precision scores: no product quantization and no reranking.
 *
 * <p>Build settings: JVector's degree is the base-layer degree, so HNSW's {@code M} maps to {@code maxDegree = 2M}
 * (HNSW keeps 2M neighbours at level 0); {@code beamWidth = efConstruction}; {@code neighborOverflow = 1.2} and
 * {@code alpha = 1.2} (JVector's defaults and what its own benchmarks use); {@code addHierarchy = true} and
 * {@code refineFinalGraph = true} (JVector 4's defaults). Both of JVector's pools (SIMD and parallel) are
 * {@code ForkJoinPool(threads)}.
 *
 * <p>Search: one {@link GraphSearcher} per thread, {@code search(exactProvider, topK = k, rerankK = ef, 0, 0,
 * Bits.ALL)}: with an exact score function the beam holds {@code rerankK = ef} candidates and the best {@code k}
 * come back, i.e. "search with ef, return k".
 */
final class JVectorEngine implements AnnEngine {

  static final float NEIGHBOR_OVERFLOW = 1.2f;
  static final float ALPHA = 1.2f;

  private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

  private Metric metric;
  private VectorSimilarityFunction similarity;
  private RandomAccessVectorValues ravv;
  private ImmutableGraphIndex graph;
  private long vectorBytes;
  private final List<GraphSearcher> searchers = new ArrayList<>();
  private final ThreadLocal<GraphSearcher> searcher = ThreadLocal.withInitial(this::newSearcher);

  static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      case DOT -> VectorSimilarityFunction.DOT_PRODUCT;
      // vectors (and queries) are normalised first, so the dot product is the cosine
      case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
      case L1 -> throw new IllegalArgumentException("JVector has no L1 similarity");
    };
  }

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public String version() {
    return PeerSupport.libraryVersion(GraphIndexBuilder.class, "io.github.jbellis", "jvector-base", "jvector");
  }

  // The explicit constructor is deprecated in 4.x in favour of GraphIndexBuilder.builder(...), which reads
  // addHierarchy and refineFinalGraph from the process-wide, JMX-mutable GraphIndexBuilderConfig; the explicit form
  // pins them (to the same defaults, true and true) so runs cannot drift.
  @SuppressWarnings("deprecation")
  @Override
  public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception {
    this.metric = metric;
    this.similarity = similarity(metric);
    int dim = PeerSupport.dimension(base);
    int n = base.length;
    float[][] data = PeerSupport.prepare(base, metric);
    List<VectorFloat<?>> list = new ArrayList<>(n);
    for (float[] v : data) {
      list.add(VTS.createFloatVector(v));
    }
    this.ravv = new ListRandomAccessVectorValues(list, dim);
    this.vectorBytes = (long) n * dim * Float.BYTES;

    int threads = Math.max(1, params.threads());
    ForkJoinPool simd = new ForkJoinPool(threads);
    ForkJoinPool parallel = new ForkJoinPool(threads);
    PeerSupport.Ticker ticker = new PeerSupport.Ticker(progress, n);
    try (GraphIndexBuilder builder = new GraphIndexBuilder(
        BuildScoreProvider.randomAccessScoreProvider(ravv, similarity),
        dim,
        2 * params.m(),
        params.efConstruction(),
        NEIGHBOR_OVERFLOW,
        ALPHA,
        true, // addHierarchy
        true, // refineFinalGraph
        simd,
        parallel)) {
      // Exactly what GraphIndexBuilder.build(ravv) does in 4.0.2, plus a progress tick per inserted node.
      Supplier<RandomAccessVectorValues> vv = ravv.threadLocalSupplier();
      simd.submit(() -> IntStream.range(0, n).parallel().forEach(node -> {
        builder.addGraphNode(node, vv.get().getVector(node));
        ticker.tick();
      })).join();
      builder.cleanup();
      graph = builder.getGraph();
    } finally {
      simd.shutdown();
      parallel.shutdown();
    }
    ticker.finish();
  }

  private GraphSearcher newSearcher() {
    GraphSearcher s = new GraphSearcher(graph);
    synchronized (searchers) {
      searchers.add(s);
    }
    return s;
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    float[] q = PeerSupport.prepareQuery(query, metric);
    var ssp = DefaultSearchScoreProvider.exact(VTS.createFloatVector(q), similarity, ravv);
    SearchResult result = searcher.get().search(ssp, k, Math.max(ef, k), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes(); // best first
    int[] ids = new int[Math.min(k, nodes.length)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }

  @Override
  public long ramBytesUsed() {
    return graph == null ? -1 : graph.ramBytesUsed() + vectorBytes;
  }

  @Override
  public void close() throws Exception {
    synchronized (searchers) {
      for (GraphSearcher s : searchers) {
        s.close();
      }
      searchers.clear();
    }
    if (graph != null) {
      graph.close();
      graph = null;
    }
  }
}
