package io.quiver.quantization;
import java.util.*;
/** Microbenchmark of the 4-bit x 1-bit plane kernel: scalar POPCNT vs LongVector BIT_COUNT (interleaved planes). */
public class PopcountKernels {
  static final ScalarQuantizedKernels SK = new ScalarQuantizedKernels();
  static final PanamaQuantizedKernels PK = new PanamaQuantizedKernels();
  static long runScalar(long[] planes, byte[] codes, int[] ords, int bpv, int words) { long acc = 0; for (int o : ords) acc += SK.int4BitDot(planes, codes, o * bpv, words); return acc; }
  static long runVector(long[] planes, byte[] codes, int[] ords, int bpv, int words) { long acc = 0; for (int o : ords) acc += PK.vectorInt4BitDot(planes, codes, o * bpv, words); return acc; }
  static long runBare(byte[] codes, int[] ords, int bpv, int words) { long acc = 0; for (int o : ords) { for (int w = 0; w < words; w++) acc += Long.bitCount((long) ScalarQuantizedKernels.LONGS.get(codes, o * bpv + 8 * w)); } return acc; }
  public static void main(String[] a) {
    int dim = Integer.parseInt(a[0]); int words = (dim + 63) / 64, bpv = 8 * words + 17, n = 4096; Random r = new Random(1);
    byte[] codes = new byte[n * bpv]; r.nextBytes(codes);
    long[] planes = new long[4 * words]; for (int i = 0; i < planes.length; i++) planes[i] = r.nextLong();
    int[] ords = new int[1 << 16]; for (int i = 0; i < ords.length; i++) ords[i] = r.nextInt(n);
    long sink = 0;
    for (int round = 0; round < 10; round++) {
      double[] t = new double[3];
      for (int v = 0; v < 3; v++) {
        long t0 = System.nanoTime();
        for (int rep = 0; rep < 20; rep++) sink += v == 0 ? runScalar(planes, codes, ords, bpv, words) : v == 1 ? runVector(planes, codes, ords, bpv, words) : runBare(codes, ords, bpv, words);
        t[v] = (System.nanoTime() - t0) / (20.0 * ords.length);
      }
      if (round >= 5) System.out.printf("dim %d scalar %.1f vector %.1f bare-popcount %.1f ns/code%n", dim, t[0], t[1], t[2]);
    }
    System.out.println(sink & 1);
  }
}
