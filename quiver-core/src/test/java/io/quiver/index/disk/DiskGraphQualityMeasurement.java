package io.quiver.index.disk;

import io.quiver.index.IndexFiles;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
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
