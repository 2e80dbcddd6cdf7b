package io.quiver.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.AnnEngineProvider;
import io.quiver.cli.bench.BuildParams;
import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness side of the external-engine protocol, against a fake helper in {@code /bin/sh}: no FAISS, Python
 * module or Node package is needed (the real helpers are exercised by {@code ./quiver bench --index faiss,hnswlib-node},
 * not by the Maven build, since CI machines need not have them).
 */
class ExternalProcessEngineTest {

  @TempDir
  Path dir;

  private static final String FAKE = """
      echo "READY fake 1.2"
      echo "$1 $2 $3 $4" > args.txt
      test -f "$5" && cp "$5" base-seen.fvecs
      echo "NOTE a note"
      echo "PROGRESS 0 4"
      echo "PROGRESS 4 4"
      echo "BUILT 0.25 4096"
      i=0
      while read cmd a b; do
        case "$cmd" in
          QUERIES) cp "$a" queries-seen.fvecs; echo "OK 2" ;;
          SEARCH) i=$((i+1)); echo "$a $b" >> searches.txt; cp result.template "$6/result-$i.bin"; echo "DONE $6/result-$i.bin" ;;
          QUIT) exit 0 ;;
        esac
      done
      """;

  static byte[] result(int[][] ids, long[] latencies, int k) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * ids.length * k + 8 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(ids.length).putInt(k);
    for (int[] row : ids) {
      for (int j = 0; j < k; j++) {
        b.putInt(j < row.length ? row[j] : -1);
      }
    }
    for (long l : latencies) {
      b.putLong(l);
    }
    return b.array();
  }

  private ExternalProcessEngine fake(String body, List<String> interpreter) throws Exception {
    Files.writeString(dir.resolve("fake.sh"), body);
    return new ExternalProcessEngine(new ExternalProcessEngine.Helper("fake-engine", "fake.sh", interpreter,
        "Install it with: apt-get install fake"), dir);
  }

  @Test
  void buildsAndAnswersWholePassesOverThePipe() throws Exception {
    Files.write(dir.resolve("result.template"), result(new int[][] {{5, 6}, {7, 8, 9}}, new long[] {1000, 3000}, 3));
    float[][] base = {{3, 4}, {1, 0}, {0, 2}, {1, 1}};
    float[][] queries = {{0, 5}, {6, 8}};
    List<long[]> progress = new ArrayList<>();
    try (ExternalProcessEngine engine = fake(FAKE, List.of("/bin/sh"))) {
      engine.build(base, Metric.COSINE, new BuildParams(12, 80, 2), (done, total) -> progress.add(new long[] {done, total}));
      assertThat(engine.version()).isEqualTo("1.2");
      assertThat(engine.reportedBuildSeconds()).isEqualTo(0.25);
      assertThat(engine.ramBytesUsed()).isEqualTo(4096);
      assertThat(progress).containsExactly(new long[] {0, 4}, new long[] {4, 4});
      assertThat(Files.readString(dir.resolve("args.txt")).strip()).isEqualTo("ip 12 80 2");
      float[][] seenBase = Texmex.readFvecs(dir.resolve("base-seen.fvecs"), -1);
      assertThat(seenBase[0]).containsExactly(0.6f, 0.8f); // cosine: normalised on the Java side

      for (int pass = 0; pass < 2; pass++) {
        AnnEngine.BatchResult r = engine.searchAll(queries, 3, 40 + pass);
        assertThat(r.ids()[0]).containsExactly(5, 6); // -1 padding dropped
        assertThat(r.ids()[1]).containsExactly(7, 8, 9);
        assertThat(r.latencyNanos()).containsExactly(1000, 3000);
        assertThat(r.passNanos()).isEqualTo(4000); // sum of the helper's own per-query times
      }
      assertThat(Files.readAllLines(dir.resolve("searches.txt"))).containsExactly("40 3", "41 3");
      float[][] seenQueries = Texmex.readFvecs(dir.resolve("queries-seen.fvecs"), -1);
      assertThat(seenQueries[1]).containsExactly(0.6f, 0.8f);
      assertThat(queries[1]).containsExactly(6, 8); // the caller's arrays untouched
    }
  }

  @Test
  void aMissingLibraryFailsTheBuildWithTheInstallHint() throws Exception {
    try (ExternalProcessEngine engine = fake("echo 'MISSING cannot import fakelib'\n", List.of("/bin/sh"))) {
      assertThatThrownBy(() -> engine.build(new float[][] {{1, 2}}, Metric.L2, new BuildParams(16, 100, 1),
          (d, t) -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot import fakelib")
          .hasMessageContaining("apt-get install fake");
    }
  }

  @Test
  void aMissingInterpreterFailsTheBuildWithTheInstallHint() throws Exception {
    try (ExternalProcessEngine engine = fake("", List.of(dir.resolve("no-such-python").toString()))) {
      assertThatThrownBy(() -> engine.build(new float[][] {{1, 2}}, Metric.L2, new BuildParams(16, 100, 1),
          (d, t) -> {}))
          .hasMessageContaining("cannot start")
          .hasMessageContaining("apt-get install fake");
    }
  }

  @Test
  void aHelperThatDiesShowsItsExitCodeAndStderr() throws Exception {
    try (ExternalProcessEngine engine = fake("echo 'READY fake 1'\necho boom >&2\nexit 7\n", List.of("/bin/sh"))) {
      assertThatThrownBy(() -> engine.build(new float[][] {{1, 2}}, Metric.L2, new BuildParams(16, 100, 1),
          (d, t) -> {}))
          .hasMessageContaining("exited unexpectedly")
          .hasMessageContaining("exit code 7")
          .hasMessageContaining("boom");
    }
  }

  @Test
  void aMissingScriptFailsAtCreate() {
    assertThatThrownBy(() -> new ExternalProcessEngine(new ExternalProcessEngine.Helper("x", "nope.py",
        List.of("/bin/sh"), "hint"), dir)).hasMessageContaining("nope.py").hasMessageContaining("not found");
  }

  @Test
  void providersAreRegisteredWithoutL1() {
    Map<String, AnnEngineProvider> byName = PeerEnginesSmokeTest.providers();
    for (String name : List.of("faiss", "hnswlib-node")) {
      AnnEngineProvider p = byName.get(name);
      assertThat(p).as(name).isNotNull();
      assertThat(p.supports(Metric.L2)).isTrue();
      assertThat(p.supports(Metric.COSINE)).isTrue();
      assertThat(p.supports(Metric.DOT)).isTrue();
      assertThat(p.supports(Metric.L1)).isFalse();
    }
  }

  @Test
  void theRepositoryShipsBothHelperScriptsAndPinsHnswlibNode() throws Exception {
    Path external = Path.of("src", "main", "external");
    assertThat(external.resolve("faiss_engine.py")).isRegularFile();
    assertThat(external.resolve("hnswlib_engine.mjs")).isRegularFile();
    assertThat(Files.readString(external.resolve("package.json")))
        .contains("\"hnswlib-node\": \"" + HnswlibNodeProvider.PINNED_VERSION + "\"");
  }
}
