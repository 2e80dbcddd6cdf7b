package io.quiver.quantization;

import io.quiver.distance.Metric;
import io.quiver.distance.QuantizedKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link BinaryQuantizer} records held in RAM in a smaller layout, for indexes whose RAM is the budget (the disk
 * index keeps only these codes per vector): the bits, then three little-endian floats and the centroid byte, {@code 8
 * * ceil(d / 64) + 13} bytes against the stored record's 17 bytes of terms plus a 4-byte shift array. The terms fold
 * everything query-independent of the estimate into three numbers:
 * <ul>
 *   <li>{@code A = f} and {@code B = f popcount(b)}, so that {@code f (xb.q)} is {@code alpha B + gamma A + beta A S}
 *       with {@code S = sum b[i] u[i]} and the query's coefficients ({@link BinaryQuery});</li>
 *   <li>{@code C}: for L2 {@code |r|^2 + 2 shift}, for DOT {@code shift - r.c}, for COSINE {@code 1 + shift - r.c},
 *       where {@code shift = f xb.c}.</li>
 * </ul>
 * The score is then {@code C + const - 2 t} (L2) or {@code C - const - t} (DOT, COSINE), with {@code t} the estimate
 * above and {@code const} the query's per-centroid constant: {@link BinaryQuantizer}'s estimates, rounded differently.
 * On 1,000,000 x 128 this is 29 bytes a vector against 37.
 */
public final class CompactBinaryCodes implements VectorQuantizer.Scorers {
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Metric metric;
  private final float[][] centroids;
  private final int words;
  private final int bpv;
  private final byte[] records;

  private CompactBinaryCodes(Metric metric, float[][] centroids, int words, byte[] records) {
    this.metric = metric;
    this.centroids = centroids;
    this.words = words;
    this.bpv = 8 * words + 13;
    this.records = records;
  }

  static CompactBinaryCodes of(BinaryQuantizer q, float[][] centroids, MemorySegment src, long offset, int count) {
    int words = q.words();
    int srcBpv = q.bytesPerVector();
    int bpv = 8 * words + 13;
    if ((long) count * bpv > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(count + " codes of " + bpv + " bytes exceed one in-RAM array");
    }
    double[] centroidSums = new double[centroids.length];
    for (int j = 0; j < centroids.length; j++) {
      for (float x : centroids[j]) {
        centroidSums[j] += x;
      }
    }
    float invSqrtDim = q.invSqrtDim();
    Metric metric = q.metric();
    byte[] out = new byte[count * bpv];
    for (int i = 0; i < count; i++) {
      long at = offset + (long) i * srcBpv;
      int dst = i * bpv;
      long f = at + 8L * words;
      int cid = src.get(ValueLayout.JAVA_BYTE, f + 16) & 0xff;
      if (cid >= centroids.length) {
        throw new IllegalArgumentException("code " + i + " names centroid " + cid + " of " + centroids.length);
      }
      float[] c = centroids[cid];
      double bc = 0;
      for (int w = 0; w < words; w++) {
        long bits = src.get(LONG, at + 8L * w);
        LittleEndian.LONGS.set(out, dst + 8 * w, bits);
        while (bits != 0) {
          bc += c[(w << 6) + Long.numberOfTrailingZeros(bits)];
          bits &= bits - 1;
        }
      }
      float a = src.get(FLOAT, f);
      float rc = src.get(FLOAT, f + 4);
      float r2 = src.get(FLOAT, f + 8);
      float pop = src.get(FLOAT, f + 12);
      float shift = (float) (a * (2 * bc - centroidSums[cid]) * invSqrtDim);
      float constantTerm = switch (metric) {
        case L2 -> r2 + 2 * shift;
        case DOT -> shift - rc;
        case COSINE -> 1f + shift - rc;
        case L1 -> throw new IllegalStateException("binary codes do not support L1");
      };
      int t = dst + 8 * words;
      Quantizers.putFloat(out, t, a);
      Quantizers.putFloat(out, t + 4, a * pop);
      Quantizers.putFloat(out, t + 8, constantTerm);
      out[t + 12] = (byte) cid;
    }
    return new CompactBinaryCodes(metric, centroids, words, out);
  }

  /** Vectors held. */
  public int count() {
    return records.length / bpv;
  }

  @Override
  public QuantizedScorer scorer(float[] query) {
    return new Scorer(new BinaryQuery(Quantizers.prepare(metric, query, centroids[0].length), centroids, metric));
  }

  @Override
  public long ramBytes() {
    return records.length;
  }

  private final class Scorer implements QuantizedScorer {
    private final BinaryQuery q;
    private final QuantizedKernels kernels = QuantizedVectorUtil.kernels();
    private final int termsOff = 8 * words;
    private final boolean l2 = metric == Metric.L2;
    /** Keeps the touching loads of {@link #score(int[], int, float[])} from being optimized away. */
    private int sink;

    Scorer(BinaryQuery q) {
      this.q = q;
    }

    @Override
    public float score(int ord) {
      int off = ord * bpv;
      int t = off + termsOff;
      float a = Quantizers.getFloat(records, t);
      float est = q.alpha * Quantizers.getFloat(records, t + 4) + a * (q.gamma
          + q.beta * kernels.int4BitDot(q.planes, records, off, words));
      float c = Quantizers.getFloat(records, t + 8);
      float constant = q.constant[records[t + 12] & 0xff];
      return l2 ? c + constant - 2 * est : c - constant - est;
    }

    @Override
    public void score(int[] ords, int count, float[] out) {
      // touch every cache line of the batch's records first: independent loads whose misses overlap (as in
      // BinaryQuantizer's scorer, where this measured +25% QPS)
      int touched = 0;
      int mid = Math.min(64, bpv - 1);
      for (int i = 0; i < count; i++) {
        int off = ords[i] * bpv;
        touched += records[off] + records[off + mid] + records[off + bpv - 1];
      }
      sink = touched;
      for (int i = 0; i < count; i++) {
        out[i] = score(ords[i]);
      }
    }
  }
}
