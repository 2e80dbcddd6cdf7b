package io.quiver.index.hnsw;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.FloatVectorStore;
import io.quiver.index.IndexFiles;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.StoredVectorIndex;
import io.quiver.index.VectorFile;
import io.quiver.index.VectorStore;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Hierarchical Navigable Small World graph (Malkov and Yashunin) over heap-stored vectors, or, for an index opened
 * from files, heap-stored or memory-mapped ones.
 *
 * <p><b>Layout.</b> Level 0, which every node has, lives in large {@code int[]} pages with a fixed slot per node:
 * {@code [count, n1 .. n(2M)]}. The few nodes on upper levels (a fraction 1/M per level) keep an {@code int[][]}
 * with one {@code [count, n1 .. nM]} array per level.
 *
 * <p><b>Concurrency.</b> Any number of threads may insert and search at once. A writer changes a node's neighbour
 * list only while holding that node's (striped) lock, writes the entries first and then the count with release
 * semantics; readers take no lock and read the count with acquire semantics. A node's vector is stored before any
 * list names it, so a reader that reaches a node also sees its vector. A reader racing with a rewrite may see a mix
 * of old and new entries, which only affects which path a search takes, never what a result's distance is.
 *
 * <p><b>Inner product.</b> -a.b is not a metric (a vector need not be its own nearest neighbour), and graphs built on it
 * route poorly. For {@link Metric#DOT} the graph is therefore <em>built</em> in the space where maximum inner product
 * becomes Euclidean: each base vector gains the coordinate sqrt(phi^2 - |a|^2), phi the largest norm seen so far, and
 * queries gain 0. Searches still rank by the true -q.a, which orders exactly as L2 to the augmented query.
 *
 * <p><b>Deletes</b> are tombstones: deleted nodes still route searches but are never returned.
 * {@link #consolidateDeletes()} relinks the neighbours of deleted nodes (candidates from two hops) and unlinks the
 * deleted ones, so heavy deletion does not erode recall.
 *
 * <p><b>Files.</b> {@link #save} writes {@code <name>.vec} (vectors) and {@code <name>.hnsw} (graph), both laid out in
 * docs/format.md; {@link #open} reads them back as a sealed index without rebuilding anything: the adjacency is
 * bulk-copied into the heap pages, and the vectors are bulk-copied too or stay in the memory-mapped file.
 */
public final class HnswIndex extends StoredVectorIndex {
  private static final VarHandle INTS = OnHeapHnswGraph.INTS;

  private final HnswConfig config;
  private final int maxConn0;
  private final int maxConnUpper;
  private final double levelMultiplier;
  /** alpha applied to link distances: squared for the squared-Euclidean-like spaces, plain for L1. */
  private final float pruneFactor;
  private final OnHeapHnswGraph graph;
  private final HnswGraphSearcher searcher;
  private final Object entryLock = new Object();
  /** Scratch for every walk on this index: searches, inserts and repairs. */
  private final HnswSearchContextPool contexts;
  /** DOT only: squared norms of the stored vectors, and the largest, for the Euclidean build space. */
  private final boolean mips;
  private final FloatVectorStore squaredNorms;
  private volatile float maxSquaredNorm;

  public HnswIndex(int dimension, Metric metric, HnswConfig config) {
    this(new FloatVectorStore(dimension), metric, config, null);
  }

  /** A writable index when {@code sealedSource} is null, else a sealed one that {@link HnswGraphFile} fills. */
  HnswIndex(VectorStore vectors, Metric metric, HnswConfig config, Path sealedSource) {
    super(vectors, metric, sealedSource);
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.mips = metric == Metric.DOT;
    this.squaredNorms = mips ? new FloatVectorStore(1) : null;
    this.maxConn0 = config.maxConnections(0);
    this.maxConnUpper = config.maxConnections(1);
    this.levelMultiplier = 1.0 / Math.log(config.m());
    this.pruneFactor = metric == Metric.L1 ? config.alpha() : config.alpha() * config.alpha();
    this.graph = new OnHeapHnswGraph(maxConn0, maxConnUpper);
    this.searcher = new HnswGraphSearcher(this, graph);
    this.contexts = new HnswSearchContextPool(scratchFloats());
  }

  public HnswConfig config() {
    return config;
  }

  /** The neighbour lists and entry point. */
  OnHeapHnswGraph graph() {
    return graph;
  }

  /** Top level of {@code node}. For tests. */
  int levelOf(int node) {
    return graph.levelOf(node);
  }

  /** Copies the neighbours of (node, level) into {@code out}; returns how many. For tests and tools. */
  int neighbors(int node, int level, int[] out) {
    return graph.neighbors(node, level, out);
  }

  private int randomLevel(int node) {
    long h = mix64(config.seed() ^ (node * 0x9E3779B97F4A7C15L));
    double u = ((h >>> 11) + 1) * 0x1.0p-53; // (0, 1]
    return Math.min(OnHeapHnswGraph.MAX_LEVEL, (int) (-Math.log(u) * levelMultiplier));
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  // ---------------------------------------------------------------- insert

  @Override
  protected void indexVector(int node) {
    HnswSearchContext ctx = contexts.acquire();
    try {
      insert(node, ctx);
    } finally {
      contexts.release(ctx);
    }
  }

  private void insert(int node, HnswSearchContext ctx) {
    if (mips) {
      float[] page = vectors.page(node, ctx.scratch, 0);
      int off = vectors.offset(node, 0);
      float sq = VectorUtil.dot(page, off, page, off, dimension);
      squaredNorms.set(node, new float[] {sq});
      synchronized (squaredNorms) {
        if (sq > maxSquaredNorm) {
          maxSquaredNorm = sq;
        }
      }
    }
    int level = randomLevel(node);
    graph.allocate(node, level);
    graph.structureLock.readLock().lock();
    try {
      OnHeapHnswGraph.Entry e = graph.entry;
      if (e == null || level > e.level()) {
        // A new top node (rare: 1/M^level) is inserted under the entry lock, so that no other insert starts from it
        // before its links exist, and so two competing new tops are serialised.
        synchronized (entryLock) {
          e = graph.entry;
          if (e == null) {
            graph.entry = new OnHeapHnswGraph.Entry(node, level);
            return;
          }
          link(node, level, e, ctx);
          if (level > e.level()) {
            graph.entry = new OnHeapHnswGraph.Entry(node, level);
          }
        }
      } else {
        link(node, level, e, ctx);
      }
    } finally {
      graph.structureLock.readLock().unlock();
    }
  }

  private void link(int node, int level, OnHeapHnswGraph.Entry e, HnswSearchContext ctx) {
    ctx.prepare(vectors.capacity());
    float[] q = vectors.copyOf(node);
    float qNorm = mips ? squaredNorm(node) : 0f;
    int ep = e.node();
    float epDist = linkDistance(q, qNorm, ep, ctx.scratch);
    ctx.distanceCount = 1;
    for (int l = e.level(); l > level; l--) {
      long best = searcher.greedy(q, qNorm, true, ep, epDist, l, ctx);
      ep = ScoredOrdinals.ordinal(best);
      epDist = ScoredOrdinals.distance(best);
    }
    long[] entryPoints = {ScoredOrdinals.pack(epDist, ep)};
    int entryCount = 1;
    for (int l = Math.min(level, e.level()); l >= 0; l--) {
      ctx.newSearch();
      searcher.searchLevel(q, qNorm, true, entryPoints, entryCount, config.efConstruction(), l, ctx, false, null, 0);
      // results come out worst first; collect ascending
      int n = ctx.results.size();
      long[] sorted = ctx.sortedScratch(n);
      for (int i = n - 1; i >= 0; i--) {
        sorted[i] = ~ctx.results.pop();
      }
      int maxConn = config.maxConnections(l);
      int[] selected = ctx.selectedScratch(maxConn);
      long[] tieBroken = ctx.pruneScratch(n);
      System.arraycopy(sorted, 0, tieBroken, 0, n);
      int count = selectDiverse(tieBroken, n, node, maxConn, selected, ctx.scratch);
      graph.setNeighbors(node, l, selected, count);
      for (int i = 0; i < count; i++) {
        addReverseLink(selected[i], node, l, maxConn, ctx);
      }
      entryPoints = Arrays.copyOf(sorted, n);
      entryCount = n;
    }
  }

  /**
   * The HNSW heuristic (algorithm 4 of the paper): walking candidates nearest first, keep one only if it is closer to
   * the base node than to every neighbour kept so far. This keeps links pointing in diverse directions.
   *
   * <p>Sorts {@code candidates} (packed (distance, ordinal)) in place. Equal distances are ordered by a permutation
   * of ordinals that differs per {@code self}: ordered by plain ordinal, every full list would keep the oldest of many
   * duplicate vectors and newer duplicates would lose all in-links and become unreachable.
   */
  private int selectDiverse(long[] candidates, int n, int self, int maxConn, int[] out, float[] scratch) {
    int mask = (int) mix64(self ^ 0x5DEECE66DL);
    for (int i = 0; i < n; i++) {
      candidates[i] ^= mask & 0xFFFFFFFFL;
    }
    Arrays.sort(candidates, 0, n);
    int selected = 0;
    for (int i = 0; i < n && selected < maxConn; i++) {
      int c = ScoredOrdinals.ordinal(candidates[i]) ^ mask;
      long sortedCandidate = candidates[i];
      if (c == self) {
        continue;
      }
      float dc = ScoredOrdinals.distance(sortedCandidate);
      boolean diverse = true;
      for (int j = 0; j < selected; j++) {
        if (pruneFactor * linkDistanceBetween(c, out[j], scratch) < dc) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        out[selected++] = c;
      }
    }
    return selected;
  }

  private void addReverseLink(int target, int node, int level, int maxConn, HnswSearchContext ctx) {
    synchronized (graph.lockFor(target)) {
      int[] arr = graph.listArray(target, level);
      int base = graph.listBase(target, level);
      int count = arr[base];
      for (int i = 1; i <= count; i++) {
        if (arr[base + i] == node) {
          return;
        }
      }
      if (count < maxConn) {
        arr[base + 1 + count] = node;
        INTS.setRelease(arr, base, count + 1);
        return;
      }
      // Full: re-select among the current neighbours plus the new one.
      long[] cand = ctx.pruneScratch(count + 1);
      for (int i = 0; i < count; i++) {
        int nb = arr[base + 1 + i];
        cand[i] = ScoredOrdinals.pack(linkDistanceBetween(target, nb, ctx.scratch), nb);
      }
      cand[count] = ScoredOrdinals.pack(linkDistanceBetween(target, node, ctx.scratch), node);
      int[] kept = ctx.pruneOut(maxConn);
      int n = selectDiverse(cand, count + 1, target, maxConn, kept, ctx.scratch);
      System.arraycopy(kept, 0, arr, base + 1, n);
      INTS.setRelease(arr, base, n);
    }
  }

  float squaredNorm(int node) {
    return squaredNorms.page(node)[squaredNorms.offset(node)];
  }

  /** Distance used to build the graph from a stored vector {@code q} (squared norm {@code qNorm} for DOT). */
  private float linkDistance(float[] q, float qNorm, int node, float[] scratch) {
    if (!mips) {
      return distance(q, node, scratch);
    }
    float dot = VectorUtil.dot(q, 0, vectors.page(node, scratch, 0), vectors.offset(node, 0), dimension);
    return augmentedL2(qNorm, squaredNorm(node), dot);
  }

  private float linkDistanceBetween(int a, int b, float[] scratch) {
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
      io.quiver.quantization.QuantizedScorer approx) {
    return search(query, k, params, filter, approx, null);
  }

  /**
   * Searches like {@link #search(float[], int, SearchParams, OrdinalFilter, io.quiver.quantization.QuantizedScorer)};
   * an ACORN walk also follows {@code payloadLinks} (the links among the points of the filter's values: one group,
   * or several whose union the filter draws from, as for a {@code match any}) and starts from each group's entry too.
   * The links are only extra edges: the filter still decides which points are accepted. Null or empty: no payload
   * links.
   */
  public SearchResult search(float[] query, int k, SearchParams params, OrdinalFilter filter,
      io.quiver.quantization.QuantizedScorer approx, PayloadLinks.Group[] payloadLinks) {
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
    io.quiver.index.Vectors.check(query, dimension());
    HnswSearchContext ctx = contexts.acquire();
    try {
      score(query, 0f, false, ordinals, count, out, ctx);
    } finally {
      contexts.release(ctx);
    }
  }

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

  private void linkDistances(float[] q, float qNorm, int[] nodes, int count, float[] dists, float[] scratch) {
    for (int j = 0; j < count; j++) {
      dists[j] = linkDistance(q, qNorm, nodes[j], scratch);
    }
  }

  // ---------------------------------------------------------------- payload links (PayloadLinks builds with these)

  /** The build-space distance between two stored nodes. */
  float payloadLinkDistance(int a, int b, float[] scratch) {
    return linkDistanceBetween(a, b, scratch);
  }

  /** The main graph's neighbour heuristic ({@link #selectDiverse}); sorts {@code candidates} in place. */
  int selectDiverseLinks(long[] candidates, int n, int self, int maxConn, int[] out, float[] scratch) {
    return selectDiverse(candidates, n, self, maxConn, out, scratch);
  }

  float[] newScratch() {
    return new float[scratchFloats()];
  }

  /** One past the highest ordinal stored. */
  int maxOrdinalForLinks() {
    return maxOrdinal();
  }

  // ---------------------------------------------------------------- level-0 connectivity

  /** Marks in {@code reached} every node a walk on level 0 reaches from {@code from} (breadth first). */
  private void reachOnLevel0(java.util.BitSet reached, int from, int[] queue) {
    if (reached.get(from)) {
      return;
    }
    reached.set(from);
    int head = 0, tail = 0;
    queue[tail++] = from;
    while (head < tail) {
      int node = queue[head++];
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = (int) INTS.getAcquire(arr, base);
      for (int i = 1; i <= count; i++) {
        int nb = arr[base + i];
        if (!reached.get(nb)) {
          reached.set(nb);
          queue[tail++] = nb;
        }
      }
    }
  }

  private java.util.BitSet reachedFromEntry(int[] queue) {
    java.util.BitSet reached = new java.util.BitSet(maxOrdinal());
    OnHeapHnswGraph.Entry e = graph.entry;
    if (e != null) {
      reachOnLevel0(reached, e.node(), queue);
    }
    return reached;
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
    graph.structureLock.writeLock().lock(); // no insert half done meanwhile: every present, allocated node is linked
    try {
      int max = maxOrdinal();
      java.util.BitSet reached = reachedFromEntry(new int[Math.max(1, max)]);
      return java.util.stream.IntStream.range(0, max).filter(n -> graph.linked(n) && contains(n) && !reached.get(n))
          .toArray();
    } finally {
      graph.structureLock.writeLock().unlock();
    }
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
  public int connectLevel0() {
    return connectLevel0(this::contains);
  }

  /**
   * {@link #connectLevel0()} for the nodes {@code live} accepts (a frozen segment knows deletes its graph does not):
   * only they (among the nodes holding a vector) are linked back or give up a link.
   */
  public int connectLevel0(java.util.function.IntPredicate accepted) {
    java.util.function.IntPredicate live = n -> contains(n) && accepted.test(n);
    graph.structureLock.writeLock().lock();
    try {
      int max = maxOrdinal();
      if (graph.entry == null || max == 0) {
        return 0;
      }
      int[] queue = new int[max];
      HnswSearchContext ctx = contexts.acquire();
      try {
        return connectLevel0(live, max, queue, ctx);
      } finally {
        contexts.release(ctx);
      }
    } finally {
      graph.structureLock.writeLock().unlock();
    }
  }

  private int connectLevel0(java.util.function.IntPredicate live, int max, int[] queue, HnswSearchContext ctx) {
    int changed = 0;
    for (int pass = 0; pass < 4; pass++) {
      java.util.BitSet reached = reachedFromEntry(queue);
      int[] inDegree = new int[max];
      for (int node = 0; node < max; node++) {
        if (graph.linked(node)) {
          int[] arr = graph.level0Page(node);
          int base = graph.level0Base(node);
          for (int i = 1, count = arr[base]; i <= count; i++) {
            inDegree[arr[base + i]]++;
          }
        }
      }
      boolean stranded = false;
      for (int node = 0; node < max; node++) {
        if (!graph.linked(node) || !live.test(node) || reached.get(node)) {
          continue;
        }
        stranded = true;
        if (linkIntoReached(node, reached, inDegree, live, ctx)) { // else it stays unmarked for the next pass
          changed++;
          reachOnLevel0(reached, node, queue);
        }
      }
      if (!stranded) {
        break;
      }
    }
    return changed;
  }

  /**
   * One in-link to {@code node} from its nearest reached live node with a free slot, or else from the nearest one
   * whose farthest link can go (its target keeps another in-link), and a link back if {@code node} has room. False
   * when no candidate qualifies.
   */
  private boolean linkIntoReached(int node, java.util.BitSet reached, int[] inDegree,
      java.util.function.IntPredicate live, HnswSearchContext ctx) {
    ctx.prepare(vectors.capacity());
    OnHeapHnswGraph.Entry e = graph.entry;
    float[] q = vectors.copyOf(node);
    float qNorm = mips ? squaredNorm(node) : 0f;
    int ep = e.node();
    float epDist = linkDistance(q, qNorm, ep, ctx.scratch);
    for (int l = e.level(); l > 0; l--) {
      long best = searcher.greedy(q, qNorm, true, ep, epDist, l, ctx);
      ep = ScoredOrdinals.ordinal(best);
      epDist = ScoredOrdinals.distance(best);
    }
    ctx.newSearch();
    long[] eps = {ScoredOrdinals.pack(epDist, ep)};
    searcher.searchLevel(q, qNorm, true, eps, 1, config.efConstruction(), 0, ctx, false, null, 0);
    int n = ctx.results.size();
    long[] sorted = ctx.sortedScratch(n);
    for (int i = n - 1; i >= 0; i--) {
      sorted[i] = ~ctx.results.pop(); // ascending distance
    }
    int target = -1;
    int evict = -1; // slot of target's list to overwrite, or -1 to append
    for (int pass = 0; pass < 2 && target < 0; pass++) { // free slots first, then evictions
      for (int i = 0; i < n && target < 0; i++) {
        int c = ScoredOrdinals.ordinal(sorted[i]);
        if (c == node || !reached.get(c) || !live.test(c)) {
          continue;
        }
        int[] arr = graph.level0Page(c);
        int base = graph.level0Base(c);
        int count = arr[base];
        if (pass == 0) {
          if (count < maxConn0) {
            target = c;
          }
          continue;
        }
        float worstDist = Float.NEGATIVE_INFINITY;
        for (int j = 1; j <= count; j++) {
          int nb = arr[base + j];
          if (inDegree[nb] > 1) {
            float d = linkDistanceBetween(c, nb, ctx.scratch);
            if (d > worstDist) {
              worstDist = d;
              evict = j;
            }
          }
        }
        if (evict > 0) {
          target = c;
        }
      }
    }
    if (target < 0) {
      return false;
    }
    synchronized (graph.lockFor(target)) {
      int[] arr = graph.level0Page(target);
      int base = graph.level0Base(target);
      int count = arr[base];
      if (evict < 0) {
        arr[base + 1 + count] = node;
        INTS.setRelease(arr, base, count + 1);
      } else {
        inDegree[arr[base + evict]]--;
        arr[base + evict] = node; // a single int write: a concurrent walk sees the old or the new neighbour
      }
      inDegree[node]++;
    }
    synchronized (graph.lockFor(node)) {
      int[] arr = graph.level0Page(node);
      int base = graph.level0Base(node);
      int count = arr[base];
      boolean linked = false;
      for (int i = 1; i <= count && !linked; i++) {
        linked = arr[base + i] == target;
      }
      if (!linked && count < maxConn0) {
        arr[base + 1 + count] = target;
        INTS.setRelease(arr, base, count + 1);
        inDegree[target]++;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- deletes

  /**
   * Relinks around deleted nodes: every live node that points at a deleted one re-selects its neighbours (with the
   * diversity heuristic) from its live neighbours and the live neighbours of its deleted ones; then deleted nodes are
   * unlinked and the entry point moves to a live node if needed. Blocks inserts while it runs; searches go on.
   *
   * @return the number of neighbour lists rewritten
   */
  public int consolidateDeletes() {
    graph.structureLock.writeLock().lock();
    try {
      if (deletedCount() == 0 || graph.entry == null) {
        return 0;
      }
      int rewritten = 0;
      int max = maxOrdinal();
      HnswSearchContext ctx = contexts.acquire();
      try {
        ctx.prepare(vectors.capacity());
        for (int node = 0; node < max; node++) {
          if (!present.get(node) || deleted.get(node)) {
            continue;
          }
          int top = graph.levelOf(node);
          for (int l = 0; l <= top; l++) {
            if (relinkAroundDeleted(node, l, ctx)) {
              rewritten++;
            }
          }
        }
      } finally {
        contexts.release(ctx);
      }
      OnHeapHnswGraph.Entry newEntry = null;
      for (int node = 0; node < max; node++) {
        if (!present.get(node)) {
          continue;
        }
        if (deleted.get(node)) {
          for (int l = 0, top = graph.levelOf(node); l <= top; l++) {
            graph.setNeighbors(node, l, new int[0], 0);
          }
        } else {
          int lv = graph.levelOf(node);
          if (newEntry == null || lv > newEntry.level()) {
            newEntry = new OnHeapHnswGraph.Entry(node, lv);
          }
        }
      }
      graph.entry = newEntry;
      return rewritten;
    } finally {
      graph.structureLock.writeLock().unlock();
    }
  }

  private boolean relinkAroundDeleted(int node, int level, HnswSearchContext ctx) {
    int maxConn = config.maxConnections(level);
    int[] current = new int[maxConn];
    int count = graph.neighbors(node, level, current);
    boolean touched = false;
    for (int i = 0; i < count; i++) {
      if (deleted.get(current[i])) {
        touched = true;
        break;
      }
    }
    if (!touched) {
      return false;
    }
    ctx.newSearch();
    int[] visited = ctx.visited;
    int epoch = ctx.epoch;
    visited[node] = epoch;
    LongHeap pool = ctx.candidates;
    pool.clear();
    int[] scratch = new int[Math.max(maxConn0, maxConnUpper)];
    for (int i = 0; i < count; i++) {
      int nb = current[i];
      if (!deleted.get(nb)) {
        if (visited[nb] != epoch) {
          visited[nb] = epoch;
          pool.push(ScoredOrdinals.pack(linkDistanceBetween(node, nb, ctx.scratch), nb));
        }
        continue;
      }
      int hops = graph.neighbors(nb, level, scratch);
      for (int j = 0; j < hops; j++) {
        int two = scratch[j];
        if (visited[two] != epoch && !deleted.get(two)) {
          visited[two] = epoch;
          pool.push(ScoredOrdinals.pack(linkDistanceBetween(node, two, ctx.scratch), two));
        }
      }
    }
    int n = pool.size();
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = pool.pop();
    }
    int[] selected = new int[maxConn];
    int kept = selectDiverse(sorted, n, node, maxConn, selected, ctx.scratch);
    graph.setNeighbors(node, level, selected, kept);
    return true;
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
   * @throws io.quiver.index.CorruptIndexException naming the file and what is wrong with it
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
