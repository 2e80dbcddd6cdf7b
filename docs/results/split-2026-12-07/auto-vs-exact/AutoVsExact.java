import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import io.quiver.collection.*;
import io.quiver.distance.Metric;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.payload.FieldSchema;
import java.nio.file.*;
import java.util.*;

public class AutoVsExact {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[1]), dim = 384;
    Path dir = Path.of(a[0]);
    ObjectMapper json = new ObjectMapper();
    Random rnd = new Random(42);
    try (Quiver db = Quiver.open(dir)) {
      io.quiver.collection.Collection c;
      if (db.exists("c")) c = db.collection("c");
      else {
        c = db.createCollection("c", CollectionConfig.builder().vector(VectorParams.of(dim, Metric.COSINE))
            .payloadIndex("r", FieldSchema.INTEGER).build());
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          float[] v = new float[dim]; for (int d = 0; d < dim; d++) v[d] = (float) rnd.nextGaussian();
          batch.add(Point.of(i, v, json.createObjectNode().put("r", rnd.nextInt(1000))));
          if (batch.size() == 1000) { c.upsert(batch); batch.clear(); }
        }
        c.upsert(batch);
        c.awaitIndexed();
      }
      Filter f = FilterParser.parse("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":5}}]}");
      float[][] qs = new float[500][dim];
      for (float[] q : qs) for (int d = 0; d < dim; d++) q[d] = (float) rnd.nextGaussian();
      System.out.println(c.explain(SearchRequest.builder(qs[0]).limit(10).filter(f).build()));
      for (int round = 0; round < 8; round++) {
        for (int mode = 0; mode < 2; mode++) {
          var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
          long a0 = mx.getCurrentThreadAllocatedBytes();
          long c0 = mx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          for (float[] q : qs) {
            SearchRequest.Builder b = SearchRequest.builder(q).limit(10).filter(f).withPayload(true);
            if (mode == 1) b.exact(true);
            c.search(b.build());
          }
          double us = (System.nanoTime() - t0) / 1e3 / qs.length;
          double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / qs.length;
          double kb = (mx.getCurrentThreadAllocatedBytes() - a0) / 1024.0 / qs.length;
          if (round >= 3) System.out.printf("round %d %s %.1f us/query, cpu %.1f us, %.1f KiB allocated/query%n", round, mode == 0 ? "AUTO " : "EXACT", us, cpu, kb);
        }
      }
    }
  }
}
