import io.quiver.distance.Metric;
import io.quiver.index.*;
import io.quiver.index.hnsw.*;
import io.quiver.testing.TestVectors;
import java.util.*;

public class Dist {
  static float[][] centres(Random rnd, int c, int dim) {
    float[][] cs = new float[c][dim];
    for (float[] x : cs) for (int d = 0; d < dim; d++) x[d] = (float) (rnd.nextGaussian() * 2.0);
    return cs;
  }
  static float[][] sample(Random rnd, float[][] cs, int n) {
    int dim = cs[0].length; float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) { float[] c = cs[rnd.nextInt(cs.length)]; for (int d = 0; d < dim; d++) out[i][d] = c[d] + (float) (rnd.nextGaussian() * 0.5); }
    return out;
  }
  public static void main(String[] a) {
    int runs = Integer.parseInt(a[0]);
    Random master = new Random(Long.parseUnsignedLong(a[1], 16));
    int m = a.length > 2 ? Integer.parseInt(a[2]) : 16;
    for (int r = 0; r < runs; r++) {
      long seed = master.nextLong();
      Random rnd = new Random(seed);
      for (Metric metric : Metric.values()) {
        int dim = 8 + rnd.nextInt(57);
        int n = 2000 + rnd.nextInt(500);
        float[][] cs = centres(rnd, 10 + rnd.nextInt(20), dim);
        float[][] base = sample(rnd, cs, n);
        float[][] qin = sample(rnd, cs, 40);
        float[][] qout = sample(rnd, centres(rnd, 10, dim), 40);
        int threads = 1 + rnd.nextInt(3);
        HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(m).efConstruction(100).seed(rnd.nextLong()).build());
        index.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
        StringBuilder sb = new StringBuilder(String.format("%X %s dim=%d n=%d c=%d", seed, metric, dim, n, cs.length));
        for (int ef : new int[] {20, 50, 150, 300}) {
          int e = metric == Metric.DOT ? 2 * ef : ef;
          for (float[][] qs : new float[][][] {qin, qout}) {
            double sum = 0;
            for (float[] q : qs) {
              int[] truth = TestVectors.exactTopK(metric, base, q, 10, i -> true);
              sum += TestVectors.recall(index.search(q, 10, SearchParams.ef(e), null).ordinals(), truth);
            }
            sb.append(String.format(" %.4f", sum / qs.length));
          }
        }
        System.out.println(sb);
        index.close();
      }
    }
  }
}
