package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** {@link AnnEngine#searchAll}'s default and how {@link BenchCommand} times passes through it. */
class SearchAllTest {

  /** Answers query i (its first component) with ids i, i+1, ...; each search takes at least {@code sleepNanos}. */
  static class FakeEngine implements AnnEngine {
    final List<Integer> efs = new ArrayList<>();
    final long sleepNanos;

    FakeEngine(long sleepNanos) {
      this.sleepNanos = sleepNanos;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) {}

    @Override
    public int[] search(float[] query, int k, int ef) {
      efs.add(ef);
      long until = System.nanoTime() + sleepNanos;
      while (System.nanoTime() < until) {
        LockSupport.parkNanos(until - System.nanoTime());
      }
      int[] ids = new int[k];
      for (int j = 0; j < k; j++) {
        ids[j] = (int) query[0] + j;
      }
      return ids;
    }
  }

  private static float[][] queries(int n) {
    float[][] q = new float[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = i;
    }
    return q;
  }

  @Test
  void defaultSearchAllCallsSearchInOrderAndTimesEachCallAndThePass() {
    FakeEngine engine = new FakeEngine(200_000);
    long before = System.nanoTime();
    AnnEngine.BatchResult r = engine.searchAll(queries(20), 3, 17);
    long wall = System.nanoTime() - before;

    assertThat(r.ids()).hasNumberOfRows(20);
    for (int i = 0; i < 20; i++) {
      assertThat(r.ids()[i]).containsExactly(i, i + 1, i + 2);
    }
    assertThat(engine.efs).hasSize(20).containsOnly(17);
    long sum = 0;
    for (long l : r.latencyNanos()) {
      assertThat(l).isGreaterThanOrEqualTo(200_000);
      sum += l;
    }
    assertThat(r.latencyNanos()).hasSize(20);
    // The pass is the loop's wall time: at least the calls it timed, at most the time around searchAll.
    assertThat(r.passNanos()).isGreaterThanOrEqualTo(sum).isLessThanOrEqualTo(wall);
  }

  @Test
  void measureTakesThePassTimeAndLatenciesFromSearchAll() {
    // An engine that, like a helper process, reports its own times: 100 queries in exactly 50 ms, 0.5 ms each.
    FakeEngine reporting = new FakeEngine(0) {
      int calls;

      @Override
      public BatchResult searchAll(float[][] queries, int k, int ef) {
        calls++;
        int[][] ids = new int[queries.length][];
        long[] lat = new long[queries.length];
        for (int i = 0; i < queries.length; i++) {
          ids[i] = new int[] {i};
          lat[i] = 500_000;
        }
        return new BatchResult(ids, lat, 50_000_000L);
      }
    };
    float[][] q = queries(100);
    int[][] gt = new int[100][];
    for (int i = 0; i < 100; i++) {
      gt[i] = new int[] {i};
    }
    BenchCommand bench = new BenchCommand();
    bench.queryOptions.k = 1;
    bench.runOptions.warmup = 0;
    bench.queryOptions.runs = 3;
    BenchCommand.Row row = bench.measure(reporting, new Dataset("t", q, q, gt, Metric.L2), new BuildParams(16, 100, 1),
        40, 1.0, -1);
    assertThat(row.qps()).isEqualTo(2000.0); // 100 queries / 0.05 s
    assertThat(row.p50Ms()).isEqualTo(0.5);
    assertThat(row.p99Ms()).isEqualTo(0.5);
    assertThat(row.recall()).isEqualTo(1.0);
    assertThat(reporting.efs).isEmpty(); // search() never called: warm-up goes through searchAll too
  }

  @Test
  void measureOfAnInJvmEngineUsesWallTimeAndSearchesWarmUpPlusRunsPasses() {
    FakeEngine engine = new FakeEngine(100_000);
    float[][] q = queries(10);
    int[][] gt = new int[10][];
    for (int i = 0; i < 10; i++) {
      gt[i] = new int[] {i, i + 1, 99};
    }
    BenchCommand bench = new BenchCommand();
    bench.queryOptions.k = 3;
    bench.runOptions.warmup = 0; // one warm-up pass still
    bench.queryOptions.runs = 2;
    BenchCommand.Row row = bench.measure(engine, new Dataset("t", q, q, gt, Metric.L2), new BuildParams(16, 100, 1),
        2, 1.0, -1);
    assertThat(engine.efs).hasSize(30).containsOnly(3); // (1 warm-up + 2 runs) x 10 queries, beam max(ef, k)
    assertThat(row.recall()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(row.qps()).isPositive().isLessThanOrEqualTo(10 / 0.001); // each query took >= 0.1 ms
    assertThat(row.p50Ms()).isGreaterThanOrEqualTo(0.1);
  }
}
