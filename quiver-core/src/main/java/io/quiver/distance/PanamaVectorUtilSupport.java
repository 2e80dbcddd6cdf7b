package io.quiver.distance;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API: four vector accumulators with FMA over the bulk, one accumulator over the
 * remaining whole vectors, then a scalar tail. Only loaded when {@code jdk.incubator.vector} is in the boot layer.
 */
final class PanamaVectorUtilSupport implements VectorUtilSupport {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private final ScalarVectorUtilSupport scalar = new ScalarVectorUtilSupport();

  static int vectorBitSize() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
      for (int upper = len - 4 * LANES; i <= upper; i += 4 * LANES) {
        acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
        acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOff + i + LANES), acc1);
        acc2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES), acc2);
        acc3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES)
            .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES), acc3);
      }
      for (int upper = len - LANES; i <= upper; i += LANES) {
        acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
      }
      res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res = Math.fma(a[aOff + i], b[bOff + i], res);
    }
    return res;
  }

  @Override
  public float squareDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
      for (int upper = len - 4 * LANES; i <= upper; i += 4 * LANES) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOff + i).sub(FloatVector.fromArray(SPECIES, b, bOff + i));
        FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i + LANES));
        FloatVector d2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES));
        FloatVector d3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
        acc2 = d2.fma(d2, acc2);
        acc3 = d3.fma(d3, acc3);
      }
      for (int upper = len - LANES; i <= upper; i += LANES) {
        FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i).sub(FloatVector.fromArray(SPECIES, b, bOff + i));
        acc0 = d.fma(d, acc0);
      }
      res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float d = a[aOff + i] - b[bOff + i];
      res = Math.fma(d, d, res);
    }
    return res;
  }

  @Override
  public void squareDistance4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2, float[] b3,
      int o3, int len, float[] out) {
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      FloatVector d0 = x.sub(FloatVector.fromArray(SPECIES, b0, o0 + i));
      FloatVector d1 = x.sub(FloatVector.fromArray(SPECIES, b1, o1 + i));
      FloatVector d2 = x.sub(FloatVector.fromArray(SPECIES, b2, o2 + i));
      FloatVector d3 = x.sub(FloatVector.fromArray(SPECIES, b3, o3 + i));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    float r0 = acc0.reduceLanes(VectorOperators.ADD), r1 = acc1.reduceLanes(VectorOperators.ADD);
    float r2 = acc2.reduceLanes(VectorOperators.ADD), r3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      float d0 = x - b0[o0 + i], d1 = x - b1[o1 + i], d2 = x - b2[o2 + i], d3 = x - b3[o3 + i];
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

  @Override
  public void squareDistance8(float[] q, float[][] b, int[] o, int len, float[] out) {
    float[] b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
    int o0 = o[0], o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6], o7 = o[7];
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int i = 0;
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      FloatVector d;
      d = x.sub(FloatVector.fromArray(SPECIES, b0, o0 + i));
      a0 = d.fma(d, a0);
      d = x.sub(FloatVector.fromArray(SPECIES, b1, o1 + i));
      a1 = d.fma(d, a1);
      d = x.sub(FloatVector.fromArray(SPECIES, b2, o2 + i));
      a2 = d.fma(d, a2);
      d = x.sub(FloatVector.fromArray(SPECIES, b3, o3 + i));
      a3 = d.fma(d, a3);
      d = x.sub(FloatVector.fromArray(SPECIES, b4, o4 + i));
      a4 = d.fma(d, a4);
      d = x.sub(FloatVector.fromArray(SPECIES, b5, o5 + i));
      a5 = d.fma(d, a5);
      d = x.sub(FloatVector.fromArray(SPECIES, b6, o6 + i));
      a6 = d.fma(d, a6);
      d = x.sub(FloatVector.fromArray(SPECIES, b7, o7 + i));
      a7 = d.fma(d, a7);
    }
    out[0] = a0.reduceLanes(VectorOperators.ADD);
    out[1] = a1.reduceLanes(VectorOperators.ADD);
    out[2] = a2.reduceLanes(VectorOperators.ADD);
    out[3] = a3.reduceLanes(VectorOperators.ADD);
    out[4] = a4.reduceLanes(VectorOperators.ADD);
    out[5] = a5.reduceLanes(VectorOperators.ADD);
    out[6] = a6.reduceLanes(VectorOperators.ADD);
    out[7] = a7.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      for (int k = 0; k < 8; k++) {
        float d = x - b[k][o[k] + i];
        out[k] = Math.fma(d, d, out[k]);
      }
    }
  }

  @Override
  public void dot8(float[] q, float[][] b, int[] o, int len, float[] out) {
    float[] b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
    int o0 = o[0], o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6], o7 = o[7];
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int i = 0;
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      a0 = x.fma(FloatVector.fromArray(SPECIES, b0, o0 + i), a0);
      a1 = x.fma(FloatVector.fromArray(SPECIES, b1, o1 + i), a1);
      a2 = x.fma(FloatVector.fromArray(SPECIES, b2, o2 + i), a2);
      a3 = x.fma(FloatVector.fromArray(SPECIES, b3, o3 + i), a3);
      a4 = x.fma(FloatVector.fromArray(SPECIES, b4, o4 + i), a4);
      a5 = x.fma(FloatVector.fromArray(SPECIES, b5, o5 + i), a5);
      a6 = x.fma(FloatVector.fromArray(SPECIES, b6, o6 + i), a6);
      a7 = x.fma(FloatVector.fromArray(SPECIES, b7, o7 + i), a7);
    }
    out[0] = a0.reduceLanes(VectorOperators.ADD);
    out[1] = a1.reduceLanes(VectorOperators.ADD);
    out[2] = a2.reduceLanes(VectorOperators.ADD);
    out[3] = a3.reduceLanes(VectorOperators.ADD);
    out[4] = a4.reduceLanes(VectorOperators.ADD);
    out[5] = a5.reduceLanes(VectorOperators.ADD);
    out[6] = a6.reduceLanes(VectorOperators.ADD);
    out[7] = a7.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      for (int k = 0; k < 8; k++) {
        out[k] = Math.fma(x, b[k][o[k] + i], out[k]);
      }
    }
  }

  @Override
  public void dot4(float[] q, float[] b0, int o0, float[] b1, int o1, float[] b2, int o2, float[] b3, int o3,
      int len, float[] out) {
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      acc0 = x.fma(FloatVector.fromArray(SPECIES, b0, o0 + i), acc0);
      acc1 = x.fma(FloatVector.fromArray(SPECIES, b1, o1 + i), acc1);
      acc2 = x.fma(FloatVector.fromArray(SPECIES, b2, o2 + i), acc2);
      acc3 = x.fma(FloatVector.fromArray(SPECIES, b3, o3 + i), acc3);
    }
    float r0 = acc0.reduceLanes(VectorOperators.ADD), r1 = acc1.reduceLanes(VectorOperators.ADD);
    float r2 = acc2.reduceLanes(VectorOperators.ADD), r3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      r0 = Math.fma(x, b0[o0 + i], r0);
      r1 = Math.fma(x, b1[o1 + i], r1);
      r2 = Math.fma(x, b2[o2 + i], r2);
      r3 = Math.fma(x, b3[o3 + i], r3);
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
  }

  // Segment twins of the multi-vector kernels above: same accumulators, same order, loads from the segment. Reading
  // eight vectors side by side from a mapped file keeps eight memory streams in flight, which copying them into an
  // array one after the other does not (docs/benchmarks.md, "Reading vectors from a mapped file").

  @Override
  public void squareDistance4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len,
      float[] out) {
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      FloatVector d0 = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o0 + b, LE));
      FloatVector d1 = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o1 + b, LE));
      FloatVector d2 = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o2 + b, LE));
      FloatVector d3 = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o3 + b, LE));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    float r0 = acc0.reduceLanes(VectorOperators.ADD), r1 = acc1.reduceLanes(VectorOperators.ADD);
    float r2 = acc2.reduceLanes(VectorOperators.ADD), r3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      long b = 4L * i;
      float d0 = x - s.get(LE_FLOAT, o0 + b), d1 = x - s.get(LE_FLOAT, o1 + b);
      float d2 = x - s.get(LE_FLOAT, o2 + b), d3 = x - s.get(LE_FLOAT, o3 + b);
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

  @Override
  public void dot4(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, int len, float[] out) {
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES), acc3 = FloatVector.zero(SPECIES);
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      acc0 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o0 + b, LE), acc0);
      acc1 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o1 + b, LE), acc1);
      acc2 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o2 + b, LE), acc2);
      acc3 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o3 + b, LE), acc3);
    }
    float r0 = acc0.reduceLanes(VectorOperators.ADD), r1 = acc1.reduceLanes(VectorOperators.ADD);
    float r2 = acc2.reduceLanes(VectorOperators.ADD), r3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      float x = q[i];
      long b = 4L * i;
      r0 = Math.fma(x, s.get(LE_FLOAT, o0 + b), r0);
      r1 = Math.fma(x, s.get(LE_FLOAT, o1 + b), r1);
      r2 = Math.fma(x, s.get(LE_FLOAT, o2 + b), r2);
      r3 = Math.fma(x, s.get(LE_FLOAT, o3 + b), r3);
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
  }

  @Override
  public void squareDistance8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5,
      long o6, long o7, int len, float[] out) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int i = 0;
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      FloatVector d;
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o0 + b, LE));
      a0 = d.fma(d, a0);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o1 + b, LE));
      a1 = d.fma(d, a1);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o2 + b, LE));
      a2 = d.fma(d, a2);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o3 + b, LE));
      a3 = d.fma(d, a3);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o4 + b, LE));
      a4 = d.fma(d, a4);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o5 + b, LE));
      a5 = d.fma(d, a5);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o6 + b, LE));
      a6 = d.fma(d, a6);
      d = x.sub(FloatVector.fromMemorySegment(SPECIES, s, o7 + b, LE));
      a7 = d.fma(d, a7);
    }
    out[0] = a0.reduceLanes(VectorOperators.ADD);
    out[1] = a1.reduceLanes(VectorOperators.ADD);
    out[2] = a2.reduceLanes(VectorOperators.ADD);
    out[3] = a3.reduceLanes(VectorOperators.ADD);
    out[4] = a4.reduceLanes(VectorOperators.ADD);
    out[5] = a5.reduceLanes(VectorOperators.ADD);
    out[6] = a6.reduceLanes(VectorOperators.ADD);
    out[7] = a7.reduceLanes(VectorOperators.ADD);
    if (i < len) {
      long[] o = {o0, o1, o2, o3, o4, o5, o6, o7};
      for (; i < len; i++) {
        float x = q[i];
        for (int k = 0; k < 8; k++) {
          float d = x - s.get(LE_FLOAT, o[k] + 4L * i);
          out[k] = Math.fma(d, d, out[k]);
        }
      }
    }
  }

  @Override
  public void dot8(float[] q, MemorySegment s, long o0, long o1, long o2, long o3, long o4, long o5, long o6,
      long o7, int len, float[] out) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int i = 0;
    for (int upper = len - LANES; i <= upper; i += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      long b = 4L * i;
      a0 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o0 + b, LE), a0);
      a1 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o1 + b, LE), a1);
      a2 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o2 + b, LE), a2);
      a3 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o3 + b, LE), a3);
      a4 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o4 + b, LE), a4);
      a5 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o5 + b, LE), a5);
      a6 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o6 + b, LE), a6);
      a7 = x.fma(FloatVector.fromMemorySegment(SPECIES, s, o7 + b, LE), a7);
    }
    out[0] = a0.reduceLanes(VectorOperators.ADD);
    out[1] = a1.reduceLanes(VectorOperators.ADD);
    out[2] = a2.reduceLanes(VectorOperators.ADD);
    out[3] = a3.reduceLanes(VectorOperators.ADD);
    out[4] = a4.reduceLanes(VectorOperators.ADD);
    out[5] = a5.reduceLanes(VectorOperators.ADD);
    out[6] = a6.reduceLanes(VectorOperators.ADD);
    out[7] = a7.reduceLanes(VectorOperators.ADD);
    if (i < len) {
      long[] o = {o0, o1, o2, o3, o4, o5, o6, o7};
      for (; i < len; i++) {
        float x = q[i];
        for (int k = 0; k < 8; k++) {
          out[k] = Math.fma(x, s.get(LE_FLOAT, o[k] + 4L * i), out[k]);
        }
      }
    }
  }

  @Override
  public float l1Distance(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float res = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = FloatVector.zero(SPECIES);
      for (int upper = len - 2 * LANES; i <= upper; i += 2 * LANES) {
        acc0 = acc0.add(FloatVector.fromArray(SPECIES, a, aOff + i)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i)).abs());
        acc1 = acc1.add(FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i + LANES)).abs());
      }
      for (int upper = len - LANES; i <= upper; i += LANES) {
        acc0 = acc0.add(FloatVector.fromArray(SPECIES, a, aOff + i)
            .sub(FloatVector.fromArray(SPECIES, b, bOff + i)).abs());
      }
      res = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      res += Math.abs(a[aOff + i] - b[bOff + i]);
    }
    return res;
  }

  @Override
  public float cosine(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float dot = 0, na = 0, nb = 0;
    if (len >= 2 * LANES) {
      FloatVector d0 = FloatVector.zero(SPECIES), d1 = FloatVector.zero(SPECIES);
      FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
      FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
      for (int upper = len - 2 * LANES; i <= upper; i += 2 * LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, a, aOff + i);
        FloatVector y0 = FloatVector.fromArray(SPECIES, b, bOff + i);
        FloatVector x1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES);
        FloatVector y1 = FloatVector.fromArray(SPECIES, b, bOff + i + LANES);
        d0 = x0.fma(y0, d0);
        d1 = x1.fma(y1, d1);
        a0 = x0.fma(x0, a0);
        a1 = x1.fma(x1, a1);
        b0 = y0.fma(y0, b0);
        b1 = y1.fma(y1, b1);
      }
      for (int upper = len - LANES; i <= upper; i += LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, a, aOff + i);
        FloatVector y0 = FloatVector.fromArray(SPECIES, b, bOff + i);
        d0 = x0.fma(y0, d0);
        a0 = x0.fma(x0, a0);
        b0 = y0.fma(y0, b0);
      }
      dot = d0.add(d1).reduceLanes(VectorOperators.ADD);
      na = a0.add(a1).reduceLanes(VectorOperators.ADD);
      nb = b0.add(b1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float x = a[aOff + i], y = b[bOff + i];
      dot = Math.fma(x, y, dot);
      na = Math.fma(x, x, na);
      nb = Math.fma(y, y, nb);
    }
    return ScalarVectorUtilSupport.cosineFrom(dot, na, nb);
  }

  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int len) {
    // Long.bitCount is a POPCNT intrinsic; LongVector BIT_COUNT needs AVX-512 VPOPCNTDQ to beat it.
    return scalar.hamming(a, aOff, b, bOff, len);
  }

  @Override
  public String name() {
    return "panama(" + vectorBitSize() + "-bit, " + LANES + " float lanes)";
  }
}
