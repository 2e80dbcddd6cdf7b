package io.quiver.bench.peers;

import io.github.jbellis.jvector.disk.BufferedRandomAccessWriter;
import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.disk.SimpleReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex.ScoringView;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.feature.Feature;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.InlineVectors;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.quiver.cli.bench.disk.DiskBuildParams;
import io.quiver.cli.bench.disk.DiskEngine;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * JVector's on-disk index as its own tutorials and benchmarks run it: the graph's bottom layer with each node's
 * full-precision vector inline ({@link OnDiskGraphIndex}, {@link InlineVectors}) in one memory-mapped file, the upper
 * layers and the product-quantization codes in heap; a query walks the graph ranked by PQ scores and reranks the
 * {@code rerankK} best candidates with the inline vectors read from the file.
 *
 * <p>Build: the graph is built in heap with exact scores ({@link GraphIndexBuilder}, degree = {@code maxDegree}, beam =
 * {@code buildListSize}, {@code alpha}, neighbour overflow 1.2, hierarchy and final refinement on, both pools
 * {@code ForkJoinPool(threads)}), written by {@link OnDiskGraphIndexWriter} with inline vectors; PQ codebooks are
 * trained with {@link ProductQuantization#compute} (256 centroids per subspace, centred for L2 as JVector's
 * {@code Bench} does) and the codes of every vector saved beside the graph. The data set is copied into heap for the
 * build, as JVector's in-memory build needs random access to every vector.
 *
 * <p>PQ size: {@code dim / 4} subspaces of one byte each (32 B at 128 dims, 192 B at 768) by default. JVector's
 * {@code Bench}/YAML configs use {@code dim / 8} ({@code mFactor: 8}) and reach recall with large overquery; its
 * {@code IPCService} uses {@code dim / 4}. The larger code makes the anchor stronger at a given {@code rerankK} and
 * costs it heap, which {@link #ramBytes} reports; {@code jvector-disk-pq8} is the {@code dim / 8} variant, for
 * comparisons at equal or lower heap.
 *
 * <p>Search: {@code GraphSearcher.search(ssp, topK = k, rerankK = L, 0, 0, Bits.ALL)} with
 * {@code ssp = (PQ precomputed score function, reranker of the searcher's own on-disk view)}; one searcher (hence one
 * reader of the mapping) per thread.
 */
final class JVectorDiskEngine implements DiskEngine {

  static final String GRAPH_FILE = "graph.jvector";
  static final String PQ_FILE = "pq.jvector";
  static final float NEIGHBOR_OVERFLOW = 1.2f;
  static final int PQ_CLUSTERS = 256;
  /** Dimensions per PQ subspace (one code byte each). */
  static final int DEFAULT_DIMS_PER_PQ_BYTE = 4;

  private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

  private final String name;
  private final int dimsPerPqByte;
  private Metric metric;
  private VectorSimilarityFunction similarity;
  private ReaderSupplier readers;
  private OnDiskGraphIndex graph;
  private PQVectors pq;
  private final List<GraphSearcher> searchers = new ArrayList<>();
  private ThreadLocal<GraphSearcher> searcher;

  /**
   * An engine named {@code name} whose builds give each vector {@code dim / dimsPerPqByte} PQ code bytes; an index
   * opened from a directory keeps the code size it was built with.
   */
  JVectorDiskEngine(String name, int dimsPerPqByte) {
    if (dimsPerPqByte < 1) {
      throw new IllegalArgumentException("dimensions per PQ byte must be >= 1, got " + dimsPerPqByte);
    }
    this.name = name;
    this.dimsPerPqByte = dimsPerPqByte;
  }

  /** PQ subspaces (= code bytes per vector) for {@code dim} dimensions: {@code dim / dimsPerPqByte}, at least 1. */
  static int pqSubspaces(int dim, int dimsPerPqByte) {
    return Math.max(1, dim / dimsPerPqByte);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return PeerSupport.libraryVersion(GraphIndexBuilder.class, "io.github.jbellis", "jvector-base", "jvector");
  }

  // The explicit GraphIndexBuilder constructor pins addHierarchy and refineFinalGraph (see JVectorEngine.build).
  @SuppressWarnings("deprecation")
  @Override
  public long build(VectorSource base, Metric metric, DiskBuildParams params, Path dir, BuildProgress progress)
      throws Exception {
    VectorSimilarityFunction vsf = JVectorEngine.similarity(metric);
    int n = base.size();
    int dim = base.dimension();
    if (n == 0) {
      throw new IllegalArgumentException("empty base set");
    }
    RandomAccessVectorValues ravv = copyToHeap(base, metric);
    int threads = Math.max(1, params.threads());
    ForkJoinPool simd = new ForkJoinPool(threads);
    ForkJoinPool parallel = new ForkJoinPool(threads);
    PeerSupport.Ticker ticker = new PeerSupport.Ticker(progress, n);
    Path graphPath = dir.resolve(GRAPH_FILE);
    Path pqPath = dir.resolve(PQ_FILE);
    try (GraphIndexBuilder builder = new GraphIndexBuilder(
        BuildScoreProvider.randomAccessScoreProvider(ravv, vsf),
        dim,
        params.maxDegree(),
        params.buildListSize(),
        NEIGHBOR_OVERFLOW,
        params.alpha(),
        true, // addHierarchy
        true, // refineFinalGraph
        simd,
        parallel)) {
      // GraphIndexBuilder.build(ravv) plus a progress tick per inserted node
      Supplier<RandomAccessVectorValues> vv = ravv.threadLocalSupplier();
      simd.submit(() -> IntStream.range(0, n).parallel().forEach(node -> {
        builder.addGraphNode(node, vv.get().getVector(node));
        ticker.tick();
      })).join();
      builder.cleanup();
      ImmutableGraphIndex heapGraph = builder.getGraph();
      try (OnDiskGraphIndexWriter writer = new OnDiskGraphIndexWriter.Builder(heapGraph, graphPath)
          .with(new InlineVectors(dim))
          .build()) {
        IntFunction<Feature.State> inline = node -> new InlineVectors.State(ravv.getVector(node));
        writer.write(Map.of(FeatureId.INLINE_VECTORS, inline));
      }

      ProductQuantization codebooks = ProductQuantization.compute(ravv, pqSubspaces(dim, dimsPerPqByte), PQ_CLUSTERS,
          vsf == VectorSimilarityFunction.EUCLIDEAN, KMeansPlusPlusClusterer.UNWEIGHTED, simd, parallel);
      PQVectors codes = codebooks.encodeAll(ravv, simd);
      try (BufferedRandomAccessWriter out = new BufferedRandomAccessWriter(pqPath)) {
        codes.write(out);
      }
    } finally {
      simd.shutdown();
      parallel.shutdown();
    }
    ticker.finish();
    return Files.size(graphPath) + Files.size(pqPath);
  }

  private static RandomAccessVectorValues copyToHeap(VectorSource base, Metric metric) {
    int n = base.size();
    int dim = base.dimension();
    List<VectorFloat<?>> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = base.vector(i).clone(); // the source may reuse its buffer
      if (v.length != dim) {
        throw new IllegalArgumentException("vector " + i + " has " + v.length + " dimensions, expected " + dim);
      }
      if (metric.normalizes()) {
        VectorUtil.normalize(v);
      }
      list.add(VTS.createFloatVector(v));
    }
    return new ListRandomAccessVectorValues(list, dim);
  }

  @Override
  public void open(Path dir, Metric metric) throws Exception {
    if (graph != null) {
      throw new IllegalStateException("already open");
    }
    Path graphPath = dir.resolve(GRAPH_FILE);
    Path pqPath = dir.resolve(PQ_FILE);
    for (Path p : List.of(graphPath, pqPath)) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("no JVector index in " + dir + ": missing " + p.getFileName());
      }
    }
    this.metric = metric;
    this.similarity = JVectorEngine.similarity(metric);
    // read through a plain file reader so that every code and codebook is copied into heap, none left mapped
    try (RandomAccessReader in = new SimpleReader.Supplier(pqPath).get()) {
      this.pq = PQVectors.load(in);
    }
    // MemorySegmentReader (JDK 22+): the whole file mapped, MADV_RANDOM; the page cache holds the graph
    this.readers = ReaderSupplierFactory.open(graphPath);
    this.graph = OnDiskGraphIndex.load(readers);
    int pqDim = pq.getCompressor().getOriginalDimension();
    if (graph.getDimension() != pqDim) {
      throw new IllegalStateException("graph has " + graph.getDimension() + " dimensions, PQ codes " + pqDim);
    }
    if (graph.size(0) != pq.count()) {
      throw new IllegalStateException("graph has " + graph.size(0) + " nodes, PQ codes " + pq.count());
    }
    this.searcher = ThreadLocal.withInitial(this::newSearcher);
  }

  /** The class of the reader supplier JVector picked for the graph file (the mapping kind), for tests and logs. */
  String readerKind() {
    return readers == null ? "" : readers.getClass().getName();
  }

  /** PQ code bytes per vector of the opened index. */
  int pqBytesPerVector() {
    return pq.getCompressedSize();
  }

  private GraphSearcher newSearcher() {
    GraphSearcher s = new GraphSearcher(graph); // a view of its own, i.e. its own reader of the mapping
    synchronized (searchers) {
      searchers.add(s);
    }
    return s;
  }

  @Override
  public int[] search(float[] query, int k, int listSize) {
    if (graph == null) {
      throw new IllegalStateException("not open");
    }
    VectorFloat<?> q = VTS.createFloatVector(PeerSupport.prepareQuery(query, metric));
    GraphSearcher s = searcher.get();
    ScoringView view = (ScoringView) s.getView();
    DefaultSearchScoreProvider ssp =
        new DefaultSearchScoreProvider(pq.precomputedScoreFunctionFor(q, similarity), view.rerankerFor(q, similarity));
    SearchResult result = s.search(ssp, k, Math.max(listSize, k), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes(); // best first
    int[] ids = new int[Math.min(k, nodes.length)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }

  @Override
  public long ramBytes() {
    // PQVectors counts its codebooks; the graph counts its in-heap upper layers
    return graph == null ? -1 : pq.ramBytesUsed() + graph.ramBytesUsed();
  }

  @Override
  public void close() throws IOException {
    synchronized (searchers) {
      for (GraphSearcher s : searchers) {
        s.close();
      }
      searchers.clear();
    }
    searcher = null;
    if (graph != null) {
      graph.close();
      graph = null;
    }
    if (readers != null) {
      readers.close(); // unmaps: only after every view is closed
      readers = null;
    }
    pq = null;
  }
}
