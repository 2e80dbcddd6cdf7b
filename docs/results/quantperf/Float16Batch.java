package io.quiver.quantization;
import io.quiver.distance.Metric;
import java.util.*;
/** float16 scorer: single calls vs the four-record batch, same JVM. Args: vectors [dot]. */
public class Float16Batch {
  public static void main(String[] a) {
    int dim = 384, n = Integer.parseInt(a[0]); Random r = new Random(1);
    float[][] data = new float[n][dim];
    for (float[] v : data) for (int i = 0; i < dim; i++) v[i] = (float) r.nextGaussian();
    Float16Codec c = new Float16Codec(a.length > 1 ? Metric.DOT : Metric.L2, dim);
    byte[] codes = c.encodeAll(data);
    QuantizedScorer s = c.scorer(data[0], codes);
    int[] ords = new int[1 << 14]; for (int i = 0; i < ords.length; i++) ords[i] = r.nextInt(n);
    float[] out = new float[16]; int[] b = new int[16]; double sink = 0;
    for (int round = 0; round < 8; round++) {
      long t0 = System.nanoTime();
      for (int rep = 0; rep < 10; rep++) for (int o : ords) sink += s.score(o);
      double t1 = (System.nanoTime() - t0) / (10.0 * ords.length);
      long t2 = System.nanoTime();
      for (int rep = 0; rep < 10; rep++) for (int i = 0; i < ords.length; i += 16) { System.arraycopy(ords, i, b, 0, 16); s.score(b, 16, out); sink += out[3]; }
      double t3 = (System.nanoTime() - t2) / (10.0 * ords.length);
      if (round >= 4) System.out.printf("n %d single %.1f batch %.1f ns%n", n, t1, t3);
    }
    System.out.println(sink > 0);
  }
}
