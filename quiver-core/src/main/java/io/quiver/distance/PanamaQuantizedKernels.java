package io.quiver.distance;

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
 *   the quantization package's {@code Float16Codec} never stores Inf/NaN (it clamps to +-65504), which this trick
 *   would decode as finite.</li>
 *   <li>bit dots: {@link LongVector} with {@link VectorOperators#BIT_COUNT} or scalar {@link Long#bitCount}, see
 *   {@link #VECTOR_POPCOUNT}.</li>
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

  /**
   * Whether the bit-plane kernel uses LongVector BIT_COUNT (the default) or scalar {@link Long#bitCount} (POPCNT), set
   * with {@code -Dquiver.quantization.vectorPopcount=true|false}. With the query's four planes interleaved word by
   * word, one 4-lane load takes a word's planes and the vector form measured 21 vs 31 ns a code at 384 dims and about
   * 35 vs 55 at 784 (cached codes, AVX2 without VPOPCNTDQ; see docs/quantization.md). With the planes stored apart it
   * had been no faster than POPCNT.
   */
  static final boolean VECTOR_POPCOUNT =
      Boolean.parseBoolean(System.getProperty("quiver.quantization.vectorPopcount", "true"))
          && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /**
   * Which int8 dot form: {@code int} (the default: a quarter-width byte vector widened B2I straight to int lanes and
   * multiplied there) or {@code short} (B2S widen, 16-bit multiply, S2I widen of each half). Set with
   * {@code -Dquiver.quantization.int8Kernel=short|int}; both are exact. Measured on AVX2 with cached codes
   * (QuantizationBenchmark, vectors=256, whole int8 scorer): 68 vs 86 ns at 384 dims, 121 vs 189 ns at 784.
   */
  static final boolean INT8_VIA_INT = !"short".equals(System.getProperty("quiver.quantization.int8Kernel", "int"));

  /** Bytes for one full-width int vector: a quarter of the preferred width. */
  private static final VectorSpecies<Byte> B_QUARTER =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, I.vectorBitSize() / 4)));

  private final ScalarQuantizedKernels scalar = new ScalarQuantizedKernels();

  static int vectorBitSize() {
    return I.vectorBitSize();
  }

  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    return INT8_VIA_INT ? dotInt8ViaInt(a, aOff, b, bOff, len) : dotInt8ViaShort(a, aOff, b, bOff, len);
  }

  /** The B2I form of {@link #dotInt8}; package-private for the tests. */
  int dotInt8ViaInt(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int step = I.length();
    int i = 0;
    int res = 0;
    if (B_QUARTER.length() == step && len >= step) {
      IntVector acc0 = IntVector.zero(I), acc1 = IntVector.zero(I);
      for (int upper = len - 2 * step; i <= upper; i += 2 * step) {
        IntVector x0 = (IntVector) ByteVector.fromArray(B_QUARTER, a, aOff + i).convertShape(VectorOperators.B2I, I, 0);
        IntVector y0 = (IntVector) ByteVector.fromArray(B_QUARTER, b, bOff + i).convertShape(VectorOperators.B2I, I, 0);
        IntVector x1 = (IntVector) ByteVector.fromArray(B_QUARTER, a, aOff + i + step)
            .convertShape(VectorOperators.B2I, I, 0);
        IntVector y1 = (IntVector) ByteVector.fromArray(B_QUARTER, b, bOff + i + step)
            .convertShape(VectorOperators.B2I, I, 0);
        acc0 = acc0.add(x0.mul(y0));
        acc1 = acc1.add(x1.mul(y1));
      }
      for (int upper = len - step; i <= upper; i += step) {
        IntVector x0 = (IntVector) ByteVector.fromArray(B_QUARTER, a, aOff + i).convertShape(VectorOperators.B2I, I, 0);
        IntVector y0 = (IntVector) ByteVector.fromArray(B_QUARTER, b, bOff + i).convertShape(VectorOperators.B2I, I, 0);
        acc0 = acc0.add(x0.mul(y0));
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += a[aOff + i] * b[bOff + i];
    }
    return res;
  }

  @Override
  public void dotInt8x4(byte[] q, byte[] codes, int o0, int o1, int o2, int o3, int len, int[] out) {
    int step = I.length();
    int i = 0;
    int r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    if (B_QUARTER.length() == step && len >= step) {
      IntVector a0 = IntVector.zero(I), a1 = a0, a2 = a0, a3 = a0;
      for (int upper = len - step; i <= upper; i += step) {
        IntVector x = (IntVector) ByteVector.fromArray(B_QUARTER, q, i).convertShape(VectorOperators.B2I, I, 0);
        a0 = a0.add(x.mul((IntVector) ByteVector.fromArray(B_QUARTER, codes, o0 + i)
            .convertShape(VectorOperators.B2I, I, 0)));
        a1 = a1.add(x.mul((IntVector) ByteVector.fromArray(B_QUARTER, codes, o1 + i)
            .convertShape(VectorOperators.B2I, I, 0)));
        a2 = a2.add(x.mul((IntVector) ByteVector.fromArray(B_QUARTER, codes, o2 + i)
            .convertShape(VectorOperators.B2I, I, 0)));
        a3 = a3.add(x.mul((IntVector) ByteVector.fromArray(B_QUARTER, codes, o3 + i)
            .convertShape(VectorOperators.B2I, I, 0)));
      }
      r0 = a0.reduceLanes(VectorOperators.ADD);
      r1 = a1.reduceLanes(VectorOperators.ADD);
      r2 = a2.reduceLanes(VectorOperators.ADD);
      r3 = a3.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      int x = q[i];
      r0 += x * codes[o0 + i];
      r1 += x * codes[o1 + i];
      r2 += x * codes[o2 + i];
      r3 += x * codes[o3 + i];
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
  }

  private static IntVector int8Lanes(byte[] a, int off) {
    return (IntVector) ByteVector.fromArray(B_QUARTER, a, off).convertShape(VectorOperators.B2I, I, 0);
  }

  @Override
  public void dotInt8x8(byte[] q, byte[] codes, int[] offs, int from, int len, int[] out) {
    int step = I.length();
    if (B_QUARTER.length() != step) {
      QuantizedKernels.super.dotInt8x8(q, codes, offs, from, len, out);
      return;
    }
    int o0 = offs[from], o1 = offs[from + 1], o2 = offs[from + 2], o3 = offs[from + 3];
    int o4 = offs[from + 4], o5 = offs[from + 5], o6 = offs[from + 6], o7 = offs[from + 7];
    IntVector a0 = IntVector.zero(I), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int i = 0;
    for (int upper = len - step; i <= upper; i += step) {
      IntVector x = int8Lanes(q, i);
      a0 = a0.add(x.mul(int8Lanes(codes, o0 + i)));
      a1 = a1.add(x.mul(int8Lanes(codes, o1 + i)));
      a2 = a2.add(x.mul(int8Lanes(codes, o2 + i)));
      a3 = a3.add(x.mul(int8Lanes(codes, o3 + i)));
      a4 = a4.add(x.mul(int8Lanes(codes, o4 + i)));
      a5 = a5.add(x.mul(int8Lanes(codes, o5 + i)));
      a6 = a6.add(x.mul(int8Lanes(codes, o6 + i)));
      a7 = a7.add(x.mul(int8Lanes(codes, o7 + i)));
    }
    int r0 = a0.reduceLanes(VectorOperators.ADD), r1 = a1.reduceLanes(VectorOperators.ADD);
    int r2 = a2.reduceLanes(VectorOperators.ADD), r3 = a3.reduceLanes(VectorOperators.ADD);
    int r4 = a4.reduceLanes(VectorOperators.ADD), r5 = a5.reduceLanes(VectorOperators.ADD);
    int r6 = a6.reduceLanes(VectorOperators.ADD), r7 = a7.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      int x = q[i];
      r0 += x * codes[o0 + i];
      r1 += x * codes[o1 + i];
      r2 += x * codes[o2 + i];
      r3 += x * codes[o3 + i];
      r4 += x * codes[o4 + i];
      r5 += x * codes[o5 + i];
      r6 += x * codes[o6 + i];
      r7 += x * codes[o7 + i];
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
    out[4] = r4;
    out[5] = r5;
    out[6] = r6;
    out[7] = r7;
  }

  /** The B2S form of {@link #dotInt8}; package-private for the tests. */
  int dotInt8ViaShort(byte[] a, int aOff, byte[] b, int bOff, int len) {
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

  /** Bytes holding one full-width float vector's halves. */
  private static final VectorSpecies<Byte> B_HALF_F =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

  /**
   * Float16 kernel form: {@code vector} (the default: the integer decoding below) or {@code scalar}
   * ({@link Float#float16ToFloat} per element; C2 intrinsifies it but does not vectorize this reduction). Set with
   * {@code -Dquiver.quantization.float16Kernel=scalar|vector}. Measured on AVX2 with cached codes
   * (QuantizationBenchmark, vectors=256): 100 vs 316 ns at 384 dims, 179 vs 614 ns at 784. Loading the halves with
   * {@code ShortVector.fromMemorySegment} over {@code MemorySegment.ofArray} instead of a byte load reinterpreted as
   * shorts was slower than scalar (1680 vs 488 ns at 384 in the uncached run).
   */
  static final boolean FLOAT16_VECTOR =
      !"scalar".equals(System.getProperty("quiver.quantization.float16Kernel", "vector"))
          && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN; // the byte loads are reinterpreted in native order

  private static FloatVector halves(byte[] codes, int byteOff) {
    IntVector h = (IntVector) ByteVector.fromArray(B_HALF_F, codes, byteOff).reinterpretAsShorts()
        .convertShape(VectorOperators.S2I, I, 0);
    IntVector bits = h.and(0x8000).lanewise(VectorOperators.LSHL, 16)
        .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13));
    return bits.reinterpretAsFloats().mul(0x1p112f);
  }

  /**
   * Bytes for one full-width float vector: a quarter of the preferred width (B2F widens each byte to a float lane).
   */
  private static final VectorSpecies<Byte> B_FOR_F =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 4)));

  @Override
  public float dotFloatInt8(float[] q, byte[] codes, int off, int len) {
    int i = 0;
    float res = 0;
    if (B_FOR_F.length() == FLANES && len >= FLANES) {
      FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
      for (int upper = len - 2 * FLANES; i <= upper; i += 2 * FLANES) {
        FloatVector c0 = (FloatVector) ByteVector.fromArray(B_FOR_F, codes, off + i)
            .convertShape(VectorOperators.B2F, F, 0);
        FloatVector c1 = (FloatVector) ByteVector.fromArray(B_FOR_F, codes, off + i + FLANES)
            .convertShape(VectorOperators.B2F, F, 0);
        acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
        acc1 = FloatVector.fromArray(F, q, i + FLANES).fma(c1, acc1);
      }
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        FloatVector c0 = (FloatVector) ByteVector.fromArray(B_FOR_F, codes, off + i)
            .convertShape(VectorOperators.B2F, F, 0);
        acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res = Math.fma(q[i], codes[off + i], res);
    }
    return res;
  }

  @Override
  public float dotFloat16(float[] q, byte[] codes, int off, int len) {
    return FLOAT16_VECTOR ? vectorDotFloat16(q, codes, off, len) : scalar.dotFloat16(q, codes, off, len);
  }

  @Override
  public float squareDistanceFloat16(float[] q, byte[] codes, int off, int len) {
    return FLOAT16_VECTOR ? vectorSquareDistanceFloat16(q, codes, off, len)
        : scalar.squareDistanceFloat16(q, codes, off, len);
  }

  /** The Vector API form of {@link #dotFloat16}, always; package-private for the tests. */
  float vectorDotFloat16(float[] q, byte[] codes, int off, int len) {
    int i = 0;
    float res = 0;
    if (len >= FLANES) {
      FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
      for (int upper = len - 2 * FLANES; i <= upper; i += 2 * FLANES) {
        acc0 = FloatVector.fromArray(F, q, i).fma(halves(codes, off + 2 * i), acc0);
        acc1 = FloatVector.fromArray(F, q, i + FLANES).fma(halves(codes, off + 2 * (i + FLANES)), acc1);
      }
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        acc0 = FloatVector.fromArray(F, q, i).fma(halves(codes, off + 2 * i), acc0);
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res = Math.fma(q[i], Float.float16ToFloat((short) ScalarQuantizedKernels.SHORTS.get(codes, off + 2 * i)), res);
    }
    return res;
  }

  /**
   * Four records side by side, one accumulator each (equal to the single kernels up to float rounding). One loop per
   * form, with few live vectors: a shared loop with the choice inside it, or two accumulators per record as the
   * single kernels keep, was not compiled into vector code (3-4x slower than four single calls). Measured against
   * four single calls (384-d DOT, same JVM, docs/results/quantperf/Float16Batch.java): 89–93 vs 99–115 ns a record
   * cached, 223–236 vs 423–460 out of cache (300,000 records).
   */
  @Override
  public void float16x4(float[] q, byte[] codes, int o0, int o1, int o2, int o3, int len, boolean l2, float[] out) {
    if (!FLOAT16_VECTOR) {
      QuantizedKernels.super.float16x4(q, codes, o0, o1, o2, o3, len, l2, out);
    } else if (l2) {
      squareDistanceFloat16x4(q, codes, o0, o1, o2, o3, len, out);
    } else {
      dotFloat16x4(q, codes, o0, o1, o2, o3, len, out);
    }
  }

  private void dotFloat16x4(float[] q, byte[] codes, int o0, int o1, int o2, int o3, int len, float[] out) {
    float r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    int i = 0;
    if (len >= FLANES) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        FloatVector x = FloatVector.fromArray(F, q, i);
        a0 = x.fma(halves(codes, o0 + 2 * i), a0);
        a1 = x.fma(halves(codes, o1 + 2 * i), a1);
        a2 = x.fma(halves(codes, o2 + 2 * i), a2);
        a3 = x.fma(halves(codes, o3 + 2 * i), a3);
      }
      r0 = a0.reduceLanes(VectorOperators.ADD);
      r1 = a1.reduceLanes(VectorOperators.ADD);
      r2 = a2.reduceLanes(VectorOperators.ADD);
      r3 = a3.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float x = q[i];
      r0 = Math.fma(x, half(codes, o0 + 2 * i), r0);
      r1 = Math.fma(x, half(codes, o1 + 2 * i), r1);
      r2 = Math.fma(x, half(codes, o2 + 2 * i), r2);
      r3 = Math.fma(x, half(codes, o3 + 2 * i), r3);
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
  }

  private void squareDistanceFloat16x4(float[] q, byte[] codes, int o0, int o1, int o2, int o3, int len,
      float[] out) {
    float r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    int i = 0;
    if (len >= FLANES) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        FloatVector x = FloatVector.fromArray(F, q, i);
        FloatVector d0 = x.sub(halves(codes, o0 + 2 * i)), d1 = x.sub(halves(codes, o1 + 2 * i));
        FloatVector d2 = x.sub(halves(codes, o2 + 2 * i)), d3 = x.sub(halves(codes, o3 + 2 * i));
        a0 = d0.fma(d0, a0);
        a1 = d1.fma(d1, a1);
        a2 = d2.fma(d2, a2);
        a3 = d3.fma(d3, a3);
      }
      r0 = a0.reduceLanes(VectorOperators.ADD);
      r1 = a1.reduceLanes(VectorOperators.ADD);
      r2 = a2.reduceLanes(VectorOperators.ADD);
      r3 = a3.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float x = q[i];
      float d0 = x - half(codes, o0 + 2 * i), d1 = x - half(codes, o1 + 2 * i);
      float d2 = x - half(codes, o2 + 2 * i), d3 = x - half(codes, o3 + 2 * i);
      r0 = Math.fma(d0, d0, r0);
      r1 = Math.fma(d1, d1, r1);
      r2 = Math.fma(d2, d2, r2);
      r3 = Math.fma(d3, d3, r3);
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
  }

  private static float half(byte[] codes, int byteOff) {
    return Float.float16ToFloat((short) ScalarQuantizedKernels.SHORTS.get(codes, byteOff));
  }

  /** The Vector API form of {@link #squareDistanceFloat16}, always; package-private for the tests. */
  float vectorSquareDistanceFloat16(float[] q, byte[] codes, int off, int len) {
    int i = 0;
    float res = 0;
    if (len >= FLANES) {
      FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
      for (int upper = len - 2 * FLANES; i <= upper; i += 2 * FLANES) {
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(halves(codes, off + 2 * i));
        FloatVector d1 = FloatVector.fromArray(F, q, i + FLANES).sub(halves(codes, off + 2 * (i + FLANES)));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
      }
      for (int upper = len - FLANES; i <= upper; i += FLANES) {
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(halves(codes, off + 2 * i));
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

  /** Four long lanes: one word's four query planes. 256-bit vectors, wherever the preferred width allows them. */
  private static final VectorSpecies<Long> L4 = L.vectorBitSize() >= 256 ? LongVector.SPECIES_256 : null;
  /** Per-lane shifts weighting plane j by 2^j. */
  private static final LongVector PLANE_WEIGHTS = L4 == null ? null
      : LongVector.fromArray(L4, new long[] {0, 1, 2, 3}, 0);

  /**
   * The LongVector BIT_COUNT form of {@link #int4BitDot}, always; package-private for the benchmark and tests. A
   * 4-lane (256-bit) long vector load takes a word's four planes; the code word is broadcast and each lane's count
   * weighted by its shift at the end. Below 256-bit vectors it falls back to the scalar form.
   */
  long vectorInt4BitDot(long[] planes, byte[] codes, int off, int words) {
    if (PLANE_WEIGHTS == null) {
      return scalar.int4BitDot(planes, codes, off, words);
    }
    LongVector acc = LongVector.zero(L4);
    for (int w = 0; w < words; w++) {
      long c = (long) ScalarQuantizedKernels.LONGS.get(codes, off + 8 * w);
      acc = acc.add(LongVector.fromArray(L4, planes, 4 * w).and(c).lanewise(VectorOperators.BIT_COUNT));
    }
    return acc.lanewise(VectorOperators.LSHL, PLANE_WEIGHTS).reduceLanes(VectorOperators.ADD);
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
