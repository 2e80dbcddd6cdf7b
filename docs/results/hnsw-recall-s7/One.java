import io.quiver.distance.Metric;
import io.quiver.index.*;
import io.quiver.index.hnsw.*;
import io.quiver.testing.TestVectors;
import java.util.*;

public class One {
  static void dump(String f, float[][] v) {
    try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(f)))) {
      var bb = java.nio.ByteBuffer.allocate(4 + 4 * v[0].length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (float[] x : v) { bb.clear(); bb.putInt(x.length); for (float y : x) bb.putFloat(y); out.write(bb.array()); }
    } catch (Exception e) { throw new RuntimeException(e); }
  }
  public static void main(String[] a) {
    long seed = Long.parseUnsignedLong(a[0], 16);
    Metric want = Metric.valueOf(a[1]);
    Random rnd = new Random(seed);
    for (Metric metric : Metric.values()) {
      int dim = 8 + rnd.nextInt(57);
      int n = 2000 + rnd.nextInt(500);
      int clusters = 10 + rnd.nextInt(20);
      float[][] base = TestVectors.clustered(rnd, n, dim, clusters);
      float[][] queries = TestVectors.clustered(rnd, 40, dim, 10);
      int threads = 1 + rnd.nextInt(3);
      long iseed = rnd.nextLong();
      if (metric != want) continue;
      if (a.length > 2) { dump(a[2]+"/base.fvecs", base); dump(a[2]+"/q.fvecs", queries); }
      HnswIndex index = new HnswIndex(dim, metric, HnswConfig.builder().m(16).efConstruction(100).seed(iseed).build());
      index.addAll(VectorSource.of(base), threads, BuildProgress.NONE);
      System.out.println("unreachable L0: " + index.unreachableOnLevel0().length);
      for (int ef : new int[] {150, 300, 600, 2000}) {
        double sum = 0; StringBuilder sb = new StringBuilder();
        for (float[] q : queries) {
          int[] truth = TestVectors.exactTopK(metric, base, q, 10, i -> true);
          SearchResult res = index.search(q, 10, SearchParams.ef(ef), null);
          double r = TestVectors.recall(res.ordinals(), truth);
          sum += r; sb.append(String.format("%.1f ", r));
        }
        System.out.printf("ef %d recall %.4f : %s%n", ef, sum / queries.length, sb);
      }
      int fixed = index.connectLevel0();
      System.out.println("connectLevel0 -> " + fixed + ", unreachable now " + index.unreachableOnLevel0().length);
      double sum = 0;
      for (float[] q : queries) {
        int[] truth = TestVectors.exactTopK(metric, base, q, 10, i -> true);
        sum += TestVectors.recall(index.search(q, 10, SearchParams.ef(150), null).ordinals(), truth);
      }
      System.out.printf("after repair ef150 recall %.4f%n", sum / queries.length);
    }
  }
}
