package io.quiver.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Encode/decode error bounds, bulk encoding, and the serialized form (round trip, corruption). */
class QuantizerCodecTest extends RandomizedTest {

  List<VectorQuantizer> all(Metric metric, float[][] sample) {
    int dim = sample[0].length;
    return List.of(ScalarQuantizer.train(metric, sample, 0.99f), new Float16Codec(metric, dim),
        BinaryQuantizer.train(metric, sample, 8, random().nextLong()),
        ProductQuantizer.train(metric, sample, Math.max(1, dim / 8), 8, 5, random().nextLong()));
  }

  @Test
  void scalarInt8ErrorIsAtMostHalfAStepWhenNothingIsClipped() {
    Random rnd = random();
    int dim = 1 + rnd.nextInt(300);
    float[][] data = TestVectors.clustered(rnd, 500, dim, 8);
    ScalarQuantizer q = ScalarQuantizer.train(Metric.L2, data, 1f);
    byte[] codes = q.encodeAll(data);
    double worst = 0;
    for (int i = 0; i < data.length; i++) {
      float[] back = q.decode(codes, i * q.bytesPerVector());
      for (int d = 0; d < dim; d++) {
        worst = Math.max(worst, Math.abs(back[d] - data[i][d]));
      }
    }
    System.out.printf(Locale.ROOT, "ERROR int8 dim=%d max |x - x^| = %.5f, half step s/2 = %.5f%n", dim, worst,
        q.scale() / 2);
    assertThat(worst).isLessThanOrEqualTo(q.scale() / 2 * 1.001 + 1e-6);
  }

  @Test
  void scalarInt8ClipsAboutTheRequestedFraction() {
    Random rnd = random();
    float[][] data = TestVectors.clustered(rnd, 2000, 64, 8);
    ScalarQuantizer q = ScalarQuantizer.train(Metric.L2, data, 0.99f);
    byte[] codes = q.encodeAll(data);
    long clipped = 0;
    for (int i = 0; i < codes.length; i++) {
      if (i % q.bytesPerVector() < 64 && Math.abs(codes[i]) == 127) {
        clipped++;
      }
    }
    double frac = clipped / (double) (2000 * 64);
    System.out.printf(Locale.ROOT, "ERROR int8 quantile 0.99: %.4f of coordinates at +-127%n", frac);
    assertThat(frac).isBetween(0.005, 0.02);
  }

  @Test
  void float16RelativeErrorIsAtMostHalfAnUlp() {
    Random rnd = random();
    int dim = 1 + rnd.nextInt(500);
    Float16Codec codec = new Float16Codec(Metric.L2, dim);
    double worst = 0;
    for (int t = 0; t < 200; t++) {
      float[] v = new float[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6) - 2));
      }
      byte[] code = new byte[codec.bytesPerVector()];
      codec.encode(v, code, 0);
      float[] back = codec.decode(code, 0);
      for (int d = 0; d < dim; d++) {
        if (Math.abs(v[d]) >= 0x1p-14f) {
          worst = Math.max(worst, Math.abs(back[d] - v[d]) / Math.abs(v[d]));
        } else {
          assertThat(Math.abs(back[d] - v[d])).isLessThanOrEqualTo(0x1p-25f);
        }
      }
    }
    System.out.printf(Locale.ROOT, "ERROR float16 max relative error %.3g (bound 2^-11 = %.3g)%n", worst,
        Math.pow(2, -11));
    assertThat(worst).isLessThanOrEqualTo(Math.pow(2, -11));
    float[] big = {1e6f, -1e6f, 65504f, 70000f};
    byte[] code = new byte[8];
    new Float16Codec(Metric.L2, 4).encode(big, code, 0);
    assertThat(new Float16Codec(Metric.L2, 4).decode(code, 0)).containsExactly(65504f, -65504f, 65504f, 65504f);
    assertThatThrownBy(() -> new Float16Codec(Metric.L2, 1).encode(new float[] {Float.NaN}, new byte[2], 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reconstructionErrorOrdering() {
    // relative squared reconstruction error |x - x^|^2 / |x - mean|^2 per method, on the same data
    Random rnd = random();
    float[][] data = TestVectors.clustered(rnd, 3000, 96, 16);
    double[] mean = new double[96];
    for (float[] v : data) {
      for (int d = 0; d < 96; d++) {
        mean[d] += v[d] / data.length;
      }
    }
    double spread = 0;
    for (float[] v : data) {
      for (int d = 0; d < 96; d++) {
        spread += (v[d] - mean[d]) * (v[d] - mean[d]);
      }
    }
    double[] rel = new double[4];
    List<VectorQuantizer> qs = List.of(new Float16Codec(Metric.L2, 96), ScalarQuantizer.train(Metric.L2, data, 1f),
        ProductQuantizer.train(Metric.L2, data, 12, 32, 8, rnd.nextLong()),
        BinaryQuantizer.train(Metric.L2, data, 32, rnd.nextLong()));
    for (int m = 0; m < 4; m++) {
      VectorQuantizer q = qs.get(m);
      byte[] codes = q.encodeAll(data);
      double err = 0;
      for (int i = 0; i < data.length; i++) {
        float[] back = q.decode(codes, i * q.bytesPerVector());
        for (int d = 0; d < 96; d++) {
          err += (back[d] - data[i][d]) * (back[d] - data[i][d]);
        }
      }
      rel[m] = err / spread;
      System.out.printf(Locale.ROOT, "ERROR %s relative reconstruction error %.3g (%d bytes/vector)%n",
          q.getClass().getSimpleName(), rel[m], q.bytesPerVector());
    }
    assertThat(rel[0]).isLessThan(1e-6);
    assertThat(rel[1]).isLessThan(1e-3);
    assertThat(rel[2]).isLessThan(0.1);
    assertThat(rel[3]).isLessThan(0.2);
  }

  @Test
  void bulkEncodingAndBatchScoringMatchSingleCalls() {
    Random rnd = random();
    int dim = 8 + rnd.nextInt(150);
    float[][] data = TestVectors.clustered(rnd, 300, dim, 4);
    for (Metric metric : new Metric[] {Metric.L2, Metric.DOT, Metric.COSINE}) {
      for (VectorQuantizer q : all(metric, data)) {
        byte[] codes = q.encodeAll(data);
        assertThat(codes).hasSize(data.length * q.bytesPerVector());
        byte[] one = new byte[q.bytesPerVector() + 3];
        q.encode(data[17], one, 3);
        assertThat(Arrays.copyOfRange(one, 3, one.length))
            .isEqualTo(Arrays.copyOfRange(codes, 17 * q.bytesPerVector(), 18 * q.bytesPerVector()));
        QuantizedScorer s = q.scorer(data[3], codes);
        int[] ords = {5, 0, 299, 17, 17, 42, 250, 9, 31, 64, 128, 7, 200, 3, 1};
        for (int count : new int[] {1, 2, 3, 5, 8, 10, 11, 13, 15}) { // the multi-record kernels and their padding
          float[] out = new float[count];
          s.score(ords, count, out);
          for (int i = 0; i < count; i++) {
            // equal up to float rounding: a Vector API reduction adds its lanes in another order interpreted than
            // compiled, and a batch kernel and a single one need not be compiled at the same moment. Rounding is
            // relative to the terms summed, not to the result: a cosine distance 1 - dot near 0 sums terms near 1
            // (seed E3555EED0310DD59: 0.0067878 against 0.0067902 with 512-bit lanes), and |q|, |x| bound them
            float single = s.score(ords[i]);
            double scale = Math.max(1, Math.pow(norm(data[3]) + norm(data[ords[i]]), 2));
            assertThat(out[i]).as("%s count %d #%d", q.getClass().getSimpleName(), count, i)
                .isCloseTo(single, within((float) (Math.max(Math.abs(single), scale) * 1e-5) + 1e-6f));
          }
        }
      }
    }
  }

  @Test
  void compactBinaryCodesScoreAsTheStoredRecords() {
    Random rnd = random();
    int dim = 8 + rnd.nextInt(300);
    float[][] data = TestVectors.clustered(rnd, 400, dim, 6);
    for (Metric metric : new Metric[] {Metric.L2, Metric.DOT, Metric.COSINE}) {
      BinaryQuantizer q = BinaryQuantizer.train(metric, data, 1 + rnd.nextInt(16), rnd.nextLong());
      byte[] codes = q.encodeAll(data);
      // the records start anywhere in a segment, as a file section does
      int lead = rnd.nextInt(100);
      MemorySegment section = MemorySegment.ofArray(new byte[lead + codes.length]);
      MemorySegment.copy(codes, 0, section, ValueLayout.JAVA_BYTE, lead, codes.length);
      CompactBinaryCodes compact = q.bindCompact(section, lead, data.length);
      assertThat(compact.count()).isEqualTo(data.length);
      assertThat(compact.ramBytes()).isEqualTo((long) data.length * (8 * ((dim + 63) / 64) + 13));
      for (int t = 0; t < 5; t++) {
        float[] query = TestVectors.randomVector(rnd, dim);
        QuantizedScorer stored = q.scorer(query, codes);
        QuantizedScorer held = compact.scorer(query);
        int[] ords = rnd.ints(40, 0, data.length).toArray();
        float[] batch = new float[ords.length];
        held.score(ords, ords.length, batch);
        for (int i = 0; i < ords.length; i++) {
          float expected = stored.score(ords[i]);
          // the same estimate with its terms summed in another order: equal up to rounding relative to the terms
          double scale = Math.max(1, Math.pow(norm(query) + norm(data[ords[i]]), 2));
          float tolerance = (float) (Math.max(Math.abs(expected), scale) * 1e-5) + 1e-6f;
          assertThat(held.score(ords[i])).as("%s dim %d ordinal %d", metric, dim, ords[i])
              .isCloseTo(expected, within(tolerance));
          assertThat(batch[i]).isCloseTo(expected, within(tolerance));
        }
      }
    }
  }

  @Test
  void serializationRoundTripKeepsCodesAndScores() throws IOException {
    Random rnd = random();
    int dim = 16 + rnd.nextInt(100);
    float[][] data = TestVectors.clustered(rnd, 400, dim, 4);
    for (Metric metric : new Metric[] {Metric.L2, Metric.DOT, Metric.COSINE}) {
      for (VectorQuantizer q : all(metric, data)) {
        byte[] codes = q.encodeAll(data);
        byte[] bytes = Quantizers.toBytes(q);
        VectorQuantizer back = Quantizers.fromBytes(bytes);
        assertThat(back).isInstanceOf(q.getClass());
        assertThat(back.metric()).isEqualTo(metric);
        assertThat(back.dimension()).isEqualTo(dim);
        assertThat(back.encodeAll(data)).isEqualTo(codes);
        QuantizedScorer a = q.scorer(data[1], codes), b = back.scorer(data[1], codes);
        for (int i = 0; i < data.length; i += 7) {
          // equal up to float rounding: a Vector API reduction interpreted and the same one compiled add their lanes
          // in different orders (measured 1 ulp apart, -227.85295 vs -227.85297, seed 95A7BEC49EC6527C)
          float expected = a.score(i);
          assertThat(b.score(i)).isCloseTo(expected, org.assertj.core.api.Assertions.within(
              1e-5f * Math.max(1f, Math.abs(expected))));
        }
        assertThat(Quantizers.toBytes(back)).isEqualTo(bytes);
        // a stream holding two quantizers back to back reads both
        byte[] two = new byte[2 * bytes.length];
        System.arraycopy(bytes, 0, two, 0, bytes.length);
        System.arraycopy(bytes, 0, two, bytes.length, bytes.length);
        ByteArrayInputStream in = new ByteArrayInputStream(two);
        Quantizers.read(in);
        Quantizers.read(in);
        assertThat(in.available()).isZero();
      }
    }
  }

  @Test
  void trainingIsTheSameOnEveryRunDespiteParallelism() {
    // PQ trains its sub-spaces in parallel and k-means assigns rows in parallel chunks: the seed alone decides
    Random rnd = random();
    float[][] data = TestVectors.clustered(rnd, 6_000, 96, 12); // large enough for the parallel assignment
    long seed = rnd.nextLong();
    byte[] first = Quantizers.toBytes(ProductQuantizer.train(Metric.L2, data, 24, 64, 6, seed));
    for (int i = 0; i < 2; i++) {
      assertThat(Quantizers.toBytes(ProductQuantizer.train(Metric.L2, data, 24, 64, 6, seed))).isEqualTo(first);
    }
    assertThat(Quantizers.toBytes(BinaryQuantizer.train(Metric.L2, data, 64, seed)))
        .isEqualTo(Quantizers.toBytes(BinaryQuantizer.train(Metric.L2, data, 64, seed)));
  }

  @Test
  void corruptedParametersAreRejected() {
    Random rnd = random();
    float[][] data = TestVectors.clustered(rnd, 300, 24, 4);
    List<byte[]> files = new ArrayList<>();
    for (VectorQuantizer q : all(Metric.L2, data)) {
      files.add(Quantizers.toBytes(q));
    }
    for (byte[] good : files) {
      for (int t = 0; t < 50; t++) { // any single flipped bit: CRC32C detects every one
        byte[] bad = good.clone();
        int pos = rnd.nextInt(bad.length);
        bad[pos] ^= (byte) (1 << rnd.nextInt(8));
        assertThatThrownBy(() -> Quantizers.fromBytes(bad)).as("flip at %d of %d", pos, bad.length)
            .isInstanceOf(IOException.class);
      }
      for (int cut : new int[] {0, 3, 15, 16, good.length / 2, good.length - 1}) {
        byte[] shortFile = Arrays.copyOf(good, cut);
        assertThatThrownBy(() -> Quantizers.fromBytes(shortFile)).as("truncated to %d", cut)
            .isInstanceOf(IOException.class);
      }
      byte[] trailing = Arrays.copyOf(good, good.length + 1);
      assertThatThrownBy(() -> Quantizers.fromBytes(trailing)).isInstanceOf(IOException.class);
    }
    byte[] v2 = files.get(0).clone();
    v2[5] = 2; // version 2, CRC fixed up: still rejected, by version
    fixCrc(v2);
    assertThatThrownBy(() -> Quantizers.fromBytes(v2)).hasMessageContaining("version 2");
    byte[] kind9 = files.get(0).clone();
    kind9[6] = 9;
    fixCrc(kind9);
    assertThatThrownBy(() -> Quantizers.fromBytes(kind9)).hasMessageContaining("kind 9");
  }

  static void fixCrc(byte[] file) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(file, 0, file.length - 4);
    java.nio.ByteBuffer.wrap(file, file.length - 4, 4).putInt((int) crc.getValue());
  }

  @Test
  void l1AndWrongDimensionsAreRefused() {
    float[][] data = TestVectors.clustered(random(), 50, 8, 2);
    assertThatThrownBy(() -> ScalarQuantizer.train(Metric.L1, data, 1f)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Float16Codec(Metric.L1, 8)).isInstanceOf(IllegalArgumentException.class);
    VectorQuantizer q = ScalarQuantizer.train(Metric.L2, data, 1f);
    assertThatThrownBy(() -> q.encode(new float[7], new byte[20], 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> q.scorer(new float[9], new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }
}
