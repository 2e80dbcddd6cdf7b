package io.quiver.index.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DiskIndexMerger}: recall against a rebuild, the ordinal mapping, the base left alone, bad input. */
class DiskIndexMergerTest extends RandomizedTest {
  private static final int K = 10;

  @TempDir Path dir;

  private DiskIndexConfig config(Random rnd, DiskIndexConfig.GraphKind kind) {
    return DiskIndexConfig.builder().graph(kind).threads(2).seed(rnd.nextLong()).build();
  }

  private Path build(float[][] vectors, Metric metric, DiskIndexConfig config, String name) throws Exception {
    Path file = dir.resolve(name + DiskIndex.EXTENSION);
    DiskIndex.build(VectorSource.of(vectors), metric, config, file, BuildProgress.NONE);
    return file;
  }

  @Test
  void mergeOfATenthInAndATenthOutSearchesAsWellAsARebuild() throws Exception {
    Random rnd = random();
    Metric metric = new Metric[] {Metric.L2, Metric.COSINE, Metric.DOT}[rnd.nextInt(3)];
    DiskIndexConfig.GraphKind kind = DiskIndexConfig.GraphKind.values()[rnd.nextInt(2)];
    int dim = 24 + rnd.nextInt(17);
    int n = atLeast(3000);
    float[][] centres = TestVectors.centres(rnd, 16, dim);
    float[][] base = TestVectors.around(rnd, centres, n);
    float[][] added = TestVectors.around(rnd, centres, n / 10);
    float[][] queries = TestVectors.around(rnd, centres, 200);
    DiskIndexConfig config = config(rnd, kind);
    BitSet dropped = new BitSet(n);
    while (dropped.cardinality() < n / 10) {
      dropped.set(rnd.nextInt(n));
    }
    Path merged = dir.resolve("merged" + DiskIndex.EXTENSION);
    DiskMergeResult result;
    AtomicLong lastDone = new AtomicLong();
    int tombstoned;
    try (DiskIndex index = DiskIndex.open(build(base, metric, config, "base"))) {
      tombstoned = rnd.nextInt(base.length);
      index.delete(tombstoned); // a tombstone is dropped too, whatever keep says
      result = DiskIndexMerger.merge(index, o -> !dropped.get(o), VectorSource.of(added), config, merged,
          (done, total) -> lastDone.accumulateAndGet(done, Math::max));
    }
    dropped.set(tombstoned);
    int kept = n - dropped.cardinality();

    // the mapping: survivors ascending and dense, dropped -1, added after them
    assertThat(result.kept()).isEqualTo(kept);
    assertThat(result.added()).isEqualTo(added.length);
    assertThat(lastDone.get()).isEqualTo((long) result.repaired() + added.length);
    float[][] all = new float[kept + added.length][];
    int next = 0;
    for (int o = 0; o < n; o++) {
      if (dropped.get(o)) {
        assertThat(result.newOrdinal(o)).as("dropped base ordinal %d", o).isEqualTo(-1);
      } else {
        assertThat(result.newOrdinal(o)).as("surviving base ordinal %d", o).isEqualTo(next);
        all[next++] = base[o];
      }
    }
    System.arraycopy(added, 0, all, kept, added.length);

    Path rebuilt = build(all, metric, config, "rebuilt");
    DiskSearchParams params = new DiskSearchParams(64, 4, K);
    try (DiskIndex m = DiskIndex.open(merged); DiskIndex r = DiskIndex.open(rebuilt)) {
      m.verify();
      assertThat(m.count()).isEqualTo(all.length);
      for (int i = 0; i < 20; i++) {
        int o = rnd.nextInt(all.length);
        assertThat(m.vector(o)).as("stored vector of merged ordinal %d", o)
            .containsExactly(normalised(metric, all[o]), within(1e-5f));
      }
      double mergedRecall = 0;
      double rebuiltRecall = 0;
      double squaredGaps = 0;
      for (float[] q : queries) {
        int[] truth = TestVectors.exactTopK(metric, all, q, K, o -> true);
        double mr = TestVectors.recall(m.search(q, K, params, null).ordinals(), truth);
        double rr = TestVectors.recall(r.search(q, K, params, null).ordinals(), truth);
        mergedRecall += mr;
        rebuiltRecall += rr;
        squaredGaps += (rr - mr) * (rr - mr);
      }
      mergedRecall /= queries.length;
      rebuiltRecall /= queries.length;
      double gap = rebuiltRecall - mergedRecall;
      // the standard error of the mean per-query gap: two graphs of a few thousand points differ by a few queries'
      // worth of neighbours either way (measured -0.025 to +0.021 over seeds), so the bound allows two of them
      double stdError = Math.sqrt(Math.max(0, squaredGaps / queries.length - gap * gap) / (queries.length - 1));
      System.out.printf("seed %s, %s, %s, n %d, dim %d: recall@10 at L 64 merged %.4f, rebuilt %.4f; %d repaired, "
          + "%d bytes of the base read%n", masterSeedHex(), metric, kind, n, dim, mergedRecall, rebuiltRecall,
          result.repaired(), result.baseBytesRead());
      assertThat(mergedRecall).as("merged recall against the rebuild's %.4f (standard error of the gap %.4f)",
          rebuiltRecall, stdError).isGreaterThanOrEqualTo(rebuiltRecall - 0.02 - 2 * stdError);

      // added vectors are found: first for themselves (under DOT, the exact best for them, a longer vector maybe)
      int found = 0;
      for (int j = 0; j < added.length; j++) {
        int best = metric == Metric.DOT ? TestVectors.exactTopK(metric, all, added[j], 1, o -> true)[0] : kept + j;
        found += m.search(added[j], 1, params, null).ordinals()[0] == best ? 1 : 0;
      }
      assertThat(found).as("added vectors found first").isGreaterThanOrEqualTo(added.length * 98 / 100);
      // dropped vectors are gone: searching for one never returns a vector equal to it
      for (int o = dropped.nextSetBit(0); o >= 0; o = dropped.nextSetBit(o + 1)) {
        for (int hit : m.search(base[o], 3, params, null).ordinals()) {
          assertThat(m.vector(hit)).as("result for dropped base ordinal %d", o).isNotEqualTo(normalised(metric, base[o]));
        }
      }
      assertThat(result.baseBytesRead()).isGreaterThan(0);
    }
  }

  @Test
  void mergeOfNothingWritesTheSameIndex() throws Exception {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, atLeast(2000), 16, 8);
    DiskIndexConfig config = config(rnd, DiskIndexConfig.GraphKind.VAMANA);
    Path file = build(base, Metric.L2, config, "base");
    Path merged = dir.resolve("merged" + DiskIndex.EXTENSION);
    try (DiskIndex index = DiskIndex.open(file)) {
      DiskMergeResult result = DiskIndexMerger.merge(index, o -> true, VectorSource.of(new float[0][]), config,
          merged, BuildProgress.NONE);
      assertThat(result.repaired()).isZero();
      assertThat(result.newOrdinals()).isEqualTo(IntStream.range(0, base.length).toArray());
    }
    try (DiskIndex a = DiskIndex.open(file); DiskIndex b = DiskIndex.open(merged)) {
      for (int i = 0; i < 30; i++) {
        float[] q = TestVectors.randomVector(rnd, 16);
        assertThat(b.search(q, K, DiskSearchParams.DEFAULT, null).ordinals())
            .containsExactly(a.search(q, K, DiskSearchParams.DEFAULT, null).ordinals());
      }
    }
    assertThat(Files.readAllBytes(merged)).as("a merge of nothing rewrites the base's bytes")
        .isEqualTo(Files.readAllBytes(file));
  }

  @Test
  void baseStaysSearchableAndUnchangedDuringTheMerge() throws Exception {
    Random rnd = random();
    int dim = 16;
    float[][] base = TestVectors.clustered(rnd, atLeast(2000), dim, 8);
    float[][] added = TestVectors.clustered(rnd, 300, dim, 4);
    float[][] queries = new float[50][];
    Arrays.setAll(queries, i -> TestVectors.randomVector(rnd, dim));
    DiskIndexConfig config = config(rnd, DiskIndexConfig.GraphKind.HNSW);
    Path file = build(base, Metric.L2, config, "base");
    byte[] before = Files.readAllBytes(file);
    try (DiskIndex index = DiskIndex.open(file); ExecutorService pool = Executors.newSingleThreadExecutor()) {
      int[][] expected = new int[queries.length][];
      for (int i = 0; i < queries.length; i++) {
        expected[i] = index.search(queries[i], K, DiskSearchParams.DEFAULT, null).ordinals();
      }
      Future<Integer> searches = pool.submit(() -> {
        int same = 0;
        for (int round = 0; round < 40; round++) {
          for (int i = 0; i < queries.length; i++) {
            same += Arrays.equals(index.search(queries[i], K, DiskSearchParams.DEFAULT, null).ordinals(),
                expected[i]) ? 1 : 0;
          }
        }
        return same;
      });
      DiskIndexMerger.merge(index, o -> o % 7 != 0, VectorSource.of(added), config,
          dir.resolve("merged" + DiskIndex.EXTENSION), BuildProgress.NONE);
      assertThat(searches.get()).isEqualTo(40 * queries.length);
      SearchResult after = index.search(queries[0], K, DiskSearchParams.DEFAULT, null);
      assertThat(after.ordinals()).containsExactly(expected[0]);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void keepingNoneBuildsTheAddedVectorsAlone() throws Exception {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, 500, 8, 4);
    float[][] added = TestVectors.clustered(rnd, 400, 8, 4);
    DiskIndexConfig config = config(rnd, DiskIndexConfig.GraphKind.VAMANA);
    Path merged = dir.resolve("merged" + DiskIndex.EXTENSION);
    try (DiskIndex index = DiskIndex.open(build(base, Metric.L2, config, "base"))) {
      DiskMergeResult result = DiskIndexMerger.merge(index, o -> false, VectorSource.of(added), config, merged,
          BuildProgress.NONE);
      assertThat(result.newOrdinals()).containsOnly(-1);
      assertThat(result.size()).isEqualTo(added.length);
    }
    try (DiskIndex m = DiskIndex.open(merged)) {
      assertThat(m.count()).isEqualTo(added.length);
      int j = rnd.nextInt(added.length);
      assertThat(m.search(added[j], 1, new DiskSearchParams(64, 4, 1), null).ordinals()).containsExactly(j);
    }
  }

  @Test
  void badInputAndDamagedBlocksAreRejected() throws Exception {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, 600, 8, 4);
    DiskIndexConfig config = config(rnd, DiskIndexConfig.GraphKind.HNSW);
    Path file = build(base, Metric.L2, config, "base");
    Path out = dir.resolve("out" + DiskIndex.EXTENSION);
    VectorSource none = VectorSource.of(new float[0][]);
    try (DiskIndex index = DiskIndex.open(file)) {
      assertThatThrownBy(() -> DiskIndexMerger.merge(index, o -> true, VectorSource.of(new float[][] {new float[5]}),
          config, out, BuildProgress.NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dimension 5");
      assertThatThrownBy(() -> DiskIndexMerger.merge(index, o -> true, none, config.toBuilder().maxDegree(16).build(),
          out, BuildProgress.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDegree 16");
      assertThatThrownBy(() -> DiskIndexMerger.merge(index, o -> false, none, config, out, BuildProgress.NONE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no vectors");
      float[] nan = new float[8];
      nan[2] = Float.NaN;
      assertThatThrownBy(() -> DiskIndexMerger.merge(index, o -> true, VectorSource.of(new float[][] {nan}), config,
          out, BuildProgress.NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("added vector 0");
    }
    long at;
    try (DiskIndex index = DiskIndex.open(file)) {
      at = index.blocks.address() - index.data.address()
          + index.layout.blockOffset(rnd.nextInt(base.length)) + rnd.nextInt(index.layout.crcOffset());
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
      ch.write(b, at);
    }
    try (DiskIndex index = DiskIndex.open(file)) {
      assertThatThrownBy(() -> DiskIndexMerger.merge(index, o -> true, none, config, out, BuildProgress.NONE))
          .isInstanceOf(CorruptFileException.class).hasMessageContaining("checksum");
    }
    assertThat(Files.exists(out)).isFalse();
  }

  private static float[] normalised(Metric metric, float[] v) {
    if (!metric.normalizes()) {
      return v;
    }
    float[] x = v.clone();
    VectorUtil.normalize(x);
    return x;
  }
}
