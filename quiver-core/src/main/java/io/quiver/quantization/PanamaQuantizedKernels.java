package io.quiver.quantization;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Quantized kernels on the incubating Vector API. Only loaded when {@code jdk.incubator.vector} is in the boot layer.
 *
 * <ul>
 *   <li>int8 dot: there is no VNNI (vpdpbusd) in the Vector API, so bytes are widened: a half-width byte vector is
 *   converted B2S to a full-width short vector, multiplied there (|a b| &lt;= 2^14 fits a short), and each half of the
 *   product converted S2I and added into two int accumulators.</li>
 *   <li>float16: JDK 25's Vector API has no half-float conversion lanes (no HF2F in {@link VectorOperators}), so a
 *   half-width short vector is widened S2I and decoded with integer ops: {@code bits = sign<<16 | (h&0x7fff)<<13},
 *   reinterpreted as float and multiplied by 2^112. That is exact for every finite half, subnormals included;
 *   {@link Float16Codec} never stores Inf/NaN (it clamps to +-65504), which this trick would decode as finite.</li>
 *   <li>bit dots: {@link LongVector} with {@link VectorOperators#BIT_COUNT}, see {@link #VECTOR_POPCOUNT}.</li>
 *   <li>PQ lookup sums: scalar; a gather needs the byte codes widened to an int index vector first, and AVX2 gathers
 *   are not faster than four scalar loads.</li>
 * </ul>
 */
final class PanamaQuantizedKernels implements QuantizedKernels {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> S =
      ShortVector.SPECIES_PREFERRED;
  /** Bytes for one full-width short vector: half the preferred width. */
  private static final VectorSpecies<Byte> B_HALF =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(I.vectorBitSize() / 2));
  /** Shorts for one full-width float vector: half the preferred width. */
  private static final VectorSpecies<Short> S_HALF =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
  private static final int BYTES_PER_STEP = B_HALF.length();
  private static final int FLANES = F.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /**
   * Whether the bit-plane kernel uses LongVector BIT_COUNT (true) or scalar {@link Long#bitCount} (POPCNT). Set with
   * {@code -Dquiver.quantization.vectorPopcount=true|false}; the default follows the measurement in
   * {@code QuantizationBenchmark} on AVX2 (see docs/benchmarks.md).
   */
  static final boolean VECTOR_POPCOUNT =
      Boolean.parseBoolean(System.getProperty("quiver.quantization.vectorPopcount", "false"));

  private final ScalarQuantizedKernels scalar = new ScalarQuantizedKernels();

  static int vectorBitSize() {
    return I.vectorBitSize();
  }

  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int i = 0;
    int res = 0;
    if (len >= 2 * BYTES_PER_STEP) {
      IntVector acc0 = IntVector.zero(I), acc1 = IntVector.zero(I);
      IntVector acc2 = IntVector.zero(I), acc3 = IntVector.zero(I);
      for (int upper = len - 2 * BYTES_PER_STEP; i <= upper; i += 2 * BYTES_PER_STEP) {
        ShortVector x0 = (ShortVector) ByteVector.fromArray(B_HALF, a, aOff + i).convertShape(VectorOperators.B2S, S, 0);
        ShortVector y0 = (ShortVector) ByteVector.fromArray(B_HALF, b, bOff + i).convertShape(VectorOperators.B2S, S, 0);
        ShortVector x1 = (ShortVector) ByteVector.fromArray(B_HALF, a, aOff + i + BYTES_PER_STEP)
            .convertShape(VectorOperators.B2S, S, 0);
        ShortVector y1 = (ShortVector) ByteVector.fromArray(B_HALF, b, bOff + i + BYTES_PER_STEP)
            .convertShape(VectorOperators.B2S, S, 0);
        ShortVector p0 = x0.mul(y0);
        ShortVector p1 = x1.mul(y1);
        acc0 = acc0.add((IntVector) p0.convertShape(VectorOperators.S2I, I, 0));
        acc1 = acc1.add((IntVector) p0.convertShape(VectorOperators.S2I, I, 1));
        acc2 = acc2.add((IntVector) p1.convertShape(VectorOperators.S2I, I, 0));
        acc3 = acc3.add((IntVector) p1.convertShape(VectorOperators.S2I, I, 1));
      }
      for (int upper = len - BYTES_PER_STEP; i <= upper; i += BYTES_PER_STEP) {
        ShortVector x0 = (ShortVector) ByteVector.fromArray(B_HALF, a, aOff + i).convertShape(VectorOperators.B2S, S, 0);
        ShortVector y0 = (ShortVector) ByteVector.fromArray(B_HALF, b, bOff + i).convertShape(VectorOperators.B2S, S, 0);
        ShortVector p0 = x0.mul(y0);
        acc0 = acc0.add((IntVector) p0.convertShape(VectorOperators.S2I, I, 0));
        acc1 = acc1.add((IntVector) p0.convertShape(VectorOperators.S2I, I, 1));
      }
      res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += a[aOff + i] * b[bOff + i];
    }
    return res;
  }

  private static FloatVector halves(MemorySegment seg, long byteOff) {
    IntVector h = (IntVector) ShortVector.fromMemorySegment(S_HALF, seg, byteOff, LE)
        .convertShape(VectorOperators.S2I, I, 0);
    IntVector bits = h.and(0x8000).lanewise(VectorOperators.LSHL, 16)
        .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13));
    return bits.reinterpretAsFloats().mul(0x1p112f);
  }

  @Override
  public float dotFloat16(float[] q, byte[] codes, int off, int len) {
    int i = 0;
    float res = 0;
    if (len >= FLANES) {
      MemorySegment seg = MemorySegment.ofArray(codes);
      FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
      for (int upper = len - 2 * FLANES; i <= upper; i += 2 * FLANES) {
        acc0 = FloatVector.fromArray(F, q, i).fma(halves(seg, off + 2L * i), acc0);
        acc1 = FloatVector.fromArray(F, q, i + FLANES).fma(halves(seg, off + 2L * (i + FLANES)), acc1);
      }
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        acc0 = FloatVector.fromArray(F, q, i).fma(halves(seg, off + 2L * i), acc0);
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res = Math.fma(q[i], Float.float16ToFloat((short) ScalarQuantizedKernels.SHORTS.get(codes, off + 2 * i)), res);
    }
    return res;
  }

  @Override
  public float squareDistanceFloat16(float[] q, byte[] codes, int off, int len) {
    int i = 0;
    float res = 0;
    if (len >= FLANES) {
      MemorySegment seg = MemorySegment.ofArray(codes);
      FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
      for (int upper = len - 2 * FLANES; i <= upper; i += 2 * FLANES) {
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(halves(seg, off + 2L * i));
        FloatVector d1 = FloatVector.fromArray(F, q, i + FLANES).sub(halves(seg, off + 2L * (i + FLANES)));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
      }
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(halves(seg, off + 2L * i));
        acc0 = d0.fma(d0, acc0);
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float d = q[i] - Float.float16ToFloat((short) ScalarQuantizedKernels.SHORTS.get(codes, off + 2 * i));
      res = Math.fma(d, d, res);
    }
    return res;
  }

  @Override
  public long int4BitDot(long[] planes, byte[] codes, int off, int words) {
    if (!VECTOR_POPCOUNT) {
      return scalar.int4BitDot(planes, codes, off, words);
    }
    return vectorInt4BitDot(planes, codes, off, words);
  }

  /** The LongVector BIT_COUNT form of {@link #int4BitDot}, always; public for the benchmark and tests. */
  long vectorInt4BitDot(long[] planes, byte[] codes, int off, int words) {
    int lanes = L.length();
    int w = 0;
    long res = 0;
    if (words >= lanes) {
      MemorySegment seg = MemorySegment.ofArray(codes);
      LongVector a0 = LongVector.zero(L), a1 = a0, a2 = a0, a3 = a0;
      for (int upper = words - lanes; w <= upper; w += lanes) {
        LongVector c = LongVector.fromMemorySegment(L, seg, off + 8L * w, LE);
        a0 = a0.add(LongVector.fromArray(L, planes, w).and(c).lanewise(VectorOperators.BIT_COUNT));
        a1 = a1.add(LongVector.fromArray(L, planes, words + w).and(c).lanewise(VectorOperators.BIT_COUNT));
        a2 = a2.add(LongVector.fromArray(L, planes, 2 * words + w).and(c).lanewise(VectorOperators.BIT_COUNT));
        a3 = a3.add(LongVector.fromArray(L, planes, 3 * words + w).and(c).lanewise(VectorOperators.BIT_COUNT));
      }
      res = a0.add(a1.lanewise(VectorOperators.LSHL, 1)).add(a2.lanewise(VectorOperators.LSHL, 2))
          .add(a3.lanewise(VectorOperators.LSHL, 3)).reduceLanes(VectorOperators.ADD);
    }
    for (; w < words; w++) {
      long c = (long) ScalarQuantizedKernels.LONGS.get(codes, off + 8 * w);
      res += Long.bitCount(planes[w] & c) + ((long) Long.bitCount(planes[words + w] & c) << 1)
          + ((long) Long.bitCount(planes[2 * words + w] & c) << 2)
          + ((long) Long.bitCount(planes[3 * words + w] & c) << 3);
    }
    return res;
  }

  @Override
  public int hamming(long[] q, byte[] codes, int off, int words) {
    return scalar.hamming(q, codes, off, words);
  }

  @Override
  public float adcSum(float[] table, byte[] codes, int off, int m) {
    return scalar.adcSum(table, codes, off, m);
  }

  @Override
  public String name() {
    return "panama(" + vectorBitSize() + "-bit)";
  }
}
