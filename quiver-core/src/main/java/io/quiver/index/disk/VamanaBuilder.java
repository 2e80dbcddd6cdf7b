package io.quiver.index.disk;

import io.quiver.index.BuildProgress;
import io.quiver.util.Parallel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a Vamana graph (Subramanya et al., "DiskANN", NeurIPS 2019, algorithm 3): a random R-regular graph, then two
 * passes over the points in a seeded random order, each point getting the RobustPrune of the nodes a greedy search
 * from the medoid expanded (alpha 1 in the first pass, alpha in the second) and back-edges from its new neighbours.
 *
 * <p><b>Slack.</b> While building, a list may hold {@link #SLACK} times R entries; a back-edge only prunes a list
 * that is full at that size, back to R, and a last step prunes every list still above R. A back-edge to a list at
 * exactly R would otherwise prune on nearly every insert, and pruning is most of a back-edge's cost (DiskANN's
 * {@code GRAPH_SLACK_FACTOR} does the same).
 *
 * <p><b>Concurrency.</b> Threads take the points of a pass in chunks. A list is changed only under its node's striped
 * lock, entries first and then the count with release semantics; searches read lists without a lock and the count
 * with acquire semantics, so a search racing with a rewrite may see a mix of old and new entries (all valid nodes),
 * which changes only the path it takes. No thread holds two locks. With one thread the build is a function of the
 * seed; with more, which neighbours a point sees depends on timing, but not the quality of the graph.
 */
final class VamanaBuilder {
  private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final float SLACK = 1.3f;
  /** Growth of the alpha of RobustPrune's rounds (DiskANN's). */
  private static final float ALPHA_STEP = 1.2f;
  private static final int LOCK_STRIPES = 1024;
  private static final int CHUNK = 64;

  private final BuildSpaceVectors vectors;
  private final int size;
  private final int maxDegree;
  private final int listSize;
  private final float alpha;
  private final int threads;
  private final long seed;
  private final BuildProgress progress;
  /** Ints per node in {@link #adjacency}: R with the slack. */
  private final int slot;
  private final int[] adjacency;
  private final int[] counts;
  private final Object[] locks = new Object[LOCK_STRIPES];
  /** One per build thread, made when the thread first needs it. */
  private final VamanaSearchContext[] contexts;
  private int medoid;

  VamanaBuilder(BuildSpaceVectors vectors, int maxDegree, int listSize, float alpha, int threads, long seed,
      BuildProgress progress) {
    this.vectors = vectors;
    this.size = vectors.size();
    this.maxDegree = maxDegree;
    this.listSize = listSize;
    this.alpha = alpha;
    this.threads = threads;
    this.seed = seed;
    this.progress = progress;
    this.slot = Math.max(maxDegree + 1, (int) Math.ceil(maxDegree * SLACK));
    if ((long) size * slot > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("too many vectors for one graph: " + size + " nodes x " + slot
          + " build slots exceed an int[]; build smaller segments");
    }
    this.adjacency = new int[size * slot];
    this.counts = new int[size];
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
    this.contexts = new VamanaSearchContext[threads];
  }

  /** Runs the build; returns the medoid, with the lists (at most R each) left in {@link #flatten}'s input. */
  int build() {
    medoid = Medoid.of(vectors, threads);
    forEachNode(identity(), (node, ctx) -> linkRandomly(node), null);
    AtomicLong done = new AtomicLong();
    long total = 2L * size;
    Chunked report = count -> progress.update(done.addAndGet(count), total);
    forEachNode(order(1), (node, ctx) -> insert(node, 1f, ctx), report);
    forEachNode(order(2), (node, ctx) -> insert(node, alpha, ctx), report);
    finishLists();
    return medoid;
  }

  /** Makes {@code node} the start of every greedy search (and of {@link #connect}). */
  void startFrom(int node) {
    medoid = node;
  }

  /** Sets {@code node}'s list to {@code list[0..count)} (at most the slot size); not concurrently with searches. */
  void setList(int node, int[] list, int count) {
    if (count > slot) {
      throw new IllegalArgumentException("node " + node + " given " + count + " neighbours, more than " + slot);
    }
    System.arraycopy(list, 0, adjacency, node * slot, count);
    INTS.setRelease(counts, node, count);
  }

  /**
   * FreshDiskANN's repair of a node that lost neighbours to deletion (DiskANN's {@code process_delete}): its new list
   * is {@code candidates[0..count)} (its surviving neighbours and its deleted neighbours' surviving neighbours; the
   * node itself and repeats are skipped), nearest first when they fit in R, else their RobustPrune at alpha.
   */
  void repair(int node, int[] candidates, int count, VamanaSearchContext ctx) {
    synchronized (lockFor(node)) {
      ctx.newPool();
      vectors.copy(node, ctx.otherQuery);
      for (int i = 0; i < count; i++) {
        if (candidates[i] != node) {
          ctx.pool(candidates[i], vectors.distance(ctx.otherQuery, candidates[i]));
        }
      }
      if (ctx.poolCount <= maxDegree) {
        Arrays.sort(ctx.pool, 0, ctx.poolCount);
        for (int i = 0; i < ctx.poolCount; i++) {
          ctx.kept[i] = VamanaSearchContext.node(ctx.pool[i]);
        }
        setList(node, ctx.kept, ctx.poolCount);
      } else {
        INTS.setRelease(counts, node, 0);
        prune(node, alpha, ctx, ctx.otherQuery);
      }
    }
  }

  /**
   * Inserts {@code nodes} (whose lists are empty) into the graph at alpha: greedy search from the start node,
   * RobustPrune, back-edges; FreshDiskANN's insert. {@code afterChunk} (may be null) is told of finished chunks.
   */
  void insertAll(int[] nodes, Chunked afterChunk) {
    forEachNode(nodes, (node, ctx) -> insert(node, alpha, ctx), afterChunk);
  }

  /** Prunes every list still above R (the slack) back to R, then links unreachable nodes ({@link #connect}). */
  void finishLists() {
    forEachNode(identity(), (node, ctx) -> {
      if (counts[node] > maxDegree) {
        synchronized (lockFor(node)) {
          ctx.newPool();
          vectors.copy(node, ctx.otherQuery);
          prune(node, alpha, ctx, ctx.otherQuery);
        }
      }
    }, null);
    if (contexts[0] == null) {
      contexts[0] = new VamanaSearchContext(size, vectors.dimension(), listSize, slot);
    }
    connect(contexts[0]);
  }

  /** Ints per node while building: R with the slack. */
  int slot() {
    return slot;
  }

  /**
   * Links every node the medoid cannot reach back into the reachable graph: Vamana makes no such promise, and with a
   * small R on clustered data a few nodes lose all their in-links to pruning (0.1% to 0.5% at R 5 or 6 here). For
   * each unreached node (ascending), a greedy search from the medoid lists reached nodes near it; the nearest with a
   * free slot links to it, or, when all are full, the nearest that has a neighbour with another in-link gives up its
   * farthest such neighbour. Everything now reachable through the node is marked, and the pass repeats (at most four
   * times) while nodes stay unreached, since a link given up can strand a node whose other in-links were unreached.
   * Single-threaded: it runs once, after the passes, and usually finds nothing to do.
   *
   * @return the links added or replaced
   */
  int connect(VamanaSearchContext ctx) {
    int changed = 0;
    for (int round = 0; round < 4; round++) {
      boolean[] reached = new boolean[size];
      int[] queue = new int[size];
      int unreached = size - markReachable(medoid, reached, queue);
      if (unreached == 0) {
        break;
      }
      int[] inDegree = new int[size];
      for (int node = 0; node < size; node++) {
        for (int i = 0; i < counts[node]; i++) {
          inDegree[adjacency[node * slot + i]]++;
        }
      }
      for (int node = 0; node < size; node++) {
        if (!reached[node] && linkFromReached(node, inDegree, ctx)) {
          changed++;
          inDegree[node]++;
          markReachable(node, reached, queue);
        }
      }
    }
    return changed;
  }

  /** Links {@code node} from a reached node near it, as {@link #connect} says; false when none could take it. */
  private boolean linkFromReached(int node, int[] inDegree, VamanaSearchContext ctx) {
    vectors.copy(node, ctx.query);
    search(node, ctx); // expands only nodes reachable from the medoid
    ctx.newPool();
    for (int i = 0; i < ctx.visitedCount; i++) {
      ctx.pool(ctx.visitedId[i], ctx.visitedDist[i]);
    }
    Arrays.sort(ctx.pool, 0, ctx.poolCount);
    for (int p = 0; p < ctx.poolCount; p++) {
      int from = VamanaSearchContext.node(ctx.pool[p]);
      int base = from * slot;
      int count = counts[from];
      if (count < maxDegree) {
        adjacency[base + count] = node;
        counts[from] = count + 1;
        return true;
      }
      int giveUp = -1;
      float farthest = -1f;
      for (int i = 0; i < count; i++) {
        int nb = adjacency[base + i];
        if (inDegree[nb] > 1) {
          float d = vectors.distance(from, nb);
          if (d > farthest) {
            farthest = d;
            giveUp = i;
          }
        }
      }
      if (giveUp >= 0) {
        inDegree[adjacency[base + giveUp]]--;
        adjacency[base + giveUp] = node;
        return true;
      }
    }
    return false;
  }

  /** Marks what a breadth-first walk from {@code start} reaches through unmarked nodes; returns how many it marked. */
  private int markReachable(int start, boolean[] reached, int[] queue) {
    if (reached[start]) {
      return 0;
    }
    int head = 0;
    int tail = 0;
    reached[start] = true;
    queue[tail++] = start;
    while (head < tail) {
      int node = queue[head++];
      int base = node * slot;
      for (int i = 0; i < counts[node]; i++) {
        int nb = adjacency[base + i];
        if (!reached[nb]) {
          reached[nb] = true;
          queue[tail++] = nb;
        }
      }
    }
    return tail;
  }

  /** The lists with stride R, and their counts: the finished graph's storage. */
  int[] flatten(int[] degreeOut) {
    int[] flat = new int[size * maxDegree];
    for (int node = 0; node < size; node++) {
      int count = counts[node];
      System.arraycopy(adjacency, node * slot, flat, node * maxDegree, count);
      degreeOut[node] = count;
    }
    return flat;
  }

  /** The random initial out-list of {@code node}: min(R, n-1) distinct other nodes, fixed by the seed and node. */
  private void linkRandomly(int node) {
    int degree = Math.min(maxDegree, size - 1);
    SplittableRandom rnd = new SplittableRandom(mix(seed ^ (node * 0x9E3779B97F4A7C15L)));
    int base = node * slot;
    int count = 0;
    while (count < degree) {
      int candidate = rnd.nextInt(size);
      if (candidate == node || contains(base, count, candidate)) {
        continue;
      }
      adjacency[base + count++] = candidate;
    }
    counts[node] = count;
  }

  /** One step of a pass: search for {@code node}, prune what was visited into its list, add the back-edges. */
  private void insert(int node, float passAlpha, VamanaSearchContext ctx) {
    vectors.copy(node, ctx.query);
    search(node, ctx);
    int count;
    synchronized (lockFor(node)) {
      ctx.newPool();
      for (int i = 0; i < ctx.visitedCount; i++) {
        ctx.pool(ctx.visitedId[i], ctx.visitedDist[i]);
      }
      count = prune(node, passAlpha, ctx, ctx.query);
      System.arraycopy(ctx.kept, 0, ctx.neighbours, 0, count);
    }
    int[] newNeighbours = Arrays.copyOf(ctx.neighbours, count);
    for (int target : newNeighbours) {
      addBackEdge(target, node, passAlpha, ctx);
    }
  }

  /**
   * Greedy search from the medoid for {@code ctx.query} with list size L; leaves every expanded node and its distance
   * in the context's visited set. {@code self} is never added to the list.
   */
  private void search(int self, VamanaSearchContext ctx) {
    ctx.newSearch();
    ctx.markSeen(self);
    if (ctx.markSeen(medoid)) {
      offer(ctx, medoid, vectors.distance(ctx.query, medoid));
    }
    int cursor = 0;
    while (cursor < ctx.listSize) {
      int expand = ctx.listId[cursor];
      ctx.listExpanded[cursor] = true;
      ctx.addVisited(expand, ctx.listDist[cursor]);
      int count = readNeighbours(expand, ctx.neighbours);
      int fresh = 0;
      for (int i = 0; i < count; i++) {
        int nb = ctx.neighbours[i];
        if (ctx.markSeen(nb)) {
          ctx.fresh[fresh++] = nb;
        }
      }
      vectors.distances(ctx.query, ctx.fresh, fresh, ctx.freshDist, ctx.four);
      int lowest = ctx.listSize;
      for (int i = 0; i < fresh; i++) {
        int at = offer(ctx, ctx.fresh[i], ctx.freshDist[i]);
        if (at >= 0 && at < lowest) {
          lowest = at;
        }
      }
      cursor = Math.min(cursor + 1, lowest);
      while (cursor < ctx.listSize && ctx.listExpanded[cursor]) {
        cursor++;
      }
    }
  }

  /** Inserts (node, dist) into the sorted candidate list if it is not full or dist beats its worst; returns where. */
  private static int offer(VamanaSearchContext ctx, int node, float dist) {
    int n = ctx.listSize;
    int capacity = ctx.listId.length;
    if (n == capacity && dist >= ctx.listDist[n - 1]) {
      return -1;
    }
    int at = n == capacity ? n - 1 : n;
    while (at > 0 && ctx.listDist[at - 1] > dist) {
      at--;
    }
    int moved = (n == capacity ? n - 1 : n) - at;
    System.arraycopy(ctx.listDist, at, ctx.listDist, at + 1, moved);
    System.arraycopy(ctx.listId, at, ctx.listId, at + 1, moved);
    System.arraycopy(ctx.listExpanded, at, ctx.listExpanded, at + 1, moved);
    ctx.listDist[at] = dist;
    ctx.listId[at] = node;
    ctx.listExpanded[at] = false;
    if (n < capacity) {
      ctx.listSize = n + 1;
    }
    return at;
  }

  /** Adds {@code node} to {@code target}'s list; a list full with the slack is pruned back to R. */
  private void addBackEdge(int target, int node, float passAlpha, VamanaSearchContext ctx) {
    synchronized (lockFor(target)) {
      int base = target * slot;
      int count = counts[target];
      if (contains(base, count, node)) {
        return;
      }
      if (count < slot) {
        adjacency[base + count] = node;
        INTS.setRelease(counts, target, count + 1);
        return;
      }
      ctx.newPool();
      vectors.copy(target, ctx.otherQuery);
      ctx.pool(node, vectors.distance(ctx.otherQuery, node));
      prune(target, passAlpha, ctx, ctx.otherQuery);
    }
  }

  /**
   * RobustPrune as DiskANN's {@code occlude_list} runs it: rewrites {@code node}'s list as at most R of the pool plus
   * its current neighbours. A candidate's occlusion is the largest d(node, c) / d(k, c) over the kept k; walking the
   * candidates nearest first, one is kept when its occlusion is at most a, in rounds a = 1, 1.2, 1.44, ... and last
   * {@code pruneAlpha}, while the list has room. The first round keeps the diverse set alpha 1 would keep, so a
   * larger alpha only adds edges to it and never displaces one (a single round at a large alpha keeps nearly the R
   * nearest, which on 128-dimensional clustered data left two thirds of the nodes unreachable). Alpha applies to the
   * build-space distance, squared L2, as in DiskANN.
   *
   * <p>The caller holds {@code node}'s lock and has filled the pool (or emptied it) with distances to {@code node},
   * whose vector is {@code q}. Leaves the kept nodes in {@code ctx.kept}; returns how many.
   */
  private int prune(int node, float pruneAlpha, VamanaSearchContext ctx, float[] q) {
    int base = node * slot;
    int count = counts[node];
    System.arraycopy(adjacency, base, ctx.fresh, 0, count);
    vectors.distances(q, ctx.fresh, count, ctx.freshDist, ctx.four);
    for (int i = 0; i < count; i++) {
      ctx.pool(ctx.fresh[i], ctx.freshDist[i]);
    }
    long[] pool = ctx.pool;
    int n = ctx.poolCount;
    Arrays.sort(pool, 0, n);
    float[] occlusion = ctx.occlusion(n);
    Arrays.fill(occlusion, 0, n, 0f);
    int[] kept = ctx.kept;
    int keptCount = 0;
    float round = 1f;
    while (keptCount < maxDegree) {
      for (int i = 0; i < n && keptCount < maxDegree; i++) {
        int candidate = VamanaSearchContext.node(pool[i]);
        if (candidate == node || occlusion[i] > round) {
          continue;
        }
        occlusion[i] = Float.POSITIVE_INFINITY; // kept: never again a candidate
        kept[keptCount++] = candidate;
        // the later candidates still in play (not kept, not occluded beyond every round), scored four at a time
        int[] batchIndex = ctx.batchIndex(n);
        int[] batchNode = ctx.batchNode;
        float[] batchDist = ctx.batchDist;
        int m = 0;
        for (int j = i + 1; j < n; j++) {
          if (occlusion[j] <= pruneAlpha) {
            batchIndex[m] = j;
            batchNode[m++] = VamanaSearchContext.node(pool[j]);
          }
        }
        vectors.copy(candidate, ctx.pruneQuery);
        vectors.distances(ctx.pruneQuery, batchNode, m, batchDist, ctx.four);
        for (int b = 0; b < m; b++) {
          int j = batchIndex[b];
          float djk = batchDist[b];
          float ratio = djk == 0f ? Float.MAX_VALUE : VamanaSearchContext.dist(pool[j]) / djk;
          if (ratio > occlusion[j]) {
            occlusion[j] = ratio;
          }
        }
      }
      if (round >= pruneAlpha) {
        break;
      }
      round = Math.min(pruneAlpha, round * ALPHA_STEP);
    }
    System.arraycopy(kept, 0, adjacency, base, keptCount);
    INTS.setRelease(counts, node, keptCount);
    return keptCount;
  }

  /** Copies {@code node}'s list into {@code out} (room for {@link #slot()}) without a lock; returns how many. */
  int readNeighbours(int node, int[] out) {
    int count = (int) INTS.getAcquire(counts, node);
    System.arraycopy(adjacency, node * slot, out, 0, count);
    return count;
  }

  private boolean contains(int base, int count, int node) {
    for (int i = 0; i < count; i++) {
      if (adjacency[base + i] == node) {
        return true;
      }
    }
    return false;
  }

  private Object lockFor(int node) {
    return locks[node & (LOCK_STRIPES - 1)];
  }

  private int[] identity() {
    int[] order = new int[size];
    Arrays.setAll(order, i -> i);
    return order;
  }

  /** A seeded random permutation of the nodes for pass {@code pass}. */
  private int[] order(int pass) {
    int[] order = identity();
    SplittableRandom rnd = new SplittableRandom(mix(seed + pass * 0xD1B54A32D192ED03L));
    for (int i = size - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** One node's work in a phase, with the calling thread's scratch. */
  interface NodeStep {
    void run(int node, VamanaSearchContext ctx);
  }

  /** Told how many nodes a chunk held once it is done. */
  interface Chunked {
    void done(int count);
  }

  /** Runs {@code step} on every node of {@code order}, in chunks on the build threads; {@code afterChunk} may be null. */
  void forEachNode(int[] order, NodeStep step, Chunked afterChunk) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger workerIds = new AtomicInteger();
    Runnable worker = () -> {
      int id = workerIds.getAndIncrement();
      if (contexts[id] == null) {
        contexts[id] = new VamanaSearchContext(size, vectors.dimension(), listSize, slot);
      }
      VamanaSearchContext ctx = contexts[id];
      int start;
      while ((start = next.getAndAdd(CHUNK)) < order.length) {
        int end = Math.min(order.length, start + CHUNK);
        for (int i = start; i < end; i++) {
          step.run(order[i], ctx);
        }
        if (afterChunk != null) {
          afterChunk.done(end - start);
        }
      }
    };
    runOnThreads(worker, threads);
  }

  static void runOnThreads(Runnable worker, int threads) {
    Parallel.runOnThreads(worker, threads, "graph build");
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
