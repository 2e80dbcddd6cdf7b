package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.quantization.Float16Codec;
import io.quiver.testing.RandomizedTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedKernelsTest extends RandomizedTest {

  private final QuantizedKernels scalar = new ScalarQuantizedKernels();
  private final QuantizedKernels panama = VectorizationProvider.panamaQuantizedOrNull();

  @Test
  void panamaKernelsAreInUse() {
    assertThat(panama).isNotNull();
    assertThat(VectorizationProvider.quantized().name()).startsWith("panama");
  }

  @Test
  void int8DotIsExactInBothImplementationsAtEveryLength() {
    Random rnd = random();
    for (int len = 0; len <= 700; len++) {
      int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5);
      byte[] a = new byte[aOff + len + rnd.nextInt(3)];
      byte[] b = new byte[bOff + len + rnd.nextInt(3)];
      rnd.nextBytes(a);
      rnd.nextBytes(b);
      if (len % 7 == 0) { // extremes: -128 * -128 must not overflow a short product
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(b, (byte) -128);
      }
      long ref = 0;
      for (int i = 0; i < len; i++) {
        ref += a[aOff + i] * b[bOff + i];
      }
      assertThat(scalar.dotInt8(a, aOff, b, bOff, len)).as("scalar len=%d", len).isEqualTo((int) ref);
      assertThat(panama.dotInt8(a, aOff, b, bOff, len)).as("panama len=%d", len).isEqualTo((int) ref);
      PanamaQuantizedKernels p = (PanamaQuantizedKernels) panama;
      assertThat(p.dotInt8ViaShort(a, aOff, b, bOff, len)).as("panama short len=%d", len).isEqualTo((int) ref);
      assertThat(p.dotInt8ViaInt(a, aOff, b, bOff, len)).as("panama int len=%d", len).isEqualTo((int) ref);
    }
  }

  @Test
  void multiRecordInt8DotsMatchTheSingleDotAtEveryLength() {
    Random rnd = random();
    for (int len = 0; len <= 300; len++) {
      byte[] q = new byte[len];
      byte[] codes = new byte[9 * (len + 3) + 5];
      rnd.nextBytes(q);
      rnd.nextBytes(codes);
      if (len % 11 == 0) {
        java.util.Arrays.fill(q, (byte) -128);
        java.util.Arrays.fill(codes, (byte) -128);
      }
      int[] offs = new int[9];
      for (int j = 0; j < offs.length; j++) {
        offs[j] = rnd.nextInt(codes.length - len + 1); // records may overlap and be unaligned
      }
      int[] want = new int[8];
      for (int j = 0; j < 8; j++) {
        want[j] = scalar.dotInt8(q, 0, codes, offs[j + 1], len);
      }
      for (QuantizedKernels k : new QuantizedKernels[] {scalar, panama}) {
        int[] eight = new int[8];
        k.dotInt8x8(q, codes, offs, 1, len, eight);
        assertThat(eight).as("%s x8 len=%d", k.name(), len).containsExactly(want);
        int[] four = new int[4];
        k.dotInt8x4(q, codes, offs[1], offs[2], offs[3], offs[4], len, four);
        assertThat(four).as("%s x4 len=%d", k.name(), len).containsExactly(want[0], want[1], want[2], want[3]);
      }
    }
  }

  @Test
  void float16KernelsAgreeWithDoubleReference() {
    Random rnd = random();
    for (int len = 0; len <= 700; len++) {
      int off = rnd.nextInt(7); // odd byte offsets too: the records are not aligned
      float[] q = new float[len];
      byte[] codes = new byte[off + 2 * len + rnd.nextInt(3)];
      double dot = 0, l2 = 0, mag = 0;
      for (int i = 0; i < len; i++) {
        q[i] = (float) rnd.nextGaussian() * 2;
        short h = Float16Codec.toHalf((float) rnd.nextGaussian() * (rnd.nextInt(10) == 0 ? 1e-6f : 3f));
        ScalarQuantizedKernels.SHORTS.set(codes, off + 2 * i, h);
        double x = Float.float16ToFloat(h);
        dot += q[i] * x;
        l2 += (q[i] - x) * (q[i] - x);
        mag += Math.abs(q[i] * x);
      }
      PanamaQuantizedKernels p = (PanamaQuantizedKernels) panama;
      assertThat((double) p.vectorDotFloat16(q, codes, off, len)).as("vector dot len=%d", len)
          .isCloseTo(dot, within(1e-5 * mag + 1e-6));
      assertThat((double) p.vectorSquareDistanceFloat16(q, codes, off, len)).as("vector l2 len=%d", len)
          .isCloseTo(l2, within(1e-5 * l2 + 1e-6));
      for (QuantizedKernels k : new QuantizedKernels[] {scalar, panama}) {
        assertThat((double) k.dotFloat16(q, codes, off, len)).as("%s dot len=%d", k.name(), len)
            .isCloseTo(dot, within(1e-5 * mag + 1e-6));
        assertThat((double) k.squareDistanceFloat16(q, codes, off, len)).as("%s l2 len=%d", k.name(), len)
            .isCloseTo(l2, within(1e-5 * l2 + 1e-6));
      }
    }
  }

  @Test
  void floatByInt8DotAgreesWithDoubleReference() {
    Random rnd = random();
    for (int len = 0; len <= 800; len += 1 + rnd.nextInt(3)) {
      int off = rnd.nextInt(9);
      float[] q = new float[len];
      byte[] codes = new byte[off + len + rnd.nextInt(3)];
      double dot = 0;
      double mag = 0;
      for (int i = 0; i < len; i++) {
        q[i] = (float) rnd.nextGaussian() * 3;
        codes[off + i] = (byte) (rnd.nextInt(255) - 127);
        dot += q[i] * codes[off + i];
        mag += Math.abs(q[i] * codes[off + i]);
      }
      for (QuantizedKernels k : new QuantizedKernels[] {scalar, panama}) {
        assertThat((double) k.dotFloatInt8(q, codes, off, len)).as("%s len=%d off=%d", k.name(), len, off)
            .isCloseTo(dot, within(1e-5 * mag + 1e-6));
      }
    }
  }

  @Test
  void fourWayFloat16KernelsAgreeWithDoubleReference() {
    Random rnd = random();
    for (int len = 0; len <= 400; len += 1 + rnd.nextInt(3)) {
      int bpv = 2 * len + rnd.nextInt(3); // records need not be aligned, nor packed
      int base = rnd.nextInt(7);
      float[] q = new float[len];
      for (int i = 0; i < len; i++) {
        q[i] = (float) rnd.nextGaussian() * 2;
      }
      byte[] codes = new byte[base + 6 * bpv + 2 * len];
      int[] offs = new int[4];
      double[] dot = new double[4], l2 = new double[4], mag = new double[4];
      for (int r = 0; r < 4; r++) {
        offs[r] = base + rnd.nextInt(6) * bpv; // repeats allowed, as the walk's padding repeats a record
      }
      for (int r = 0; r < 4; r++) { // written in order; a repeated offset takes the last record's values
        for (int i = 0; i < len; i++) {
          ScalarQuantizedKernels.SHORTS.set(codes, offs[r] + 2 * i, Float16Codec.toHalf((float) rnd.nextGaussian() * 3));
        }
      }
      for (int r = 0; r < 4; r++) {
        for (int i = 0; i < len; i++) {
          double x = Float.float16ToFloat((short) ScalarQuantizedKernels.SHORTS.get(codes, offs[r] + 2 * i));
          dot[r] += q[i] * x;
          l2[r] += (q[i] - x) * (q[i] - x);
          mag[r] += Math.abs(q[i] * x);
        }
      }
      float[] out = new float[4];
      for (QuantizedKernels k : new QuantizedKernels[] {scalar, panama}) {
        for (boolean isL2 : new boolean[] {false, true}) {
          k.float16x4(q, codes, offs[0], offs[1], offs[2], offs[3], len, isL2, out);
          for (int r = 0; r < 4; r++) {
            double want = isL2 ? l2[r] : dot[r];
            double tol = 1e-5 * (isL2 ? l2[r] : mag[r]) + 1e-6;
            assertThat((double) out[r]).as("%s %s len=%d record %d", k.name(), isL2 ? "l2" : "dot", len, r)
                .isCloseTo(want, within(tol));
          }
        }
      }
    }
  }

  @Test
  void panamaHalfDecodingIsExactForEveryFiniteHalf() {
    // one-hot queries read back each decoded lane: every finite half, subnormals and -0 included
    int lanes = 64;
    float[] q = new float[lanes];
    byte[] codes = new byte[2 * lanes];
    for (int h = 0; h < 65536; h++) {
      short half = (short) h;
      float ref = Float.float16ToFloat(half);
      if (!Float.isFinite(ref)) {
        continue;
      }
      int lane = h % lanes;
      ScalarQuantizedKernels.SHORTS.set(codes, 2 * lane, half);
      java.util.Arrays.fill(q, 0f);
      q[lane] = 1f;
      assertThat(((PanamaQuantizedKernels) panama).vectorDotFloat16(q, codes, 0, lanes)).as("half %04x", h).isEqualTo(ref == 0 ? 0f : ref);
    }
  }

  @Test
  void bitKernelsAreExact() {
    Random rnd = random();
    PanamaQuantizedKernels vector = new PanamaQuantizedKernels();
    for (int words = 0; words <= 40; words++) {
      int off = rnd.nextInt(9);
      long[] planes = new long[4 * words];
      long[] q = new long[words];
      for (int i = 0; i < planes.length; i++) {
        planes[i] = rnd.nextLong();
      }
      byte[] codes = new byte[off + 8 * words + rnd.nextInt(3)];
      rnd.nextBytes(codes);
      long ref = 0;
      int ham = 0;
      for (int w = 0; w < words; w++) {
        q[w] = rnd.nextLong();
        long c = (long) ScalarQuantizedKernels.LONGS.get(codes, off + 8 * w);
        for (int j = 0; j < 4; j++) {
          ref += (long) Long.bitCount(planes[4 * w + j] & c) << j;
        }
        ham += Long.bitCount(c ^ q[w]);
      }
      assertThat(scalar.int4BitDot(planes, codes, off, words)).isEqualTo(ref);
      assertThat(panama.int4BitDot(planes, codes, off, words)).isEqualTo(ref);
      assertThat(vector.vectorInt4BitDot(planes, codes, off, words)).as("words=%d", words).isEqualTo(ref);
      assertThat(scalar.hamming(q, codes, off, words)).isEqualTo(ham);
      assertThat(panama.hamming(q, codes, off, words)).isEqualTo(ham);
    }
  }

  @Test
  void adcSumAgrees() {
    Random rnd = random();
    for (int m = 1; m <= 100; m++) {
      float[] table = new float[m * 256];
      for (int i = 0; i < table.length; i++) {
        table[i] = rnd.nextFloat();
      }
      int off = rnd.nextInt(4);
      byte[] codes = new byte[off + m];
      rnd.nextBytes(codes);
      double ref = 0;
      for (int j = 0; j < m; j++) {
        ref += table[j * 256 + (codes[off + j] & 0xff)];
      }
      assertThat((double) scalar.adcSum(table, codes, off, m)).isCloseTo(ref, within(1e-4 * m));
      assertThat((double) panama.adcSum(table, codes, off, m)).isCloseTo(ref, within(1e-4 * m));
    }
  }
}
