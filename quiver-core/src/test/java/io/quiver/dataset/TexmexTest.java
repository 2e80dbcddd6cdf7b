package io.quiver.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.testing.RandomizedTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TexmexTest extends RandomizedTest {

  @TempDir
  Path dir;

  @Test
  void fvecsRoundTripAndLimit() throws IOException {
    Random rnd = random();
    float[][] v = new float[1 + rnd.nextInt(50)][1 + rnd.nextInt(100)];
    for (float[] row : v) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) rnd.nextGaussian();
      }
    }
    Path f = dir.resolve("x.fvecs");
    Texmex.writeFvecs(f, v);
    assertThat(Files.size(f)).isEqualTo((long) v.length * (4 + 4L * v[0].length));
    assertThat(Texmex.readVectors(f, -1)).isDeepEqualTo(v);
    assertThat(Texmex.readFvecs(f, 1)).hasDimensions(1, v[0].length);
  }

  @Test
  void bvecsAndIvecsRoundTrip() throws IOException {
    Random rnd = random();
    float[][] b = new float[20][33];
    int[][] ids = new int[20][7];
    for (int r = 0; r < 20; r++) {
      for (int i = 0; i < 33; i++) {
        b[r][i] = rnd.nextInt(256);
      }
      for (int i = 0; i < 7; i++) {
        ids[r][i] = rnd.nextInt(1_000_000) - 1;
      }
    }
    Path fb = dir.resolve("x.bvecs");
    Path fi = dir.resolve("x.ivecs");
    Texmex.writeBvecs(fb, b);
    Texmex.writeIvecs(fi, ids);
    assertThat(Texmex.readVectors(fb, -1)).isDeepEqualTo(b);
    assertThat(Texmex.readIvecs(fi, -1)).isDeepEqualTo(ids);
    assertThatThrownBy(() -> Texmex.writeBvecs(dir.resolve("bad.bvecs"), new float[][] {{1.5f}}))
        .hasMessageContaining("component 0 is 1.5");
  }

  @Test
  void littleEndianOnDisk() throws IOException {
    Path f = dir.resolve("one.fvecs");
    Texmex.writeFvecs(f, new float[][] {{1f, -2f}});
    ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bb.getInt()).isEqualTo(2);
    assertThat(bb.getFloat()).isEqualTo(1f);
    assertThat(bb.getFloat()).isEqualTo(-2f);
  }

  @Test
  void truncatedAndCorruptFilesAreReportedWithTheRecord() throws IOException {
    Path f = dir.resolve("t.fvecs");
    Texmex.writeFvecs(f, new float[][] {{1, 2, 3}, {4, 5, 6}});
    byte[] bytes = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.fvecs");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 2));
    assertThatThrownBy(() -> Texmex.readFvecs(cut, -1)).isInstanceOf(IOException.class)
        .hasMessageContaining("record 1 is truncated");
    Path mixed = dir.resolve("mixed.fvecs");
    Texmex.writeFvecs(mixed, new float[][] {{1, 2, 3}, {4, 5}});
    assertThatThrownBy(() -> Texmex.readFvecs(mixed, -1)).hasMessageContaining("record 1 has dimension 2");
    Path garbage = dir.resolve("garbage.fvecs");
    Files.write(garbage, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0});
    assertThatThrownBy(() -> Texmex.readFvecs(garbage, -1)).hasMessageContaining("invalid dimension -1");
    assertThatThrownBy(() -> Texmex.readVectors(dir.resolve("x.txt"), -1)).hasMessageContaining(".fvecs or .bvecs");
    Path empty = dir.resolve("empty.fvecs");
    Files.write(empty, new byte[0]);
    assertThat(Texmex.readFvecs(empty, -1)).isEmpty();
  }

  @Test
  void readsTheSharedFashionMnistSet() throws IOException {
    Path d = Path.of(System.getProperty("quiver.datasets", "../shared/datasets"), "fashion-mnist-784-euclidean");
    assumeTrue(Files.isDirectory(d), "skipped: shared data set not present at " + d.toAbsolutePath());
    float[][] base = Texmex.readVectors(d.resolve("base.bvecs"), 100);
    int[][] gt = Texmex.readIvecs(d.resolve("groundtruth.ivecs"), 5);
    assertThat(base).hasDimensions(100, 784);
    assertThat(gt).hasDimensions(5, 100);
    for (float[] v : base) {
      for (float x : v) {
        assertThat(x).isBetween(0f, 255f);
      }
    }
  }
}
