package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import io.quiver.index.OrdinalFilter;
import io.quiver.payload.FieldSchema;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link BoundedScan} over the mutable segment returns exactly the plain {@link Scan}'s top k (the same ids with the
 * same scores, in the same order): after random inserts, overwrites and deletes, under filters and score thresholds, and while a writer
 * appends, overwrites and deletes during the scans (the codes are created by the first scan and then kept by the
 * writer, so both the catch-up and the incremental path race with reads).
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class MutableBoundedScanTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void boundedScanOfTheMutableSegmentEqualsThePlainScan() throws Exception {
    Random rnd = random();
    int dim = 8 + rnd.nextInt(250);
    // never sealed, graph deferred: every point stays in the mutable segment, as agent memory keeps its episodes
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, Metric.COSINE))
        .sealThreshold(1_000_000).indexingLag(1_000_000).mergeThreshold(0)
        .payloadIndex("r", FieldSchema.INTEGER).build();
    List<float[]> stored = new ArrayList<>();
    long nextId = 0;
    int bounded = 0;
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("c", cfg);
      nextId = insert(c, rnd, dim, stored, nextId, BoundedScan.MIN_POINTS + rnd.nextInt(2000));
      for (int round = 0; round < atLeast(6); round++) {
        switch (rnd.nextInt(3)) {
          case 0 -> nextId = insert(c, rnd, dim, stored, nextId, 1 + rnd.nextInt(1500));
          case 1 -> overwrite(c, rnd, dim, stored, nextId, 1 + rnd.nextInt(800));
          default -> {
            List<PointId> doomed = new ArrayList<>();
            for (int i = rnd.nextInt(600); i > 0; i--) {
              doomed.add(PointId.of(rnd.nextLong(nextId)));
            }
            c.delete(doomed);
          }
        }
        for (int q = 0; q < atLeast(8); q++) {
          float[] query = rnd.nextInt(3) == 0 ? stored.get(rnd.nextInt(stored.size())).clone()
              : TestVectors.randomVector(rnd, dim);
          int t = switch (rnd.nextInt(4)) {
            case 0 -> 1000;
            case 1 -> 500 + rnd.nextInt(500);
            case 2 -> 100 + rnd.nextInt(400);
            default -> 1 + rnd.nextInt(100);
          };
          Filter filter = t == 1000 ? null
              : FilterParser.parse("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":" + t + "}}]}");
          Float threshold = rnd.nextInt(4) == 0 ? (float) (rnd.nextDouble() * 0.9) : null;
          SearchRequest req = SearchRequest.builder(query).limit(1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 200))
              .filter(filter).scoreThreshold(threshold).exact(true).build();
          SearchExplain plain = withBoundedScan(false, () -> c.explain(req));
          SearchExplain fast = withBoundedScan(true, () -> c.explain(req));
          String what = "round " + round + " query " + q + " k=" + req.limit() + " r<" + t + " threshold=" + threshold;
          assertThat(ranked(fast.points())).as(what).isEqualTo(ranked(plain.points()));
          // a bounded scan scores every accepted point on codes plus at least one exactly: more than the plain scan
          if (cost(fast) > cost(plain)) {
            bounded++;
          }
        }
      }
    }
    assertThat(bounded).as("searches that went through the bounded scan").isPositive();
  }

  @Test
  void scansRacingAWriterSeeCodesConsistentWithTheirVectors() throws Exception {
    Random rnd = random();
    int dim = 8 + rnd.nextInt(250);
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(dim, Metric.COSINE)).build();
    MutableSegment seg = new MutableSegment(1, cfg);
    String field = seg.lanes().keySet().iterator().next();
    long base = seg.heapBytes();
    int initial = BoundedScan.MIN_POINTS + rnd.nextInt(3000);
    float[][] pool = TestVectors.clustered(rnd, 2000, dim, 4 + rnd.nextInt(8));
    for (int i = 0; i < initial; i++) {
      seg.append(point(i, pool[rnd.nextInt(pool.length)], rnd, dim));
    }
    int writes = atLeast(20_000);
    int readers = 2;
    int scans = atLeast(25);
    long writerSeed = rnd.nextLong();
    long[] readerSeeds = rnd.longs(readers).toArray();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService exec = Executors.newFixedThreadPool(readers + 1);
    try {
      List<Future<Integer>> tasks = new ArrayList<>();
      tasks.add(exec.submit(() -> { // the one writer: appends, overwrites (append + tombstone), deletes
        Random w = new Random(writerSeed);
        go.await();
        for (int i = 0; i < writes; i++) {
          int ord = seg.append(point(initial + i, pool[w.nextInt(pool.length)], w, dim));
          if (w.nextInt(4) == 0) {
            seg.markDeleted(w.nextInt(ord));
          }
          if (i % 64 == 0) {
            Thread.yield();
          }
        }
        return writes;
      }));
      for (long seed : readerSeeds) {
        tasks.add(exec.submit(() -> {
          Random r = new Random(seed);
          go.await();
          for (int s = 0; s < scans; s++) {
            compareOnce(seg, field, r, dim, pool, "scan " + s);
          }
          return scans;
        }));
      }
      go.countDown();
      for (Future<Integer> f : tasks) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      exec.shutdownNow();
    }
    // after the writer: once more over everything, and the codes are counted in the segment's heap
    compareOnce(seg, field, rnd, dim, pool, "after the writer");
    ExactScanCodes codes = seg.exactScanCodes(field, seg.ordinals());
    assertThat(codes.coded()).isEqualTo(seg.ordinals());
    assertThat(seg.heapBytes() - base).as("heap bytes beyond the empty segment")
        .isGreaterThanOrEqualTo(codes.ramBytes() + (long) seg.ordinals() * dim * Float.BYTES);
    assertThat(codes.ramBytes()).isGreaterThanOrEqualTo((long) seg.ordinals() * (dim + 12));
  }

  /**
   * One query scanned both ways over the same fixed set of ordinals: those below the count read now that a filter of
   * this scan's own accepts (not the live tombstones, which the writer changes between the two scans).
   */
  private static void compareOnce(MutableSegment seg, String field, Random r, int dim, float[][] pool, String what) {
    int n = seg.ordinals();
    int mod = 1 + r.nextInt(4);
    int rem = r.nextInt(mod);
    boolean[] dead = new boolean[n];
    for (int ord = 0; ord < n; ord++) {
      dead[ord] = seg.isDeleted(ord); // a snapshot: the tombstones as of this scan
    }
    OrdinalFilter accept = ord -> ord < n && !dead[ord] && ord % mod == rem;
    RoaringBitmap candidates = null;
    if (r.nextBoolean()) { // as a payload index hands over its matches, some beyond n
      candidates = new RoaringBitmap();
      candidates.add(0L, (long) n + 100);
      for (int i = r.nextInt(n / 4); i > 0; i--) {
        candidates.remove(r.nextInt(n));
      }
    }
    float[] q = r.nextBoolean() ? pool[r.nextInt(pool.length)].clone() : TestVectors.randomVector(r, dim);
    if (r.nextInt(4) == 0) {
      q[r.nextInt(dim)] += 1e-3f;
    }
    VectorUtil.normalize(q);
    int k = 1 + r.nextInt(r.nextBoolean() ? 10 : 100);
    float maxDistance = r.nextInt(4) == 0 ? r.nextFloat() : Float.POSITIVE_INFINITY;
    Hits fast = new Hits(k, maxDistance);
    new BoundedScan(seg, field, q, fast, k, maxDistance).run(candidates, accept);
    Hits plain = new Hits(k, maxDistance);
    new Scan(seg, field, q, plain).run(candidates, accept);
    assertThat(ranked(fast)).as(what + " k=" + k + " of " + n).isEqualTo(ranked(plain));
  }

  /** The hits in rank order (equal distances by ordinal, as {@link Hits} ranks them). */
  private static List<String> ranked(Hits hits) {
    return hits.sorted().stream().map(h -> h.ordinal() + ":" + h.distance()).toList();
  }

  private static List<String> ranked(List<ScoredPoint> points) {
    return points.stream().map(p -> p.id() + ":" + p.score()).toList();
  }

  private static long cost(SearchExplain e) {
    return e.segments().stream().mapToLong(SegmentPlan::distanceComputations).sum();
  }

  private interface Body<T> {
    T run() throws Exception;
  }

  private static <T> T withBoundedScan(boolean on, Body<T> body) throws Exception {
    String before = System.getProperty(BoundedScan.OFF);
    System.setProperty(BoundedScan.OFF, Boolean.toString(!on));
    try {
      return body.run();
    } finally {
      if (before == null) {
        System.clearProperty(BoundedScan.OFF);
      } else {
        System.setProperty(BoundedScan.OFF, before);
      }
    }
  }

  /** A stored vector with small noise half the time (near ties), or a stored one exactly (ties). */
  private static Point point(long id, float[] from, Random rnd, int dim) {
    float[] v = from.clone();
    if (rnd.nextBoolean()) {
      v[rnd.nextInt(dim)] += 1e-4f;
    }
    VectorUtil.normalize(v); // as the collection's validator stores cosine vectors
    return Point.of(id, v, null);
  }

  private static long insert(Collection c, Random rnd, int dim, List<float[]> stored, long nextId, int n) {
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = vectorFor(rnd, dim, stored);
      stored.add(v);
      batch.add(Point.of(nextId++, v, JSON.createObjectNode().put("r", rnd.nextInt(1000))));
      if (batch.size() == 500) {
        c.upsert(batch);
        batch.clear();
      }
    }
    c.upsert(batch);
    return nextId;
  }

  private static void overwrite(Collection c, Random rnd, int dim, List<float[]> stored, long nextId, int n) {
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = vectorFor(rnd, dim, stored);
      stored.add(v);
      batch.add(Point.of(rnd.nextLong(nextId), v, JSON.createObjectNode().put("r", rnd.nextInt(1000))));
    }
    c.upsert(batch);
  }

  /** A random vector, a copy of a stored one (an exact tie), or a stored one nudged (a near tie). */
  private static float[] vectorFor(Random rnd, int dim, List<float[]> stored) {
    int kind = stored.isEmpty() ? 0 : rnd.nextInt(5);
    if (kind == 0 || kind == 1) {
      return TestVectors.randomVector(rnd, dim);
    }
    float[] v = stored.get(rnd.nextInt(stored.size())).clone();
    if (kind == 2) {
      v[rnd.nextInt(dim)] += 1e-4f;
    }
    return v;
  }
}
