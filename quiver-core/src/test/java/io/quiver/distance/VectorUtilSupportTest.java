package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.testing.RandomizedTest;
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
