package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.check.CheckReport;
import io.quiver.check.DatabaseChecker;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at random moments, many times, and checks after each crash that every
 * acknowledged write is there with its exact vector and payload, and that the one write in flight is either wholly
 * present or wholly absent.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class CollectionCrashTest extends RandomizedTest {
  @TempDir Path dir;

  record Op(boolean upsert, long version, List<Long> ids) {
    void applyTo(Map<Long, Long> state) {
      for (long id : ids) {
        if (upsert) {
          state.put(id, version);
        } else {
          state.remove(id);
        }
      }
    }
  }

  @Test
  void acknowledgedWritesSurviveSigkill() throws Exception {
    killRepeatedly(false);
  }

  /** The same with a collection whose sealed segments are disk indexes (sealing and merging write .qdisk files). */
  @Test
  void acknowledgedWritesSurviveSigkillWithDiskSegments() throws Exception {
    killRepeatedly(true);
  }

  private void killRepeatedly(boolean diskSegments) throws Exception {
    Random rnd = random();
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    int idSpace = 2000;
    Map<Long, Long> model = new HashMap<>();
    int rounds = atLeast(8);
    int acknowledged = 0;
    int checked = 0;
    for (int round = 0; round < rounds; round++) {
      Process child = new ProcessBuilder(java, "-cp", cp, CollectionCrashChild.class.getName(), dir.toString(),
          Long.toString(round + 1L), Integer.toString(idSpace), diskSegments ? "disk" : "heap").redirectError(ProcessBuilder.Redirect.DISCARD).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("child of round %d started", round).startsWith("READY");
      assertThat(Long.parseLong(ready.substring(6))).as("points the child sees at start").isEqualTo(model.size());
      Thread.sleep(150 + rnd.nextInt(1200));
      child.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroy it leaves the pipe readable
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // before anything reopens it: what the crash left must pass the read-only check (notes allowed)
      CheckReport check = DatabaseChecker.check(dir, List.of());
      assertThat(check.problems()).as("quiver check after the crash of round %d: %s", round, check.findings())
          .isEmpty();
      checked += check.summary().size();
      Op pending = null;
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals("A")) {
          pending.applyTo(model);
          pending = null;
          acknowledged++;
        } else {
          String[] f = line.split(" ");
          pending = f[1].equals("U")
              ? new Op(true, Long.parseLong(f[2]), parseIds(f[3]))
              : new Op(false, 0, parseIds(f[2]));
        }
      }
      Map<Long, Long> withPending = new HashMap<>(model);
      if (pending != null) {
        pending.applyTo(withPending);
      }
      try (Quiver db = Quiver.open(dir)) {
        Collection c = db.collection("crash");
        boolean asAcked = sameState(c, model);
        boolean asPending = !asAcked && sameState(c, withPending);
        assertThat(asAcked || asPending).as("round %d: state after the crash is the acknowledged state, or that plus"
            + " the whole write in flight (%s)", round, pending).isTrue();
        if (asPending) {
          model = withPending;
        }
        assertSparseSearch(c, model, rnd);
        assertMultiVectorSearch(c, model, rnd);
      }
    }
    assertThat(acknowledged).as("writes acknowledged over all rounds").isGreaterThan(rounds);
    assertThat(checked).as("collections checked after crashes").isGreaterThan(0);
  }

  static List<Long> parseIds(String s) {
    List<Long> ids = new ArrayList<>();
    for (String p : s.split(",")) {
      ids.add(Long.parseLong(p));
    }
    return ids;
  }

  static boolean sameState(Collection c, Map<Long, Long> state) {
    if (c.count() != state.size()) {
      return false;
    }
    List<PointId> all = new ArrayList<>();
    ScrollPage page = c.scroll(ScrollRequest.first(100_000));
    for (PointRecord r : page.points()) {
      all.add(r.id());
      Long version = state.get(((PointId.Num) r.id()).value());
      // compared as text: JSON has one number type, and a long written may read back as an int node
      if (version == null || !r.payload().toString().equals(
          CollectionCrashChild.payload(((PointId.Num) r.id()).value(), version).toString())) {
        return false;
      }
    }
    if (all.size() != state.size()) {
      return false;
    }
    for (var e : state.entrySet()) {
      PointRecord r = c.get(PointId.of(e.getKey()));
      if (r == null || !Arrays.equals(r.vectors().get(CollectionCrashChild.DENSE),
          CollectionCrashChild.vector(e.getKey(), e.getValue()))
          || !Arrays.equals(r.vectors().get(CollectionCrashChild.MULTI),
              CollectionCrashChild.multi(e.getKey(), e.getValue()))
          || !Objects.equals(r.sparseVectors().get(CollectionCrashChild.SPARSE),
              CollectionCrashChild.sparse(e.getKey(), e.getValue()))) {
        return false;
      }
    }
    return true;
  }

  /** A sparse query's hits equal a brute-force scoring of {@code state} (IDF over the live points). */
  static void assertSparseSearch(Collection c, Map<Long, Long> state, Random rnd) {
    int[] idx = rnd.ints(0, 300).distinct().limit(1 + rnd.nextInt(6)).sorted().toArray();
    float[] val = new float[idx.length];
    Arrays.fill(val, 1f);
    SparseVector q = new SparseVector(idx, val);
    Map<Long, SparseVector> docs = new HashMap<>();
    state.forEach((id, v) -> {
      SparseVector s = CollectionCrashChild.sparse(id, v);
      if (s != null) {
        docs.put(id, s);
      }
    });
    float[] w = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      int term = idx[i];
      long n = docs.values().stream().filter(d -> Arrays.stream(d.indices()).anyMatch(t -> t == term)).count();
      w[i] = SparseSearcher.idf(docs.size(), n);
    }
    SparseVector weighted = new SparseVector(idx, w);
    List<Float> want = docs.values().stream()
        .filter(d -> Arrays.stream(d.indices()).anyMatch(t -> Arrays.binarySearch(idx, t) >= 0))
        .map(d -> d.dot(weighted)).sorted(Comparator.reverseOrder()).limit(10).toList();
    List<ScoredPoint> got = c.search(SparseSearchRequest.builder(q, CollectionCrashChild.SPARSE).limit(10).build());
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).score()).as("sparse hit %d of %s", i, q).isCloseTo(want.get(i), Offset.offset(1e-4f));
      SparseVector stored = CollectionCrashChild.sparse(((PointId.Num) got.get(i).id()).value(),
          state.get(((PointId.Num) got.get(i).id()).value()));
      assertThat(stored.dot(weighted)).isCloseTo(got.get(i).score(), Offset.offset(1e-4f));
    }
  }

  /** A MaxSim query's hits, exact and through the FDE graphs, score as brute force over {@code state} does. */
  static void assertMultiVectorSearch(Collection c, Map<Long, Long> state, Random rnd) {
    float[] q = new float[(1 + rnd.nextInt(3)) * CollectionCrashChild.MULTI_DIM];
    for (int i = 0; i < q.length; i++) {
      q[i] = rnd.nextFloat() * 2 - 1;
    }
    List<Float> want = new ArrayList<>();
    state.forEach((id, v) -> {
      float[] m = CollectionCrashChild.multi(id, v);
      if (m != null) {
        want.add(MultiVectors.maxSim(q, m, CollectionCrashChild.MULTI_DIM, Metric.DOT));
      }
    });
    want.sort(Comparator.reverseOrder());
    List<ScoredPoint> exact = c.search(MultiVectorSearchRequest.builder(q, CollectionCrashChild.MULTI).limit(10)
        .exact(true).build());
    assertThat(exact).hasSize(Math.min(10, want.size()));
    for (int i = 0; i < exact.size(); i++) {
      assertThat(exact.get(i).score()).as("MaxSim hit %d", i).isCloseTo(want.get(i), Offset.offset(1e-4f));
    }
    for (ScoredPoint h : c.search(MultiVectorSearchRequest.builder(q, CollectionCrashChild.MULTI).limit(10)
        .candidates(20).build())) {
      long id = ((PointId.Num) h.id()).value();
      assertThat(MultiVectors.maxSim(q, CollectionCrashChild.multi(id, state.get(id)), CollectionCrashChild.MULTI_DIM,
          Metric.DOT)).as("graph hit %s", h.id()).isCloseTo(h.score(), Offset.offset(1e-4f));
    }
  }
}
