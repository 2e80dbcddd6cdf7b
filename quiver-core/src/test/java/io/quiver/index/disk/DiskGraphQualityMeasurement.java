package io.quiver.index.disk;

import io.quiver.index.IndexFiles;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.quantization.QuantizedScorer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (does not assert) how much of a built disk index's recall loss is its graph and how much its search: the
 * same file searched by {@link DiskIndex#search} (codes rank candidates, blocks' int8 records refine, floats rerank)
 * and by {@link GraphSourceSearcher} over the same graph with exact float distances for every candidate, at the same
 * list sizes. Run by hand on an index and data written by {@code ./quiver bench-disk}:
 * {@code ./mvnw -B -ntp -o test -pl quiver-core -Dtest=DiskGraphQualityMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dquiver.measure=true -Dquiver.index=DIR/index.qdisk
 * -Dquiver.queries=DIR/query.fvecs -Dquiver.truth=DIR/groundtruth-l2-base-query.ivecs -Dquiver.lists=32,64,128,256}
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class DiskGraphQualityMeasurement {
  @Test
  void measure() throws IOException {
    int[] lists = Arrays.stream(System.getProperty("quiver.lists", "32,64,128,256").split(","))
        .mapToInt(Integer::parseInt).toArray();
    int limit = Integer.getInteger("quiver.queryCount", 300);
    float[][] queries = readFvecs(Path.of(System.getProperty("quiver.queries")), limit);
    int[][] truth = readIvecs(Path.of(System.getProperty("quiver.truth")), queries.length);
    try (DiskIndex index = DiskIndex.open(Path.of(System.getProperty("quiver.index")))) {
      long t0 = System.nanoTime();
      PositionGraph graph = new PositionGraph(index);
      GraphSourceSearcher exact = new GraphSourceSearcher(graph, graph.vectors(), index.metric);
      System.out.printf(Locale.ROOT, "%d nodes, R %d, %d routing layers; graph and floats loaded in %.1f s%n",
          index.count, graph.maxDegree(), graph.routingLayers(), (System.nanoTime() - t0) / 1e9);
      diagnose(graph, queries, truth, exact, lists[lists.length - 1]);
      seeded(index, graph, queries, truth, exact, lists);
      for (int l : lists) {
        double exactRecall = 0;
        double diskRecall = 0;
        long expanded = 0;
        long blocks0 = index.blocksRead();
        for (int q = 0; q < queries.length; q++) {
          GraphSourceSearcher.Result r = exact.search(queries[q], 10, l);
          int[] found = new int[r.nodes().length];
          for (int i = 0; i < found.length; i++) {
            found[i] = graph.ordinalAt[r.nodes()[i]];
          }
          exactRecall += recall(found, truth[q]);
          expanded += r.expanded();
          SearchResult d = index.search(queries[q], 10, DiskSearchParams.listSize(l), null);
          diskRecall += recall(d.ordinals(), truth[q]);
        }
        int n = queries.length;
        System.out.printf(Locale.ROOT, "L %4d: exact-distance search recall@10 %.4f (%.1f expanded/q); disk search "
            + "%.4f (%.1f blocks/q)%n", l, exactRecall / n, (double) expanded / n, diskRecall / n,
            (double) (index.blocksRead() - blocks0) / n);
      }
    }
  }

  /**
   * Where the exact-distance search's misses come from at list size {@code l}: nodes the bottom layer cannot reach
   * from the entry, nodes nothing links to, and how the misses spread over queries (a few queries missing most of
   * their neighbours point at a search stuck in one region; misses spread thinly point at poorly linked nodes).
   */
  private static void diagnose(PositionGraph graph, float[][] queries, int[][] truth, GraphSourceSearcher exact,
      int l) {
    int n = graph.size();
    int[] inDegree = new int[n];
    int[] out = new int[graph.maxDegree()];
    for (int p = 0; p < n; p++) {
      int c = graph.neighbours(0, p, out);
      for (int i = 0; i < c; i++) {
        inDegree[out[i]]++;
      }
    }
    boolean[] reached = new boolean[n];
    int[] queue = new int[n];
    int head = 0;
    int tail = 0;
    queue[tail++] = graph.entryNode();
    reached[graph.entryNode()] = true;
    while (head < tail) {
      int c = graph.neighbours(0, queue[head++], out);
      for (int i = 0; i < c; i++) {
        if (!reached[out[i]]) {
          reached[out[i]] = true;
          queue[tail++] = out[i];
        }
      }
    }
    long zeroIn = Arrays.stream(inDegree).filter(d -> d == 0).count();
    System.out.printf(Locale.ROOT, "bottom layer: %d of %d nodes unreachable from the entry, %d with in-degree 0%n",
        n - tail, n, zeroIn);
    int[] positionOf = new int[n];
    for (int p = 0; p < n; p++) {
      positionOf[graph.ordinalAt[p]] = p;
    }
    int[] missesPerQuery = new int[11];
    long missed = 0;
    long missedUnreachable = 0;
    long missedLowIn = 0;
    long truthLowIn = 0;
    long missedNextToFound = 0;
    for (int q = 0; q < queries.length; q++) {
      GraphSourceSearcher.Result r = exact.search(queries[q], 10, l);
      Set<Integer> found = new HashSet<>();
      for (int node : r.nodes()) {
        found.add(node);
      }
      int misses = 0;
      for (int j = 0; j < 10; j++) {
        int p = positionOf[truth[q][j]];
        truthLowIn += inDegree[p] <= 2 ? 1 : 0;
        if (found.contains(p)) {
          continue;
        }
        misses++;
        missed++;
        missedUnreachable += reached[p] ? 0 : 1;
        missedLowIn += inDegree[p] <= 2 ? 1 : 0;
        boolean next = false;
        for (int f : found) {
          int c = graph.neighbours(0, f, out);
          for (int i = 0; i < c && !next; i++) {
            next = out[i] == p;
          }
        }
        missedNextToFound += next ? 1 : 0;
      }
      missesPerQuery[misses]++;
    }
    System.out.printf(Locale.ROOT, "L %d exact-distance misses: %d of %d true neighbours; %d unreachable, %d with "
        + "in-degree <= 2 (%d of all true neighbours), %d linked from a found node%n", l, missed,
        10L * queries.length, missedUnreachable, missedLowIn, truthLowIn, missedNextToFound);
    System.out.println("queries by number of misses (0..10): " + Arrays.toString(missesPerQuery));
  }

  /**
   * Exact-distance search with extra seeds: the best few of a candidate set of nodes by exact distance (the nodes of
   * the highest routing layer holding at least 128, or a seeded random sample of 1,024) enter the list beside the
   * routing layers' node.
   */
  private static void seeded(DiskIndex index, PositionGraph graph, float[][] queries, int[][] truth,
      GraphSourceSearcher exact, int[] lists) {
    VectorSource v = graph.vectors();
    for (int count : new int[] {256, 512, 1024, 2048}) {
      int[] candidates = new Random(17).ints(count, 0, graph.size()).toArray();
      float[][] cv = new float[candidates.length][];
      for (int i = 0; i < candidates.length; i++) {
        cv[i] = v.vector(candidates[i]);
      }
      for (boolean byCode : new boolean[] {false, true}) {
        for (int l : lists) {
          double r = 0;
          long expanded = 0;
          int allMissed = 0;
          for (int q = 0; q < queries.length; q++) {
            int[] best = byCode ? bestByCode(index, queries[q], candidates) : bestOf(queries[q], candidates, cv, 1);
            GraphSourceSearcher.Result res = exact.search(queries[q], 10, l, best);
            int[] found = new int[res.nodes().length];
            for (int i = 0; i < found.length; i++) {
              found[i] = graph.ordinalAt[res.nodes()[i]];
            }
            double rq = recall(found, truth[q]);
            r += rq;
            allMissed += rq == 0 ? 1 : 0;
            expanded += res.expanded();
          }
          System.out.printf(Locale.ROOT, "best of %d sampled nodes by %s, L %d: recall@10 %.4f, %d queries missing "
              + "all, %.1f expanded/q%n", count, byCode ? "code" : "exact distance", l, r / queries.length,
              allMissed, (double) expanded / queries.length);
        }
      }
    }
  }

  private static int[] bestByCode(DiskIndex index, float[] q, int[] candidates) {
    QuantizedScorer scorer = index.codeScorers.scorer(index.rotation.apply(q));
    float[] d = new float[candidates.length];
    scorer.score(candidates, candidates.length, d);
    int best = 0;
    for (int i = 1; i < d.length; i++) {
      if (d[i] < d[best]) {
        best = i;
      }
    }
    return new int[] {candidates[best]};
  }

  private static int[] bestOf(float[] q, int[] candidates, float[][] cv, int m) {
    Integer[] order = new Integer[candidates.length];
    float[] d = new float[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      order[i] = i;
      float s = 0;
      for (int j = 0; j < q.length; j++) {
        float x = q[j] - cv[i][j];
        s += x * x;
      }
      d[i] = s;
    }
    Arrays.sort(order, (a, b) -> Float.compare(d[a], d[b]));
    int[] out = new int[Math.min(m, candidates.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = candidates[order[i]];
    }
    return out;
  }

  private static double recall(int[] found, int[] truth) {
    int hit = 0;
    for (int i = 0; i < Math.min(10, found.length); i++) {
      for (int j = 0; j < 10; j++) {
        if (found[i] == truth[j]) {
          hit++;
          break;
        }
      }
    }
    return hit / 10.0;
  }

  /** The index's graph with positions as node ids (the bottom layer read from the blocks), floats by position. */
  private static final class PositionGraph implements DiskGraphSource {
    final int[] ordinalAt;
    private final DiskIndex index;
    private final int[] lists;
    private final int[] counts;
    private final int maxDegree;

    PositionGraph(DiskIndex index) {
      this.index = index;
      this.maxDegree = index.layout.maxDegree();
      int n = index.count;
      ordinalAt = new int[n];
      for (int o = 0; o < n; o++) {
        ordinalAt[index.positionOf(o)] = o;
      }
      lists = new int[n * maxDegree];
      counts = new int[n];
      for (int p = 0; p < n; p++) {
        long at = index.layout.blockOffset(p);
        int c = index.blocks.get(IndexFiles.LE_INT, at + index.layout.countOffset());
        counts[p] = c;
        for (int i = 0; i < c; i++) {
          lists[p * maxDegree + i] = index.blocks.get(IndexFiles.LE_INT, at + index.layout.countOffset() + 4 + 4L * i);
        }
      }
    }

    VectorSource vectors() {
      return new VectorSource() {
        @Override
        public int size() {
          return index.count;
        }

        @Override
        public int dimension() {
          return index.dimension;
        }

        @Override
        public float[] vector(int p) {
          float[] v = new float[index.dimension];
          index.readFloats(ordinalAt[p], v);
          return v;
        }
      };
    }

    @Override
    public int size() {
      return index.count;
    }

    @Override
    public int maxDegree() {
      return maxDegree;
    }

    @Override
    public int entryNode() {
      return index.entry;
    }

    @Override
    public int routingLayers() {
      return index.routing.layers();
    }

    @Override
    public int[] nodesOn(int layer) {
      return index.routing.nodesOn(layer);
    }

    @Override
    public int neighbours(int layer, int node, int[] out) {
      if (layer > 0) {
        return index.routing.neighbours(layer, node, out);
      }
      System.arraycopy(lists, node * maxDegree, out, 0, counts[node]);
      return counts[node];
    }
  }

  private static float[][] readFvecs(Path file, int limit) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      DataInputStream data = new DataInputStream(in);
      float[][] out = new float[limit][];
      int n = 0;
      byte[] head = new byte[4];
      while (n < limit && in.readNBytes(head, 0, 4) == 4) {
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] body = data.readNBytes(4 * dim);
        float[] v = new float[dim];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        out[n++] = v;
      }
      return Arrays.copyOf(out, n);
    }
  }

  private static int[][] readIvecs(Path file, int limit) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      int[][] out = new int[limit][];
      byte[] head = new byte[4];
      for (int n = 0; n < limit && in.readNBytes(head, 0, 4) == 4; n++) {
        int k = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] body = in.readNBytes(4 * k);
        out[n] = new int[k];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out[n]);
      }
      return out;
    }
  }
}
