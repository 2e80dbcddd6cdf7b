package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed segments with quantized codes: recall with rerank for every kind and metric, persistence, query params. */
class QuantizedSearchTest extends RandomizedTest {
  @TempDir Path dir;

  private static final QuantizationConfig[] KINDS = {QuantizationConfig.int8(1f), QuantizationConfig.float16(),
      QuantizationConfig.binary(), QuantizationConfig.product(8)};

  /** How far below the float32 walk's recall (same data, same ef) a reranked quantized walk may land. */
  private static double allowedLoss(QuantizationConfig.Kind kind) {
    return switch (kind) {
      case INT8, FLOAT16 -> 0.04; // int8 DOT on this synthetic data measured up to 0.03 below float32
      case BINARY, PRODUCT -> 0.15; // 1 bit at 128-d: binary COSINE measured 0.12 below float32 here
    };
  }

  private Collection load(Quiver db, String name, float[][] base, Metric metric, QuantizationConfig q)
      throws Exception {
    Collection c = db.createCollection(name, CollectionConfig.builder()
        .vector(VectorParams.of(base[0].length, metric)).sealThreshold(base.length).quantization(q).build());
    List<Point> pts = new ArrayList<>();
    for (int i = 0; i < base.length; i++) {
      pts.add(Point.of(i, base[i], null));
    }
    c.upsert(pts);
    c.flush();
    return c;
  }

  private static double recall(Collection c, float[][] base, float[][] queries, Metric metric,
      SearchRequest.QuantizationParams qp) {
    double sum = 0;
    for (float[] q : queries) {
      int[] truth = TestVectors.exactTopK(metric, base, q, 10, i -> true);
      // ef 200: every collection here builds its own graph, and a wide beam keeps their recalls comparable
      List<ScoredPoint> hits = c.search(SearchRequest.builder(q).limit(10).ef(200).quantization(qp).build());
      int[] found = hits.stream().mapToInt(h -> (int) ((PointId.Num) h.id()).value()).toArray();
      sum += TestVectors.recall(found, truth);
    }
    return sum / queries.length;
  }

  @Test
  void rerankedRecallForEveryKindAndMetric() throws Exception {
    Random rnd = random();
    int dim = 128;
    float[][] base = TestVectors.clustered(rnd, 2_500, dim, 24);
    float[][] queries = TestVectors.clustered(rnd, 40, dim, 24);
    try (Quiver db = Quiver.open(dir)) {
      for (Metric metric : new Metric[] {Metric.L2, Metric.DOT, Metric.COSINE}) {
        Collection plain = load(db, "plain-" + metric, base, metric, null);
        double full = recall(plain, base, queries, metric, null);
        for (QuantizationConfig q : KINDS) {
          Collection c = load(db, ("q-" + q.kindName() + "-" + metric).toLowerCase(Locale.ROOT), base, metric, q);
          double r = recall(c, base, queries, metric, null);
          System.out.printf(Locale.ROOT, "quantized recall@10 %s %s: %.4f (float32 %.4f), codes %d bytes/vector%n",
              q.kindName(), metric, r, full, c.info().quantizedBytes() / base.length);
          assertThat(r).as("%s %s reranked recall", q.kindName(), metric).isGreaterThanOrEqualTo(
              full - allowedLoss(q.kind()));
          assertThat(c.info().quantizedBytes()).isPositive();
          // ignore = full precision walk: the unquantized collection's recall
          assertThat(recall(c, base, queries, metric, new SearchRequest.QuantizationParams(true, null, null)))
              .isGreaterThanOrEqualTo(full - 0.05);
          db.deleteCollection(c.name());
        }
        db.deleteCollection(plain.name());
      }
    }
  }

  @Test
  void codesSurviveReopenAndScoresAreExactAfterRescore() throws Exception {
    Random rnd = random();
    float[][] base = TestVectors.clustered(rnd, 2_000, 64, 10);
    float[][] queries = TestVectors.clustered(rnd, 10, 64, 10);
    List<List<ScoredPoint>> before = new ArrayList<>();
    long bytes;
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "q", base, Metric.L2, QuantizationConfig.int8(0.99f));
      bytes = c.info().quantizedBytes();
      assertThat(bytes).isEqualTo(2_000L * ((long) bytes / 2_000)).isGreaterThanOrEqualTo(2_000L * 64);
      for (float[] q : queries) {
        List<ScoredPoint> hits = c.search(SearchRequest.builder(q).limit(5).build());
        before.add(hits);
        for (ScoredPoint h : hits) { // reranked: the score is the exact one
          float[] v = base[(int) ((PointId.Num) h.id()).value()];
          assertThat((double) h.score()).isCloseTo(Metric.L2.toScore((float) TestVectors.distance(Metric.L2, q, v)),
              org.assertj.core.data.Offset.offset(1e-3));
        }
      }
      // without rescoring the codes' approximate scores come back
      List<ScoredPoint> approx = c.search(SearchRequest.builder(queries[0]).limit(5)
          .quantization(new SearchRequest.QuantizationParams(false, false, null)).build());
      assertThat(approx).hasSize(5);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".codes") || n.endsWith(".qparams")))
          .hasSize(2);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("q");
      assertThat(c.config().quantization()).isEqualTo(QuantizationConfig.int8(0.99f));
      assertThat(c.info().quantizedBytes()).isEqualTo(bytes);
      for (int i = 0; i < queries.length; i++) {
        assertThat(c.search(SearchRequest.builder(queries[i]).limit(5).build())).isEqualTo(before.get(i));
      }
    }
  }

  private List<String> codeFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".codes") || n.endsWith(".qparams")).sorted().toList();
    }
  }

  @Test
  void changingQuantizationReencodesSealedSegmentsAndSurvivesACrashHalfWay() throws Exception {
    Random rnd = random();
    int dim = 96;
    float[][] base = TestVectors.clustered(rnd, 3_000, dim, 12);
    float[][] queries = TestVectors.clustered(rnd, 20, dim, 12);
    double full;
    try (Quiver db = Quiver.open(dir)) {
      Collection c = load(db, "q", base, Metric.L2, null);
      full = recall(c, base, queries, Metric.L2, null);
      assertThat(c.info().quantizedBytes()).isZero();
      assertThat(codeFiles()).isEmpty();

      c.updateQuantization(QuantizationConfig.int8(1f));
      long int8Bytes = c.info().quantizedBytes();
      assertThat(int8Bytes).isGreaterThanOrEqualTo(3_000L * dim);
      assertThat(codeFiles()).hasSize(2);
      assertThat(c.info().storage().vectors().heap()).as("vectors moved to the mapped file").isLessThan(1_024);
      assertThat(c.info().storage().vectors().mapped()).isGreaterThanOrEqualTo(3_000L * dim * 4);
      assertThat(recall(c, base, queries, Metric.L2, null)).isGreaterThanOrEqualTo(full - allowedLoss(
          QuantizationConfig.Kind.INT8));
      // without rescoring the scores are the codes' own: they must differ from the exact ones somewhere
      List<ScoredPoint> approx = c.search(SearchRequest.builder(queries[0]).limit(10)
          .quantization(new SearchRequest.QuantizationParams(false, false, null)).build());
      List<ScoredPoint> exact = c.search(SearchRequest.builder(queries[0]).limit(10)
          .quantization(new SearchRequest.QuantizationParams(true, null, null)).build());
      assertThat(approx.stream().map(ScoredPoint::score).toList())
          .isNotEqualTo(exact.stream().map(ScoredPoint::score).toList());

      c.updateQuantization(QuantizationConfig.binary());
      assertThat(c.info().quantizedBytes()).isPositive().isLessThan(int8Bytes / 2); // 33 vs 100 bytes at 96-d
      assertThat(recall(c, base, queries, Metric.L2, null)).isGreaterThanOrEqualTo(full - allowedLoss(
          QuantizationConfig.Kind.BINARY));

      c.updateQuantization(null);
      assertThat(c.info().quantizedBytes()).isZero();
      assertThat(c.info().storage().codes()).isEqualTo(StorageUsage.Part.NONE);
      assertThat(c.info().storage().vectors().heap()).as("float32 vectors on the heap")
          .isGreaterThanOrEqualTo(3_000L * dim * 4);
      assertThat(codeFiles()).isEmpty();
      assertThat(recall(c, base, queries, Metric.L2, null)).isEqualTo(full);

      c.updateQuantization(QuantizationConfig.float16());
    }
    // a crash after the old codes file was deleted and before the new one was written: params alone are ignored,
    // and the optimizer re-encodes the segment at open
    Path codes;
    try (Stream<Path> files = Files.walk(dir)) {
      codes = files.filter(p -> p.getFileName().toString().endsWith(".codes")).findFirst().orElseThrow();
    }
    Files.delete(codes);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("q");
      assertThat(c.config().quantization()).isEqualTo(QuantizationConfig.float16());
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (c.info().quantizedBytes() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.info().quantizedBytes()).as("re-encoded by the optimizer").isEqualTo(3_000L * dim * 2);
      assertThat(Files.exists(codes)).isTrue();
      assertThat(recall(c, base, queries, Metric.L2, null)).isGreaterThanOrEqualTo(full - allowedLoss(
          QuantizationConfig.Kind.FLOAT16));
      // the segment opened without codes, so with its vectors on the heap: re-encoding moved them to the mapping
      assertThat(c.info().storage().vectors().heap()).isLessThan(1_024);
      assertThat(c.info().storage().vectors().mapped()).isGreaterThanOrEqualTo(3_000L * dim * 4);
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("q");
      // opened with codes: the full vectors are mapped, not on the heap; every part is on disk
      StorageUsage st = c.info().storage();
      System.out.println("storage after reopen: " + st);
      assertThat(st.codes().heap()).isEqualTo(3_000L * dim * 2);
      assertThat(st.codes().disk()).isGreaterThan(st.codes().heap());
      assertThat(st.vectors().heap()).isLessThan(1_024); // the mapping object only
      assertThat(st.vectors().mapped()).isGreaterThanOrEqualTo(3_000L * dim * 4);
      assertThat(st.vectors().disk() + st.graph().disk()).isGreaterThanOrEqualTo(3_000L * dim * 4);
      assertThat(st.graph().heap()).isPositive();
      assertThat(st.graph().disk()).isPositive();
      assertThat(st.payloads().disk()).isPositive();
      assertThat(st.heapBytes()).isEqualTo(st.vectors().heap() + st.graph().heap() + st.codes().heap()
          + st.payloads().heap());
    }
  }

  @Test
  void selectiveFiltersScanTheCodesThenRerank() throws Exception {
    Random rnd = random();
    int dim = 64;
    int n = 4_000;
    float[][] base = TestVectors.clustered(rnd, n, dim, 8);
    float[][] queries = TestVectors.clustered(rnd, 30, dim, 8);
    int[] group = new int[n];
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("q", CollectionConfig.builder().vector(VectorParams.of(dim, Metric.L2))
          .sealThreshold(n).payloadIndex("g", io.quiver.payload.FieldSchema.INTEGER)
          .quantization(QuantizationConfig.int8(1f)).build());
      List<Point> pts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        group[i] = rnd.nextInt(40); // 2.5% per group: the planner scans the matches
        pts.add(Point.of(i, base[i], com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
            .put("g", group[i])));
      }
      c.upsert(pts);
      c.flush();
      double sum = 0;
      for (float[] q : queries) {
        int g = rnd.nextInt(40);
        io.quiver.filter.Filter f = io.quiver.filter.Filter.must(new io.quiver.filter.Condition.Match("g",
            com.fasterxml.jackson.databind.node.IntNode.valueOf(g)));
        int[] truth = TestVectors.exactTopK(Metric.L2, base, q, 10, i -> group[i] == g);
        SearchExplain e = c.explain(SearchRequest.builder(q).limit(10).filter(f).build());
        assertThat(e.segments()).allSatisfy(p -> assertThat(p.strategy()).isEqualTo(SearchStrategy.EXACT));
        long matches = e.segments().stream().mapToLong(SegmentPlan::estimatedMatches).sum();
        // every match scored on its code, then the best limit x oversampling (10 x 2 for int8) reranked
        assertThat(e.segments().stream().mapToLong(SegmentPlan::distanceComputations).sum())
            .isEqualTo(matches + Math.min(matches, 20));
        int[] found = e.points().stream().mapToInt(h -> (int) ((PointId.Num) h.id()).value()).toArray();
        sum += TestVectors.recall(found, truth);
        for (ScoredPoint h : e.points()) { // reranked: exact scores
          float[] v = base[(int) ((PointId.Num) h.id()).value()];
          assertThat((double) h.score()).isCloseTo(Metric.L2.toScore((float) TestVectors.distance(Metric.L2, q, v)),
              org.assertj.core.data.Offset.offset(1e-3));
        }
        // exact: true never uses the codes
        List<ScoredPoint> exact = c.search(SearchRequest.builder(q).limit(10).filter(f).exact(true).build());
        assertThat(exact.stream().mapToInt(h -> (int) ((PointId.Num) h.id()).value()).toArray()).containsExactly(truth);
      }
      double recall = sum / queries.length;
      System.out.printf(Locale.ROOT, "int8 filtered scan + rerank recall@10: %.4f%n", recall);
      assertThat(recall).isGreaterThanOrEqualTo(0.98);
    }
  }

  @Test
  void corruptCodesAreDetectedAtOpen() throws Exception {
    float[][] base = TestVectors.clustered(random(), 500, 16, 4);
    try (Quiver db = Quiver.open(dir)) {
      load(db, "q", base, Metric.COSINE, QuantizationConfig.binary());
    }
    Path codes;
    try (Stream<Path> files = Files.walk(dir)) {
      codes = files.filter(p -> p.getFileName().toString().endsWith(".codes")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(codes);
    b[b.length / 2] ^= 1;
    Files.write(codes, b);
    assertThatThrownBy(() -> {
      try (Quiver db = Quiver.open(dir)) {
        db.collection("q").info();
      }
    }).hasStackTraceContaining("CRC32C");
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThatThrownBy(() -> QuantizationConfig.product(12)).hasMessageContaining("compression");
    assertThatThrownBy(() -> QuantizationConfig.int8(0.2f)).hasMessageContaining("quantile");
    assertThatThrownBy(() -> CollectionConfig.builder().vector(VectorParams.of(4, Metric.L1))
        .quantization(QuantizationConfig.int8(0.99f)).build()).hasMessageContaining("L1");
    assertThatThrownBy(() -> new SearchRequest.QuantizationParams(false, true, 0.5)).hasMessageContaining("oversampling");
  }
}
