package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.testing.RandomizedTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorUtilSupportTest extends RandomizedTest {

  private final VectorUtilSupport scalar = new ScalarVectorUtilSupport();
  private final VectorUtilSupport panama = VectorizationProvider.panamaOrNull();

  @Test
  void panamaIsAvailableInTests() {
    // surefire runs with --add-modules jdk.incubator.vector; without it the fallback path is what ships
    assertThat(panama).as("Vector API kernels").isNotNull();
    assertThat(VectorUtil.implementationName()).startsWith("panama");
  }

  @Test
  void bothImplementationsAgreeWithDoubleReferenceAtEveryLength() {
    Random rnd = random();
    for (int len = 1; len <= 1100; len++) {
      int aOff = rnd.nextInt(4);
      int bOff = rnd.nextInt(4);
      float[] a = new float[aOff + len];
      float[] b = new float[bOff + len];
      double dot = 0, l2 = 0, l1 = 0, na = 0, nb = 0, mag = 0;
      for (int i = 0; i < len; i++) {
        float x = (float) rnd.nextGaussian() * 3;
        float y = (float) rnd.nextGaussian() * 3;
        a[aOff + i] = x;
        b[bOff + i] = y;
        dot += (double) x * y;
        l2 += ((double) x - y) * ((double) x - y);
        l1 += Math.abs((double) x - y);
        na += (double) x * x;
        nb += (double) y * y;
        mag += Math.abs((double) x * y);
      }
      double cos = dot / Math.sqrt(na * nb);
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        String what = impl.name() + " len=" + len;
        assertThat((double) impl.dot(a, aOff, b, bOff, len)).as("dot " + what).isCloseTo(dot, within(1e-5 * mag + 1e-5));
        assertThat((double) impl.squareDistance(a, aOff, b, bOff, len)).as("l2 " + what)
            .isCloseTo(l2, within(1e-5 * l2 + 1e-5));
        assertThat((double) impl.l1Distance(a, aOff, b, bOff, len)).as("l1 " + what)
            .isCloseTo(l1, within(1e-5 * l1 + 1e-5));
        assertThat((double) impl.cosine(a, aOff, b, bOff, len)).as("cos " + what).isCloseTo(cos, within(1e-4));
      }
    }
  }

  @Test
  void multiVectorKernelsEqualSingleKernels() {
    Random rnd = random();
    for (int len = 1; len <= 300; len++) {
      float[] q = new float[len];
      for (int i = 0; i < len; i++) {
        q[i] = (float) rnd.nextGaussian();
      }
      float[][] b = new float[8][];
      int[] o = new int[8];
      for (int k = 0; k < 8; k++) {
        o[k] = rnd.nextInt(5);
        b[k] = new float[o[k] + len + rnd.nextInt(3)];
        for (int i = 0; i < b[k].length; i++) {
          b[k][i] = (float) rnd.nextGaussian();
        }
      }
      for (VectorUtilSupport impl : new VectorUtilSupport[] {scalar, panama}) {
        float[] out4 = new float[4];
        float[] out8 = new float[8];
        impl.squareDistance4(q, b[0], o[0], b[1], o[1], b[2], o[2], b[3], o[3], len, out4);
        impl.squareDistance8(q, b, o, len, out8);
        for (int k = 0; k < 8; k++) {
          float expected = impl.squareDistance(q, 0, b[k], o[k], len);
          float tol = 1e-5f * Math.max(1f, expected);
          assertThat(out8[k]).as("%s l2 8-way len=%d k=%d", impl.name(), len, k).isCloseTo(expected, within(tol));
          if (k < 4) {
            assertThat(out4[k]).as("%s l2 4-way len=%d k=%d", impl.name(), len, k).isCloseTo(expected, within(tol));
          }
        }
        impl.dot4(q, b[0], o[0], b[1], o[1], b[2], o[2], b[3], o[3], len, out4);
        impl.dot8(q, b, o, len, out8);
        for (int k = 0; k < 8; k++) {
          float expected = impl.dot(q, 0, b[k], o[k], len);
          float tol = 1e-4f * Math.max(1f, (float) len);
          assertThat(out8[k]).as("%s dot 8-way len=%d k=%d", impl.name(), len, k).isCloseTo(expected, within(tol));
          if (k < 4) {
            assertThat(out4[k]).as("%s dot 4-way len=%d k=%d", impl.name(), len, k).isCloseTo(expected, within(tol));
          }
        }
      }
    }
  }

  /** Eight random vectors of {@code len} floats stored little-endian at random byte offsets of one segment. */
  private record SegmentVectors(float[][] arrays, MemorySegment segment, long[] offsets) {
    static SegmentVectors random(Random rnd, int len, Arena arena) {
      float[][] arrays = new float[8][len];
      long[] offsets = new long[8];
      long size = 0;
      for (int k = 0; k < 8; k++) {
        offsets[k] = size + 4L * rnd.nextInt(3); // unaligned starts too: the layout assumes no alignment
        size = offsets[k] + 4L * len;
      }
      MemorySegment segment = arena.allocate(size + 4L * rnd.nextInt(3));
      for (int k = 0; k < 8; k++) {
        for (int i = 0; i < len; i++) {
          arrays[k][i] = (float) rnd.nextGaussian();
          segment.set(VectorUtilSupport.LE_FLOAT, offsets[k] + 4L * i, arrays[k][i]);
        }
      }
      return new SegmentVectors(arrays, segment, offsets);
    }

    /** Runs the four segment kernels into out[0..7] (l2 8-way), [8..11] (l2 4-way), [12..19], [20..23] (dot). */
    float[] segmentResults(VectorUtilSupport impl, float[] q) {
      long[] o = offsets;
      float[] out = new float[24];
      float[] buf = new float[8];
      impl.squareDistance8(q, segment, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], q.length, buf);
      System.arraycopy(buf, 0, out, 0, 8);
      impl.squareDistance4(q, segment, o[4], o[5], o[6], o[7], q.length, buf);
      System.arraycopy(buf, 0, out, 8, 4);
      impl.dot8(q, segment, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], q.length, buf);
      System.arraycopy(buf, 0, out, 12, 8);
      impl.dot4(q, segment, o[4], o[5], o[6], o[7], q.length, buf);
      System.arraycopy(buf, 0, out, 20, 4);
      return out;
    }

    /** The array kernels on the same vectors, same output layout. */
    float[] arrayResults(VectorUtilSupport impl, float[] q) {
      float[][] b = arrays;
      int[] zero = new int[8];
      float[] out = new float[24];
      float[] buf = new float[8];
      impl.squareDistance8(q, b, zero, q.length, buf);
      System.arraycopy(buf, 0, out, 0, 8);
      impl.squareDistance4(q, b[4], 0, b[5], 0, b[6], 0, b[7], 0, q.length, buf);
      System.arraycopy(buf, 0, out, 8, 4);
      impl.dot8(q, b, zero, q.length, buf);
      System.arraycopy(buf, 0, out, 12, 8);
      impl.dot4(q, b[4], 0, b[5], 0, b[6], 0, b[7], 0, q.length, buf);
      System.arraycopy(buf, 0, out, 20, 4);
      return out;
    }
  }

  @Test
  void segmentKernelsDoTheArrayKernelsArithmetic() {
    Random rnd = random();
    try (Arena arena = Arena.ofConfined()) {
      for (int len = 1; len <= 200; len++) {
        float[] q = new float[len];
        for (int i = 0; i < len; i++) {
          q[i] = (float) rnd.nextGaussian();
        }
        SegmentVectors v = SegmentVectors.random(rnd, len, arena);
        // scalar kernels are deterministic: bit for bit
        assertThat(v.segmentResults(scalar, q)).as("scalar len=%d", len).containsExactly(v.arrayResults(scalar, q));
        // Vector API: equal up to the lane-reduction order of the JIT tier each kernel is in (see the next test)
        float[] expected = v.arrayResults(panama, q);
        float[] actual = v.segmentResults(panama, q);
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("panama len=%d output %d", len, i)
              .isCloseTo(expected[i], within(1e-4f * Math.max(1f, Math.abs(expected[i]))));
        }
      }
    }
  }

  @Test
  void segmentKernelsEqualArrayKernels() {
    Random rnd = random();
    try (Arena arena = Arena.ofConfined()) {
      for (int len : new int[] {5, 8, 37, 384, 387}) { // with and without a scalar tail
        float[] q = new float[len];
        for (int i = 0; i < len; i++) {
          q[i] = (float) rnd.nextGaussian();
        }
        SegmentVectors v = SegmentVectors.random(rnd, len, arena);
        float[] expected = v.arrayResults(panama, q);
        float[] actual = v.segmentResults(panama, q);
        // run both in lockstep until they reach the same compilation tier (bounded: a real difference fails)
        for (int round = 0; round < 50 && !Arrays.equals(expected, actual); round++) {
          for (int i = 0; i < 2000; i++) {
            v.arrayResults(panama, q);
            v.segmentResults(panama, q);
          }
          expected = v.arrayResults(panama, q);
          actual = v.segmentResults(panama, q);
        }
        // Same arithmetic, but the interpreter and C2 may round differently (FMA vs mul+add) while one kernel is
        // compiled and the other not yet, and on a loaded machine the tiers need not meet within the rounds above.
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("len=%d, result %d", len, i)
              .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        }
      }
    }
  }

  @Test
  void segmentKernelsCheckBounds() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(4L * 16);
      float[] q = new float[8];
      float[] out = new float[8];
      assertThatThrownBy(() -> panama.squareDistance4(q, s, 0, 0, 0, 40, 8, out))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> scalar.dot8(q, s, 0, 0, 0, 0, 0, 0, 0, 40, 8, out))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void hammingMatchesBitByBitCount() {
    Random rnd = random();
    for (int len = 1; len <= 40; len++) {
      long[] a = new long[len];
      long[] b = new long[len];
      int expected = 0;
      for (int i = 0; i < len; i++) {
        a[i] = rnd.nextLong();
        b[i] = rnd.nextLong();
        for (int bit = 0; bit < 64; bit++) {
          if (((a[i] >>> bit) & 1) != ((b[i] >>> bit) & 1)) {
            expected++;
          }
        }
      }
      assertThat(scalar.hamming(a, 0, b, 0, len)).isEqualTo(expected);
      assertThat(panama.hamming(a, 0, b, 0, len)).isEqualTo(expected);
      assertThat(VectorUtil.hamming(a, b)).isEqualTo(expected);
    }
  }

  @Test
  void cosineOfZeroVectorIsZeroNotNaN() {
    float[] zero = new float[37];
    float[] v = new float[37];
    v[3] = 1;
    assertThat(scalar.cosine(zero, 0, v, 0, 37)).isZero();
    assertThat(panama.cosine(zero, 0, v, 0, 37)).isZero();
  }

  @Test
  void facadeChecksLengthsAndMetricsFollowTheConvention() {
    assertThatThrownBy(() -> VectorUtil.dot(new float[3], new float[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 != 4");
    float[] a = {1, 0};
    float[] b = {0, 1};
    float[] c = {2, 0};
    for (Metric m : Metric.values()) {
      // c is closer to a than b is, under every metric
      assertThat(m.distance(a, c)).as(m.name()).isLessThan(m.distance(b, c));
    }
    assertThat(Metric.L2.toScore(Metric.L2.distance(a, b))).isCloseTo((float) Math.sqrt(2), within(1e-6f));
    assertThat(Metric.COSINE.toScore(Metric.COSINE.distance(a, c))).isCloseTo(1f, within(1e-6f));
    assertThat(Metric.parse("Euclid")).isEqualTo(Metric.L2);
    assertThatThrownBy(() -> Metric.parse("hamming")).hasMessageContaining("unknown metric 'hamming'");
  }

  @Test
  void normalizeGivesUnitLengthAndLeavesZeroAlone() {
    float[] v = {3, 4};
    assertThat(VectorUtil.normalize(v)).isEqualTo(5f);
    assertThat(VectorUtil.dot(v, v)).isCloseTo(1f, within(1e-6f));
    float[] z = new float[5];
    assertThat(VectorUtil.normalize(z)).isZero();
    assertThat(z).containsOnly(0f);
  }
}
