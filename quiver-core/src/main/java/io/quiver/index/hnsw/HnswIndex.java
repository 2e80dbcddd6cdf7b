package io.quiver.index.hnsw;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.storage.CorruptFileException;
import io.quiver.index.FloatVectorStore;
import io.quiver.index.IndexFiles;
import io.quiver.index.disk.DiskGraphSource;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.StoredVectorIndex;
import io.quiver.index.VectorFile;
import io.quiver.index.VectorStore;
import io.quiver.index.Vectors;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.util.Parallel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Hierarchical Navigable Small World graph (Malkov and Yashunin) over heap-stored vectors, or, for an index opened
 * from files, heap-stored or memory-mapped ones. This class is the public face and the distances; the work is done by
 * package-private parts, after Lucene's {@code util/hnsw}:
 *
 * <ul>
 *   <li>{@link OnHeapHnswGraph}: the neighbour lists, the entry point, and the locking that lets any number of
 *   threads insert and search at once;</li>
 *   <li>{@link HnswGraphBuilder}: inserts (level choice, beam search, diverse neighbour selection, reverse links);</li>
 *   <li>{@link HnswGraphSearcher} and {@link FilteredHnswGraphSearcher}: the plain and the ACORN walks;</li>
 *   <li>{@link HnswConnectivity}: level-0 reachability and its repair; {@link HnswDeleteConsolidator}: relinking
 *   around deleted nodes;</li>
 *   <li>{@link HnswSearchContextPool}: the walk scratch every one of them takes.</li>
 * </ul>
 *
 * <p><b>Inner product.</b> -a.b is not a metric (a vector need not be its own nearest neighbour), and graphs built on
 * it route poorly. For {@link Metric#DOT} the graph is therefore <em>built</em> in the space where maximum inner
 * product becomes Euclidean: each base vector gains the coordinate sqrt(phi^2 - |a|^2), phi the largest norm seen so
 * far, and queries gain 0. Searches still rank by the true -q.a, which orders exactly as L2 to the augmented query.
 *
 * <p><b>Deletes</b> are tombstones: deleted nodes still route searches but are never returned.
 * {@link #consolidateDeletes()} relinks the neighbours of deleted nodes (candidates from two hops) and unlinks the
 * deleted ones, so heavy deletion does not erode recall.
 *
 * <p><b>Files.</b> {@link #save} writes {@code <name>.vec} (vectors) and {@code <name>.hnsw} (graph), both laid out
 * in docs/format.md; {@link #open} reads them back as a sealed index without rebuilding anything: the adjacency is
 * bulk-copied into the heap pages, and the vectors are bulk-copied too or stay in the memory-mapped file.
 */
public final class HnswIndex extends StoredVectorIndex {
  private final HnswConfig config;
  private final OnHeapHnswGraph graph;
  private final HnswGraphSearcher searcher;
  private final HnswGraphBuilder builder;
  private final HnswConnectivity connectivity;
  private final HnswDeleteConsolidator consolidator;
  /** Scratch for every walk on this index: searches, inserts and repairs. */
  private final HnswSearchContextPool contexts;
  /** DOT only: squared norms of the stored vectors, and the largest, for the Euclidean build space. */
  private final boolean mips;
  private final FloatVectorStore squaredNorms;
  private volatile float maxSquaredNorm;

  public HnswIndex(int dimension, Metric metric, HnswConfig config) {
    this(new FloatVectorStore(dimension), metric, config, null);
  }

  /**
   * A writable index over {@code vectors}, a heap store the caller fills: it links ordinals with {@link #addStored}
   * and reads their vectors from the caller's store, so each vector is held once.
   */
  public static HnswIndex over(FloatVectorStore vectors, Metric metric, HnswConfig config) {
    return new HnswIndex(vectors, metric, config, null);
  }

  /**
   * A writable index for one bulk build ({@link #addAll}, then {@link #finishBulkBuild}) whose level-0 lists may grow
   * to {@value #BULK_SLACK} times their degree before a reverse link prunes them (DiskANN's graph slack). A reverse
   * link to a full list re-selects the whole list with the diversity heuristic, and with lists at exactly their
   * degree nearly every reverse link did: on 200,000 x 128 clustered vectors that re-selection was 45% of the build's
   * CPU samples (JFR). With slack a list is re-selected once per several reverse links. Level-0 lists take
   * {@value #BULK_SLACK} times the memory until the index is closed.
   */
  public static HnswIndex forBulkBuild(int dimension, Metric metric, HnswConfig config) {
    return new HnswIndex(new FloatVectorStore(dimension), metric, config, null,
        (int) Math.ceil(config.maxConnections(0) * BULK_SLACK));
  }

  /** Level-0 lists of a {@link #forBulkBuild} index hold up to this times their degree while building. */
  static final float BULK_SLACK = 1.3f;

  /** A writable index when {@code sealedSource} is null, else a sealed one that {@link HnswGraphFile} fills. */
  HnswIndex(VectorStore vectors, Metric metric, HnswConfig config, Path sealedSource) {
    this(vectors, metric, config, sealedSource, config.maxConnections(0));
  }

  private HnswIndex(VectorStore vectors, Metric metric, HnswConfig config, Path sealedSource, int capacity0) {
    super(vectors, metric, sealedSource);
    this.config = Objects.requireNonNull(config, "config");
    this.mips = metric == Metric.DOT;
    this.squaredNorms = mips ? new FloatVectorStore(1) : null;
    this.contexts = new HnswSearchContextPool(scratchFloats());
    this.graph = new OnHeapHnswGraph(config.maxConnections(0), config.maxConnections(1), capacity0);
    this.searcher = new HnswGraphSearcher(this, graph);
    this.builder = new HnswGraphBuilder(this, graph, searcher, config, metric);
    this.connectivity = new HnswConnectivity(this, graph, searcher, config, contexts);
    this.consolidator = new HnswDeleteConsolidator(this, graph, builder, config, contexts);
  }

  public HnswConfig config() {
    return config;
  }

  /** The neighbour lists and entry point. */
  OnHeapHnswGraph graph() {
    return graph;
  }

  /**
   * The graph as a {@link DiskGraphSource}: level 0 and the upper levels, for writing a disk index. Call it on a
   * finished build, with no insert running.
   */
  public DiskGraphSource graphSource() {
    return new HnswGraphSource(graph, maxOrdinal());
  }

  /** Top level of {@code node}. For tests. */
  int levelOf(int node) {
    return graph.levelOf(node);
  }

  /** Copies the neighbours of (node, level) into {@code out}; returns how many. For tests and tools. */
  int neighbors(int node, int level, int[] out) {
    return graph.neighbors(node, level, out);
  }

  @Override
  protected void indexVector(int node) {
    HnswSearchContext ctx = contexts.acquire();
    try {
      if (mips) {
        recordSquaredNorm(node, ctx.scratch);
      }
      builder.insert(node, ctx);
    } finally {
      contexts.release(ctx);
    }
  }

  /** DOT: stores the squared norm of {@code node} and raises the largest seen, before the node is linked. */
  private void recordSquaredNorm(int node, float[] scratch) {
    float[] page = vectors.page(node, scratch, 0);
    int off = vectors.offset(node, 0);
    float sq = VectorUtil.dot(page, off, page, off, dimension);
    squaredNorms.set(node, new float[] {sq});
    synchronized (squaredNorms) {
      if (sq > maxSquaredNorm) {
        maxSquaredNorm = sq;
      }
    }
  }

  // ---------------------------------------------------------------- search

  @Override
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter) {
    return search(query, k, params, filter, null);
  }

  /**
   * Searches like {@link #search(float[], int, SearchParams, OrdinalFilter)}, but the walk scores nodes with
   * {@code approx} (quantized codes of this index's vectors, same ordinals) instead of the full-precision vectors:
   * the returned distances are approximate, and callers rerank the candidates they keep ({@link #distances}).
   */
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter,
      QuantizedScorer approx) {
    return search(query, k, params, filter, approx, null);
  }

  /**
   * Searches like {@link #search(float[], int, SearchParams, OrdinalFilter, QuantizedScorer)};
   * an ACORN walk also follows {@code payloadLinks} (the links among the points of the filter's values: one group,
   * or several whose union the filter draws from, as for a {@code match any}) and starts from each group's entry too.
   * The links are only extra edges: the filter still decides which points are accepted. Null or empty: no payload
   * links.
   */
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter,
      QuantizedScorer approx, PayloadLinks.Group[] payloadLinks) {
    HnswSearchContext ctx = contexts.acquire();
    ctx.approx = approx;
    try {
      return searcher.search(prepareQuery(query, k), k, params, filter, ctx, payloadLinks);
    } finally {
      ctx.approx = null;
      contexts.release(ctx);
    }
  }

  /**
   * Distances from {@code query} (prepared: normalized for cosine) to the stored vectors of
   * {@code ordinals[0..count)}, into {@code out}, with the graph walk's multi-way kernels: the exact path of a
   * filtered search. Every ordinal must hold a vector ({@link #contains}).
   */
  public void distances(float[] query, int[] ordinals, int count, float[] out) {
    Vectors.check(query, dimension());
    HnswSearchContext ctx = contexts.acquire();
    try {
      score(query, 0f, false, ordinals, count, out, ctx);
    } finally {
      contexts.release(ctx);
    }
  }

  // ---------------------------------------------------------------- distances (the walks score through these)

  /**
   * Distances from {@code q} to {@code count} nodes into {@code dists}, eight then four at a time: a graph search is
   * bound by memory latency, and vectors read side by side keep that many cache misses in flight (measured +20% QPS
   * for four-way over single, +20% more for eight-way, on Fashion-MNIST). A remainder of two or three is padded with a
   * repeat of its last node (already in cache) to stay on the four-way kernel.
   */
  void score(float[] q, float qNorm, boolean building, int[] nodes, int count, float[] dists,
      HnswSearchContext ctx) {
    if (!building && ctx.approx != null) {
      ctx.approx.score(nodes, count, dists);
      return;
    }
    float[] scratch = ctx.scratch;
    if (building && mips) {
      linkDistances(q, qNorm, nodes, count, dists, scratch);
      return;
    }
    int j = 0;
    float[] eight = ctx.eight;
    for (; j + 8 <= count; j += 8) {
      distance8(q, nodes, j, ctx.pages8, ctx.offsets8, eight, scratch);
      System.arraycopy(eight, 0, dists, j, 8);
    }
    float[] four = ctx.four;
    for (; j + 4 <= count; j += 4) {
      distance4(q, nodes[j], nodes[j + 1], nodes[j + 2], nodes[j + 3], four, scratch);
      dists[j] = four[0];
      dists[j + 1] = four[1];
      dists[j + 2] = four[2];
      dists[j + 3] = four[3];
    }
    int rest = count - j;
    if (rest == 1) {
      dists[j] = distance(q, nodes[j], scratch);
    } else if (rest > 1) {
      int last = nodes[count - 1];
      distance4(q, nodes[j], nodes[j + 1], rest > 2 ? nodes[j + 2] : last, last, four, scratch);
      for (int r = 0; r < rest; r++) {
        dists[j + r] = four[r];
      }
    }
  }

  /** A copy of the stored vector of {@code node}. */
  float[] storedVector(int node) {
    return vectors.copyOf(node);
  }

  /** The squared norm of {@code node} for the DOT build space; 0 for the other metrics. */
  float buildNorm(int node) {
    return mips ? squaredNorm(node) : 0f;
  }

  /** Distance from a prepared query to a stored node, for the walk's entry point. */
  float queryDistance(float[] q, int node, float[] scratch) {
    return distance(q, node, scratch);
  }

  /** Whether a search may return {@code node}: not deleted and accepted by {@code filter} (null: any). */
  boolean accepts(int node, OrdinalFilter filter) {
    return acceptable(node, filter);
  }

  /** Ordinals the vector storage has room for: the size of a walk's visited marks. */
  int capacity() {
    return vectors.capacity();
  }

  /** {@link #linkDistance} to each of {@code nodes[0..count)}. */
  private void linkDistances(float[] q, float qNorm, int[] nodes, int count, float[] dists, float[] scratch) {
    for (int j = 0; j < count; j++) {
      dists[j] = linkDistance(q, qNorm, nodes[j], scratch);
    }
  }

  /** DOT: the squared norm of stored {@code node}. */
  float squaredNorm(int node) {
    return squaredNorms.page(node)[squaredNorms.offset(node)];
  }

  /** Distance used to build the graph from a stored vector {@code q} (squared norm {@code qNorm} for DOT). */
  float linkDistance(float[] q, float qNorm, int node, float[] scratch) {
    if (!mips) {
      return distance(q, node, scratch);
    }
    float dot = VectorUtil.dot(q, 0, vectors.page(node, scratch, 0), vectors.offset(node, 0), dimension);
    return augmentedL2(qNorm, squaredNorm(node), dot);
  }

  /** The build-space distance between two stored nodes. */
  float linkDistanceBetween(int a, int b, float[] scratch) {
    if (!mips) {
      return distanceBetween(a, b, scratch);
    }
    return augmentedL2(squaredNorm(a), squaredNorm(b), -distanceBetween(a, b, scratch));
  }

  /** Squared L2 between two base vectors augmented with sqrt(phi^2 - |x|^2). */
  private float augmentedL2(float normA, float normB, float dot) {
    float phi = maxSquaredNorm;
    float extra = (float) (Math.sqrt(Math.max(0f, phi - normA)) - Math.sqrt(Math.max(0f, phi - normB)));
    return Math.max(0f, normA + normB - 2 * dot + extra * extra);
  }

  // ---------------------------------------------------------------- payload links (PayloadLinks builds with these)

  /** The build-space distance between two stored nodes. */
  float payloadLinkDistance(int a, int b, float[] scratch) {
    return linkDistanceBetween(a, b, scratch);
  }

  /** The main graph's neighbour heuristic ({@link HnswGraphBuilder#selectDiverse}); sorts {@code candidates} in place. */
  int selectDiverseLinks(long[] candidates, int n, int self, int maxConn, int[] out, float[] scratch) {
    return builder.selectDiverse(candidates, n, self, maxConn, out, scratch);
  }

  /** Vector scratch for the distance methods, for a caller outside the walks. */
  float[] newScratch() {
    return new float[scratchFloats()];
  }

  /** One past the highest ordinal stored. */
  int ordinalLimit() {
    return maxOrdinal();
  }

  /** Removes every level-0 link to {@code target}, stranding it: for the tests of {@link #connectLevel0}. */
  void unlinkOnLevel0(int target) {
    graph.unlinkOnLevel0(target, maxOrdinal());
  }

  /**
   * Live nodes that no walk from the entry point reaches through level-0 links, ascending. A graph search never
   * returns such a point (only an exact scan finds it). HNSW's pruning leaves a few: a node whose in-links were all
   * pruned away by neighbours that found closer, more diverse ones.
   */
  public int[] unreachableOnLevel0() {
    return connectivity.unreachable();
  }

  /**
   * Links every live node the entry point cannot reach on level 0 back into the reachable graph, as Lucene's
   * {@code connectComponents} does after a build: for each unreached node (ascending), a search from the entry point
   * (width efConstruction) finds its nearest reached nodes; the nearest with a free level-0 slot gets a link to it,
   * or, when all are full, the nearest one whose farthest link's target keeps another in-link gives up that link.
   * The node then links back if it has room, and everything now reachable through it is marked. The pass repeats
   * (at most four times) while it finds stranded nodes. Blocks inserts while it runs; searches go on.
   *
   * @return the number of links added or replaced
   */
  /**
   * Ends a {@link #forBulkBuild} build: every level-0 list above its degree is re-selected down to it with the
   * diversity heuristic, on {@code threads} threads. Call it after the last insert and before searching, repairing or
   * writing the graph; a no-op on an index without slack.
   */
  public void finishBulkBuild(int threads) {
    if (graph.capacity0 == graph.maxConn0) {
      return;
    }
    int n = maxOrdinal();
    AtomicInteger next = new AtomicInteger();
    Parallel.runOnThreads(() -> {
      HnswSearchContext ctx = contexts.acquire();
      try {
        int start;
        while ((start = next.getAndAdd(1024)) < n) {
          for (int node = start; node < Math.min(n, start + 1024); node++) {
            if (graph.linked(node)) {
              builder.pruneLevel0(node, ctx);
            }
          }
        }
      } finally {
        contexts.release(ctx);
      }
    }, threads, "graph prune");
  }

  public int connectLevel0() {
    return connectLevel0(this::contains);
  }

  /**
   * {@link #connectLevel0()} for the nodes {@code live} accepts (a frozen segment knows deletes its graph does not):
   * only they (among the nodes holding a vector) are linked back or give up a link.
   */
  public int connectLevel0(IntPredicate accepted) {
    return connectivity.connect(accepted);
  }

  /**
   * Relinks around deleted nodes: every live node that points at a deleted one re-selects its neighbours (with the
   * diversity heuristic) from its live neighbours and the live neighbours of its deleted ones; then deleted nodes are
   * unlinked and the entry point moves to a live node if needed. Blocks inserts while it runs; searches go on.
   *
   * @return the number of neighbour lists rewritten
   */
  public int consolidateDeletes() {
    return consolidator.consolidate();
  }

  // ---------------------------------------------------------------- files

  /**
   * Writes {@code dir/<name>.vec} and then {@code dir/<name>.hnsw}, each atomically (temporary file, forced, renamed,
   * directory forced). The graph file records the vector file's checksum, so {@link #open} detects a pair that does
   * not belong together (a crash between the two renames, or files mixed from two saves).
   *
   * <p>Requires that no add, delete or {@link #consolidateDeletes} runs concurrently (seal the index first); searches
   * may. Works on sealed indexes too (for instance to copy one).
   */
  public void save(Path dir, String name) throws IOException {
    int count = maxOrdinal();
    int vectorChecksum = VectorFile.write(IndexFiles.resolve(dir, name, VectorFile.EXTENSION), vectors, metric, count,
        present::get);
    HnswGraphFile.write(IndexFiles.resolve(dir, name, HnswGraphFile.EXTENSION), this, count, vectorChecksum);
  }

  /** {@link #open(Path, String, boolean, boolean)} with the vector checksum verified. */
  public static HnswIndex open(Path dir, String name, boolean mmapVectors) throws IOException {
    return open(dir, name, mmapVectors, true);
  }

  /**
   * Opens what {@link #save} wrote as a sealed index: searches, {@link #vector}, {@link #contains}, {@link #size} and
   * {@link #delete} (an in-memory tombstone) behave as on the saved index, {@link #add} throws
   * {@link IllegalStateException}. Nothing is rebuilt: the graph is bulk-copied into heap pages.
   *
   * @param mmapVectors keep the vectors in the memory-mapped {@code .vec} file, so the heap holds only the graph;
   *     otherwise they are bulk-copied into heap pages (the fastest search path)
   * @param verifyVectorChecksum check the CRC32C of the vector data, which reads all of it (measured cost in
   *     docs/format.md); headers and the graph are always checked
   * @throws CorruptFileException naming the file and what is wrong with it
   */
  public static HnswIndex open(Path dir, String name, boolean mmapVectors, boolean verifyVectorChecksum)
      throws IOException {
    Path graphFile = IndexFiles.resolve(dir, name, HnswGraphFile.EXTENSION);
    VectorFile.Contents contents =
        VectorFile.open(IndexFiles.resolve(dir, name, VectorFile.EXTENSION), mmapVectors, verifyVectorChecksum);
    try {
      return HnswGraphFile.read(graphFile, contents);
    } catch (IOException | RuntimeException | Error e) {
      contents.vectors().close();
      throw e;
    }
  }

  OnHeapHnswGraph.Entry entryPoint() {
    return graph.entry;
  }

  boolean isPresent(int node) {
    return present.get(node);
  }

  boolean isDeleted(int node) {
    return deleted.get(node);
  }

  float maxSquaredNorm() {
    return maxSquaredNorm;
  }

  /** Opening: the squared norms of a DOT index, {@code count} little-endian floats. */
  void loadSquaredNorms(MemorySegment src, long offset, int count, float max) {
    squaredNorms.setAll(0, src.asSlice(offset, 4L * count), count);
    maxSquaredNorm = max;
  }

  /** Opening: presence, deletes and entry point, once the graph is loaded. */
  void loadState(int count, long[] presentWords, int[] deletedOrdinals, OnHeapHnswGraph.Entry entryPoint) {
    restore(count, presentWords, deletedOrdinals);
    graph.entry = entryPoint;
  }

  // ---------------------------------------------------------------- accounting

  @Override
  public long ramBytesUsed() {
    return storageRamBytes() + graph.ramBytesUsed() + (mips ? squaredNorms.ramBytesUsed() : 0);
  }
}
