package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.storage.CorruptFileException;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.SameResults;
import io.quiver.testing.TestVectors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and open of HNSW indexes: faithful round trips in both vector modes, and every kind of damage detected. */
class HnswPersistenceTest extends RandomizedTest {
  @TempDir Path dir;

  private HnswIndex build(Random rnd, Metric metric, int n, int dim) {
    HnswIndex index = new HnswIndex(dim, metric,
        HnswConfig.builder().m(4 + rnd.nextInt(13)).efConstruction(40 + rnd.nextInt(60)).seed(rnd.nextLong()).build());
    index.addAll(VectorSource.of(TestVectors.clustered(rnd, n, dim, 5 + rnd.nextInt(10))), 1 + rnd.nextInt(2),
        BuildProgress.NONE);
    return index;
  }

  /**
   * Everything a caller can observe, on every ordinal and a set of searches, is the same on both indexes. A
   * memory-mapped index scores with the segment kernels: same arithmetic, last bits subject to the JIT tier (see
   * {@link SameResults}).
   */
  private void assertSameIndex(HnswIndex expected, HnswIndex actual, Random rnd, int dim) {
    int slots = expected.size() + expected.deletedCount() + 10;
    assertThat(actual.size()).isEqualTo(expected.size());
    assertThat(actual.deletedCount()).isEqualTo(expected.deletedCount());
    assertThat(actual.dimension()).isEqualTo(expected.dimension());
    assertThat(actual.metric()).isEqualTo(expected.metric());
    // payload_m is the collection's setting (the .plinks files hold the links); the graph file stores the rest
    assertThat(actual.config()).isEqualTo(expected.config().withPayloadM(0));
    for (int ord = 0; ord < slots; ord++) {
      assertThat(actual.contains(ord)).as("contains(%d)", ord).isEqualTo(expected.contains(ord));
      assertThat(actual.vector(ord)).as("vector(%d)", ord).isEqualTo(expected.vector(ord));
    }
    OrdinalFilter odd = ord -> ord % 2 == 1;
    for (int i = 0; i < 25; i++) {
      float[] q = TestVectors.randomVector(rnd, dim);
      int k = 1 + rnd.nextInt(20);
      SearchParams params = SearchParams.ef(k + rnd.nextInt(80));
      OrdinalFilter filter = rnd.nextBoolean() ? null : odd;
      if (actual.mappedBytes() > 0) {
        SameResults.assertEquivalent(() -> expected.search(q, k, params, filter),
            () -> actual.search(q, k, params, filter), "query " + i);
      } else {
        SameResults.assertSame(() -> expected.search(q, k, params, filter),
            () -> actual.search(q, k, params, filter), "query " + i);
      }
    }
  }

  @Test
  void roundTripKeepsResultsForEveryMetricInBothModes() throws IOException {
    Random rnd = random();
    for (Metric metric : Metric.values()) {
      int dim = 3 + rnd.nextInt(70); // odd sizes exercise the kernels' scalar tails
      HnswIndex original = build(rnd, metric, atLeast(800), dim);
      BitSet deleted = new BitSet();
      for (int i = 0; i < 80; i++) {
        int ord = rnd.nextInt(original.size());
        if (original.delete(ord)) {
          deleted.set(ord);
        }
      }
      original.save(dir, metric.name());
      for (boolean mmap : new boolean[] {false, true}) {
        try (HnswIndex opened = HnswIndex.open(dir, metric.name(), mmap)) {
          assertThat(opened.isSealed()).isTrue();
          assertSameIndex(original, opened, rnd, dim);
          for (int ord = deleted.nextSetBit(0); ord >= 0; ord = deleted.nextSetBit(ord + 1)) {
            assertThat(opened.contains(ord)).isFalse();
          }
          assertThat(opened.mappedBytes() > 0).as("mapped bytes with mmap=%s", mmap).isEqualTo(mmap);
          long vectorBytes = 4L * dim * original.size();
          if (mmap) { // the heap holds the graph, the vectors stay in the file
            assertThat(opened.ramBytesUsed()).isLessThan(original.ramBytesUsed() - vectorBytes / 2);
            assertThat(opened.mappedBytes()).isGreaterThanOrEqualTo(vectorBytes);
          } else {
            assertThat(opened.ramBytesUsed()).isGreaterThanOrEqualTo(vectorBytes);
          }
        }
      }
    }
  }

  @Test
  void openedIndexRejectsAddsAndDeletesInMemory() throws IOException {
    Random rnd = random();
    int dim = 16;
    HnswIndex original = build(rnd, Metric.L2, 500, dim);
    original.save(dir, "idx");
    for (boolean mmap : new boolean[] {false, true}) {
      try (HnswIndex opened = HnswIndex.open(dir, "idx", mmap)) {
        assertThatThrownBy(() -> opened.add(500, new float[dim]))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("sealed").hasMessageContaining("idx.hnsw");
        float[] q = original.vector(7);
        assertThat(opened.search(q, 1).ordinals()).containsExactly(7);
        assertThat(opened.delete(7)).isTrue();
        assertThat(opened.delete(7)).isFalse();
        assertThat(opened.contains(7)).isFalse();
        assertThat(opened.size()).isEqualTo(499);
        assertThat(opened.search(q, 10, SearchParams.ef(50), null).ordinals()).doesNotContain(7);
        assertThat(original.contains(7)).as("the original is untouched").isTrue();
      }
    }
    try (HnswIndex opened = HnswIndex.open(dir, "idx", false)) {
      assertThat(opened.contains(7)).as("deletes of an opened index are not written back").isTrue();
    }
  }

  @Test
  void savingAnOpenedIndexReproducesTheFilesByteForByte() throws IOException {
    Random rnd = random();
    Metric metric = Metric.values()[rnd.nextInt(Metric.values().length)];
    HnswIndex original = build(rnd, metric, 600, 24);
    original.delete(3);
    original.delete(200);
    original.save(dir, "a");
    for (boolean mmap : new boolean[] {false, true}) {
      try (HnswIndex opened = HnswIndex.open(dir, "a", mmap)) {
        opened.save(dir, "b");
      }
      for (String ext : new String[] {".vec", ".hnsw"}) {
        assertThat(Files.readAllBytes(dir.resolve("b" + ext))).as("%s, mmap=%s", ext, mmap)
            .isEqualTo(Files.readAllBytes(dir.resolve("a" + ext)));
      }
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary files left")
          .containsExactlyInAnyOrder("a.vec", "a.hnsw", "b.vec", "b.hnsw");
    }
  }

  @Test
  void emptyIndexRoundTrip() throws IOException {
    new HnswIndex(5, Metric.DOT, HnswConfig.DEFAULT).save(dir, "empty");
    assertThat(Files.size(dir.resolve("empty.vec"))).isEqualTo(64);
    for (boolean mmap : new boolean[] {false, true}) {
      try (HnswIndex opened = HnswIndex.open(dir, "empty", mmap)) {
        assertThat(opened.size()).isZero();
        assertThat(opened.dimension()).isEqualTo(5);
        assertThat(opened.search(new float[] {1, 2, 3, 4, 5}, 3).size()).isZero();
        assertThat(opened.contains(0)).isFalse();
        assertThat(opened.vector(0)).isNull();
        assertThat(opened.delete(0)).isFalse();
      }
    }
  }

  @Test
  void ordinalGapsRoundTrip() throws IOException {
    Random rnd = random();
    int dim = 12;
    HnswIndex original = new HnswIndex(dim, Metric.COSINE, HnswConfig.builder().m(8).seed(rnd.nextLong()).build());
    for (int ord = 0; ord < 900; ord += 1 + rnd.nextInt(3)) {
      original.add(ord, TestVectors.randomVector(rnd, dim));
    }
    original.delete(0);
    original.save(dir, "gaps");
    for (boolean mmap : new boolean[] {false, true}) {
      try (HnswIndex opened = HnswIndex.open(dir, "gaps", mmap)) {
        assertSameIndex(original, opened, rnd, dim);
      }
    }
  }

  @Test
  void fullyDeletedAndConsolidatedIndexRoundTrip() throws IOException {
    Random rnd = random();
    HnswIndex original = build(rnd, Metric.L1, 200, 8);
    for (int i = 0; i < 200; i++) {
      original.delete(i);
    }
    original.consolidateDeletes();
    original.save(dir, "gone");
    try (HnswIndex opened = HnswIndex.open(dir, "gone", true)) {
      assertThat(opened.size()).isZero();
      assertThat(opened.deletedCount()).isEqualTo(200);
      assertThat(opened.search(new float[8], 5).size()).isZero();
    }
  }

  @Test
  void consolidatingDeletesWorksOnAMappedDotIndex() throws IOException {
    Random rnd = random();
    int dim = 20;
    HnswIndex original = build(rnd, Metric.DOT, 1500, dim);
    original.save(dir, "dot");
    try (HnswIndex opened = HnswIndex.open(dir, "dot", true)) {
      BitSet deleted = new BitSet();
      for (int ord = 0; ord < 1500; ord++) {
        if (rnd.nextInt(3) == 0) {
          opened.delete(ord);
          deleted.set(ord);
        }
      }
      assertThat(opened.consolidateDeletes()).isPositive();
      int[] nbrs = new int[64];
      for (int node = 0; node < 1500; node++) {
        if (!deleted.get(node)) {
          int n = opened.neighbors(node, 0, nbrs);
          for (int i = 0; i < n; i++) {
            assertThat(deleted.get(nbrs[i])).isFalse();
          }
        }
      }
      SearchResult r = opened.search(TestVectors.randomVector(rnd, dim), 10, SearchParams.ef(100), null);
      assertThat(r.size()).isEqualTo(10);
      for (int ord : r.ordinals()) {
        assertThat(deleted.get(ord)).isFalse();
      }
    }
  }

  @Test
  void closeReleasesTheMapping() throws IOException {
    HnswIndex original = build(random(), Metric.L2, 300, 8);
    original.save(dir, "c");
    HnswIndex opened = HnswIndex.open(dir, "c", true);
    assertThat(opened.mappedBytes()).isEqualTo(Files.size(dir.resolve("c.vec")));
    opened.close();
    opened.close(); // idempotent
    assertThat(opened.mappedBytes()).isZero();
    // a search after close fails cleanly instead of reading unmapped memory
    assertThatThrownBy(() -> opened.search(new float[8], 3)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badNamesAndMissingFilesAreReported() throws IOException {
    HnswIndex original = build(random(), Metric.L2, 50, 4);
    assertThatThrownBy(() -> original.save(dir, "../x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain file name");
    assertThatThrownBy(() -> HnswIndex.open(dir, "nothing", true)).isInstanceOf(NoSuchFileException.class);
    original.save(dir, "half");
    Files.delete(dir.resolve("half.hnsw"));
    assertThatThrownBy(() -> HnswIndex.open(dir, "half", true)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("half.hnsw");
  }

  // ---------------------------------------------------------------- damage

  /** Saves a small index as "d" and returns the path of one of its files. */
  private Path saved(String ext) throws IOException {
    Random rnd = random();
    HnswIndex index = build(rnd, Metric.DOT, 300, 10); // DOT: the graph file has every section
    index.delete(5);
    index.save(dir, "d");
    return dir.resolve("d" + ext);
  }

  private void assertCorrupt(Path file, String... messageParts) {
    for (boolean mmap : new boolean[] {false, true}) {
      var thrown = assertThatThrownBy(() -> HnswIndex.open(dir, "d", mmap).close())
          .as("mmap=%s", mmap)
          .isInstanceOf(CorruptFileException.class)
          .hasMessageStartingWith(file.toString())
          .satisfies(e -> assertThat(((CorruptFileException) e).file()).isEqualTo(file));
      for (String part : messageParts) {
        thrown.hasMessageContaining(part);
      }
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x10;
    Files.write(file, bytes);
  }

  private static void truncate(Path file, long size) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, (int) size));
  }

  /** Rewrites an int field of a header and re-seals the header CRC, so only that field is wrong. */
  private static void rewriteHeaderInt(Path file, int headerBytes, int offset, int value) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(offset, value);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, headerBytes - 4);
    b.putInt(headerBytes - 4, (int) crc.getValue());
    Files.write(file, bytes);
  }

  @Test
  void flippedVectorByteFailsTheChecksumUnlessVerificationIsOff() throws IOException {
    Path vec = saved(".vec");
    flipByte(vec, 64 + random().nextInt((int) Files.size(vec) - 64));
    assertCorrupt(vec, "vector data checksum mismatch");
    for (boolean mmap : new boolean[] {false, true}) {
      try (HnswIndex opened = HnswIndex.open(dir, "d", mmap, false)) {
        assertThat(opened.size()).as("not verified: opens (documented)").isEqualTo(299);
      }
    }
  }

  @Test
  void flippedGraphByteFailsTheChecksum() throws IOException {
    Path graph = saved(".hnsw");
    flipByte(graph, 128 + random().nextInt((int) Files.size(graph) - 128));
    assertCorrupt(graph, "graph checksum mismatch");
  }

  @Test
  void flippedHeaderBytesFailTheHeaderChecksum() throws IOException {
    Path vec = saved(".vec");
    flipByte(vec, 8 + random().nextInt(56)); // past the magic and version
    assertCorrupt(vec, "header checksum mismatch");
    Path graph = saved(".hnsw");
    flipByte(graph, 8 + random().nextInt(120));
    assertCorrupt(graph, "header checksum mismatch");
  }

  @Test
  void badMagicIsReportedAsAForeignFile() throws IOException {
    Path vec = saved(".vec");
    flipByte(vec, 1);
    assertCorrupt(vec, "bad magic", "not a Quiver vector file");
    Path graph = saved(".hnsw");
    Files.writeString(graph, "{\"not\": \"an index\"}");
    assertCorrupt(graph, "bad magic", "not a Quiver HNSW graph file");
  }

  @Test
  void unknownVersionsAreRefused() throws IOException {
    Path vec = saved(".vec");
    rewriteHeaderInt(vec, 64, 4, 2);
    assertCorrupt(vec, "unsupported format version 2", "reads version 1");
    Path graph = saved(".hnsw");
    rewriteHeaderInt(graph, 128, 4, 9);
    assertCorrupt(graph, "unsupported format version 9");
  }

  @Test
  void truncatedFilesAreReported() throws IOException {
    Path vec = saved(".vec");
    long size = Files.size(vec);
    truncate(vec, size - 1 - random().nextInt((int) size - 64));
    assertCorrupt(vec, "truncated");
    truncate(vec, 30);
    assertCorrupt(vec, "truncated", "shorter than the 64-byte header");
    truncate(vec, 0);
    assertCorrupt(vec, "truncated");
    Path graph = saved(".hnsw");
    truncate(graph, Files.size(graph) - 4);
    assertCorrupt(graph, "truncated");
  }

  @Test
  void trailingBytesAreReported() throws IOException {
    Path graph = saved(".hnsw");
    Files.write(graph, new byte[8], java.nio.file.StandardOpenOption.APPEND);
    assertCorrupt(graph, "trailing data");
  }

  @Test
  void filesFromDifferentSavesDoNotPair() throws IOException {
    Path graph = saved(".hnsw");
    HnswIndex other = build(random(), Metric.DOT, 300, 10);
    other.save(dir, "other");
    Files.copy(dir.resolve("other.hnsw"), graph, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertCorrupt(graph, "does not belong to d.vec");
  }

  @Test
  void inconsistentGraphContentsAreCaughtEvenWithValidChecksums() throws IOException {
    Path graph = saved(".hnsw");
    rewriteHeaderInt(graph, 128, 48, 100_000); // entry point beyond the nodes
    assertCorrupt(graph, "entry point node 100000");
    graph = saved(".hnsw");
    rewriteHeaderInt(graph, 128, 24, 7); // level-0 degree that is not 2M
    assertCorrupt(graph, "invalid header", "level-0 degree 7");
  }
}
