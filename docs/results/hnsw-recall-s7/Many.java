import io.quiver.distance.Metric;
import io.quiver.index.*;
import io.quiver.index.hnsw.*;
import io.quiver.testing.TestVectors;
import java.util.*;

public class Many {
  public static void main(String[] a) {
    int runs = Integer.parseInt(a[0]);
    Random master = new Random(Long.parseUnsignedLong(a[1], 16));
    String dir = a[2];
    for (int r = 0; r < runs; r++) {
      long seed = master.nextLong();
      Random rnd = new Random(seed);
      for (Metric metric : Metric.values()) {
        int dim = 8 + rnd.nextInt(57);
        int n = 2000 + rnd.nextInt(500);
        int clusters = 10 + rnd.nextInt(20);
        float[][] base = TestVectors.clustered(rnd, n, dim, clusters);
        float[][] queries = TestVectors.clustered(rnd, 40, dim, 10);
        int threads = 1 + rnd.nextInt(3);
        long iseed = rnd.nextLong();
        if (metric == Metric.DOT) continue;
        HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(16).efConstruction(100).seed(iseed).build());
        index.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
        StringBuilder sb = new StringBuilder(String.format("%X %s dim=%d n=%d c=%d", seed, metric, dim, n, clusters));
        for (int ef : new int[] {150, 300}) {
          double sum = 0; int zeros = 0;
          for (float[] q : queries) {
            int[] truth = TestVectors.exactTopK(metric, base, q, 10, i -> true);
            double rr = TestVectors.recall(index.search(q, 10, SearchParams.ef(ef), null).ordinals(), truth);
            sum += rr; if (rr == 0) zeros++;
          }
          sb.append(String.format(" ef%d %.4f z%d", ef, sum / queries.length, zeros));
        }
        String d = dir + "/" + r + "-" + metric;
        new java.io.File(d).mkdirs();
        One.dump(d + "/base.fvecs", base); One.dump(d + "/q.fvecs", queries);
        System.out.println(r + "-" + metric + " " + sb);
        index.close();
      }
    }
  }
}
