import io.quiver.distance.Metric;
import io.quiver.index.*;
import io.quiver.index.hnsw.*;
import io.quiver.testing.TestVectors;
import java.util.*;

public class Plateau {
  public static void main(String[] a) {
    Random master = new Random(Long.parseUnsignedLong(a[1], 16));
    int runs = Integer.parseInt(a[0]);
    int missed = 0, missedStranded = 0, missedTie = 0, strandedTotal = 0, queries = 0;
    for (int r = 0; r < runs; r++) {
      Random rnd = new Random(master.nextLong());
      for (Metric metric : Metric.values()) {
        int dim = 8 + rnd.nextInt(57);
        int n = 2000 + rnd.nextInt(500);
        float[][] cs = Dist.centres(rnd, 10 + rnd.nextInt(20), dim);
        float[][] base = Dist.sample(rnd, cs, n);
        float[][] qin = Dist.sample(rnd, cs, 40);
        int threads = 1 + rnd.nextInt(3);
        HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(16).efConstruction(100).seed(rnd.nextLong()).build());
        index.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
        if (metric == Metric.DOT) { index.close(); continue; }
        Set<Integer> stranded = new HashSet<>(); for (int s : index.unreachableOnLevel0()) stranded.add(s);
        strandedTotal += stranded.size();
        for (float[] q : qin) {
          queries++;
          int[] truth = TestVectors.exactTopK(metric, base, q, 11, i -> true);
          int[] got = index.search(q, 10, SearchParams.ef(300), null).ordinals();
          Set<Integer> g = new HashSet<>(); for (int x : got) g.add(x);
          for (int i = 0; i < 10; i++) if (!g.contains(truth[i])) {
            missed++;
            if (stranded.contains(truth[i])) missedStranded++;
            else if (Math.abs(TestVectors.distance(metric, base[truth[i]], q) - TestVectors.distance(metric, base[truth[10]], q)) < 1e-5) missedTie++;
            else if (missed - missedStranded - missedTie < 5) System.out.printf("miss %s node %d%n", metric, truth[i]);
          }
        }
        index.close();
      }
    }
    System.out.printf("queries %d missed %d stranded %d tie %d; stranded nodes total %d%n", queries, missed, missedStranded, missedTie, strandedTotal);
  }
}
