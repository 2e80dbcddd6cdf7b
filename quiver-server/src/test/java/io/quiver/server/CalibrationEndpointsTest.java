package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.calibration.ConformalQuantile;
import io.quiver.distance.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /quiver/collections/{c}/calibration} and {@code params.quiver_conformal_alpha}: thresholds against the
 * conformal quantile of brute-force pair scores, searches that return exactly the points past them, and the errors.
 */
class CalibrationEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 200;
  private static final int DIM = 6;

  @TempDir Path dir;
  private Random rnd;
  private final float[][] cosine = new float[N][];
  private final float[][] euclid = new float[N][];

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    long seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("CalibrationEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private float[] vector() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static ArrayNode json(float[] v) {
    ArrayNode a = JSON.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", "{\"vectors\":{\"d\":{\"size\":" + DIM + ",\"distance\":\"Cosine\"},"
        + "\"e\":{\"size\":" + DIM + ",\"distance\":\"Euclid\"}},\"sparse_vectors\":{\"s\":{}}}");
    ArrayNode points = JSON.createArrayNode();
    for (int id = 0; id < N; id++) {
      cosine[id] = vector();
      euclid[id] = vector();
      ObjectNode v = points.addObject().put("id", id).putObject("vector");
      v.set("d", json(cosine[id]));
      v.set("e", json(euclid[id]));
      v.putObject("s").putArray("indices").add(id % 7).add(7 + id % 5);
      ((ObjectNode) v.get("s")).putArray("values").add(1.0).add(0.5 + rnd.nextFloat());
    }
    s.ok("PUT", "/collections/c/points?wait=true", JSON.createObjectNode().set("points", points).toString());
    if (rnd.nextBoolean()) {
      s.db.collection("c").flush();
    }
  }

  /** {@code count} queries by vector of the field, each with 1..3 random relevant ids; scores into {@code out}. */
  private ArrayNode queries(int count, Metric metric, float[][] points, List<Float> out) {
    ArrayNode qs = JSON.createArrayNode();
    for (int q = 0; q < count; q++) {
      float[] v = vector();
      ObjectNode o = qs.addObject();
      o.set("query", json(v));
      ArrayNode rel = o.putArray("relevant");
      for (int r = 1 + rnd.nextInt(3); r > 0; r--) {
        int id = rnd.nextInt(N);
        if (!rel.toString().matches(".*\\b" + id + "\\b.*")) {
          rel.add(id);
          out.add(metric.toScore(metric.distance(v, points[id])));
        }
      }
    }
    return qs;
  }

  private static float[] floats(List<Float> l) {
    float[] a = new float[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  @Test
  void calibratesAndQueriesReturnExactlyThePointsPastTheThreshold() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      List<Float> scores = new ArrayList<>();
      ObjectNode body = JSON.createObjectNode().put("using", "e");
      body.putArray("alpha").add(0.2).add(0.1);
      body.set("queries", queries(40, Metric.L2, euclid, scores));
      JsonNode r = s.ok("POST", "/quiver/collections/c/calibration", body.toString());
      assertThat(r.get("using").asText()).isEqualTo("e");
      assertThat(r.get("kind").asText()).isEqualTo("dense");
      assertThat(r.get("distance").asText()).isEqualTo("Euclid");
      assertThat(r.get("higher_is_better").asBoolean()).isFalse();
      assertThat(r.get("queries").asInt()).isEqualTo(40);
      assertThat(r.get("pairs").asInt()).isEqualTo(scores.size());
      assertThat(r.get("unreachable").asInt()).isZero();
      assertThat(r.has("holdout")).isFalse();
      JsonNode ts = r.get("thresholds");
      assertThat(ts).hasSize(2);
      assertThat(ts.get(0).get("alpha").asDouble()).isEqualTo(0.1);
      float t10 = ts.get(0).get("score_threshold").floatValue();
      assertThat(t10).isCloseTo(ConformalQuantile.threshold(floats(scores), 0.1, false),
          within(1e-4f));
      assertThat(ts.get(1).get("score_threshold").floatValue()).isLessThanOrEqualTo(t10);

      // a query asking for alpha 0.1 returns every point within the distance, up to the limit
      float[] q = vector();
      int within = 0;
      for (float[] p : euclid) {
        within += Metric.L2.toScore(Metric.L2.distance(q, p)) <= t10 ? 1 : 0;
      }
      ObjectNode query = JSON.createObjectNode().put("using", "e").put("limit", N);
      query.set("query", json(q));
      query.putObject("params").put("exact", true).put("quiver_conformal_alpha", 0.1);
      JsonNode points = s.ok("POST", "/collections/c/points/query", query.toString()).get("points");
      assertThat(Math.abs(points.size() - within)).as("rounding at the threshold").isLessThanOrEqualTo(1);
      points.forEach(p -> assertThat(p.get("score").floatValue()).isLessThanOrEqualTo(t10));
      query.put("limit", 3);
      assertThat(s.ok("POST", "/collections/c/points/query", query.toString()).get("points").size())
          .isEqualTo(Math.min(3, points.size()));
      // /points/search takes the same parameter
      ObjectNode search = JSON.createObjectNode().put("limit", N);
      search.putObject("vector").put("name", "e").set("vector", json(q));
      search.putObject("params").put("exact", true).put("quiver_conformal_alpha", 0.1);
      assertThat(s.ok("POST", "/collections/c/points/search", search.toString()).size()).isEqualTo(points.size());
      // by point id
      ObjectNode near = JSON.createObjectNode().put("using", "e").put("limit", N).put("query", 5);
      near.putObject("params").put("quiver_conformal_alpha", 0.2);
      float t20 = ts.get(1).get("score_threshold").floatValue();
      s.ok("POST", "/collections/c/points/query", near.toString()).get("points")
          .forEach(p -> assertThat(p.get("score").floatValue()).isLessThanOrEqualTo(t20));

      // recalibrating replaces; GET reads it back, DELETE drops it
      ObjectNode again = JSON.createObjectNode().put("using", "e").put("alpha", 0.3);
      again.set("queries", queries(20, Metric.L2, euclid, new ArrayList<>()));
      s.ok("POST", "/quiver/collections/c/calibration", again.toString());
      JsonNode got = s.ok("GET", "/quiver/collections/c/calibration?using=e", null);
      assertThat(got.get("thresholds")).hasSize(1);
      assertThat(got.get("thresholds").get(0).get("alpha").asDouble()).isEqualTo(0.3);
      assertThat(s.ok("GET", "/quiver/collections/c/calibration", null).get("calibrations")).hasSize(1);
      assertThat(s.error("POST", "/collections/c/points/query", query.toString(), 400))
          .contains("body.params.quiver_conformal_alpha: alpha 0.1 is not calibrated for vector 'e'; calibrated: [0.3]");
      assertThat(s.ok("DELETE", "/quiver/collections/c/calibration?using=e", null).asBoolean()).isTrue();
      assertThat(s.error("GET", "/quiver/collections/c/calibration?using=e", null, 404)).contains("not calibrated");
      assertThat(s.error("DELETE", "/quiver/collections/c/calibration?using=e", null, 404)).contains("not calibrated");
      assertThat(s.error("POST", "/collections/c/points/query", query.toString(), 400))
          .contains("vector 'e' of collection c is not calibrated");
    }
  }

  @Test
  void cosineWithHoldoutAndSparseFields() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      ObjectNode body = JSON.createObjectNode().put("using", "d").put("alpha", 0.1).put("holdout", 0.5)
          .put("seed", 42);
      body.set("queries", queries(60, Metric.COSINE, cosine, new ArrayList<>()));
      JsonNode r = s.ok("POST", "/quiver/collections/c/calibration", body.toString());
      assertThat(r.get("higher_is_better").asBoolean()).isTrue();
      assertThat(r.get("queries").asInt()).isEqualTo(30);
      assertThat(r.get("holdout").get("seed").asLong()).isEqualTo(42);
      assertThat(r.get("holdout").get("queries").asInt()).isEqualTo(30);
      assertThat(r.get("thresholds").get(0).get("holdout_coverage").asDouble()).isBetween(0.0, 1.0);
      assertThat(s.ok("POST", "/quiver/collections/c/calibration", body.toString())).as("the seed fixes the split")
          .isEqualTo(r);
      float t = r.get("thresholds").get(0).get("score_threshold").floatValue();
      ObjectNode query = JSON.createObjectNode().put("using", "d").put("limit", N);
      query.set("query", json(vector()));
      query.putObject("params").put("quiver_conformal_alpha", 0.1);
      s.ok("POST", "/collections/c/points/query", query.toString()).get("points")
          .forEach(p -> assertThat(p.get("score").floatValue()).isGreaterThanOrEqualTo(t));

      // a sparse field: queries by sparse vector and by point id
      ArrayNode qs = JSON.createArrayNode();
      for (int q = 0; q < 25; q++) {
        ObjectNode o = qs.addObject();
        if (q % 2 == 0) {
          o.putObject("query").putArray("indices").add(q % 7);
          ((ObjectNode) o.get("query")).putArray("values").add(1.0);
          o.putArray("relevant").add(q % 7 + 7 * rnd.nextInt(N / 7));
        } else {
          o.put("query", q);
          o.putArray("relevant").add((q + 7) % N);
        }
      }
      ObjectNode sparse = JSON.createObjectNode().put("using", "s").put("alpha", 0.2);
      sparse.set("queries", qs);
      JsonNode sr = s.ok("POST", "/quiver/collections/c/calibration", sparse.toString());
      assertThat(sr.get("kind").asText()).isEqualTo("sparse");
      assertThat(sr.has("distance")).isFalse();
      assertThat(sr.get("unreachable").asInt()).isZero(); // every relevant point shares the query's term
      float ts = sr.get("thresholds").get(0).get("score_threshold").floatValue();
      ObjectNode sq = JSON.createObjectNode().put("using", "s").put("limit", N);
      sq.putObject("query").putArray("indices").add(3);
      ((ObjectNode) sq.get("query")).putArray("values").add(1.0);
      sq.putObject("params").put("quiver_conformal_alpha", 0.2);
      JsonNode hits = s.ok("POST", "/collections/c/points/query", sq.toString()).get("points");
      hits.forEach(p -> assertThat(p.get("score").floatValue()).isGreaterThanOrEqualTo(ts));
      assertThat(s.ok("GET", "/quiver/collections/c/calibration", null).get("calibrations"))
          .extracting(n -> n.get("using").asText()).containsExactly("d", "s");
      assertThat(s.ok("DELETE", "/quiver/collections/c/calibration", null).asBoolean()).isTrue();
      assertThat(s.ok("GET", "/quiver/collections/c/calibration", null).get("calibrations")).isEmpty();
    }
  }

  @Test
  void badRequestsNameThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      ObjectNode good = JSON.createObjectNode().put("using", "d").put("alpha", 0.2);
      good.set("queries", queries(10, Metric.COSINE, cosine, new ArrayList<>()));
      JsonNode before = s.ok("POST", "/quiver/collections/c/calibration", good.toString());
      String q = good.get("queries").toString();
      String[][] cases = {
          {"{\"using\":\"d\",\"queries\":" + q + "}", "body.alpha: required"},
          {"{\"using\":\"d\",\"alpha\":1.5,\"queries\":" + q + "}", "body.alpha: expected a number in (0, 1)"},
          {"{\"using\":\"d\",\"alpha\":[0.1,\"x\"],\"queries\":" + q + "}", "body.alpha[1]: expected a number"},
          {"{\"using\":\"d\",\"alpha\":[],\"queries\":" + q + "}", "body.alpha: at least one"},
          {"{\"using\":\"d\",\"alpha\":0.01,\"queries\":" + q + "}", "body.alpha: alpha 0.01 needs at least 99"},
          {"{\"using\":\"d\",\"alpha\":[0.1,0.1],\"queries\":" + q + "}", "body.alpha: alpha 0.1 is given twice"},
          {"{\"using\":\"nope\",\"alpha\":0.2,\"queries\":" + q + "}", "Not existing vector name error: nope"},
          {"{\"using\":\"d\",\"alpha\":0.2}", "body.queries: required"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"queries\":[{\"query\":[1,2,3,4,5,6]}]}", "body.queries[0].relevant"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"queries\":[{\"query\":[1,2,3,4,5,6],\"relevant\":[]}]}",
              "body.queries[0].relevant: required"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"queries\":[{\"relevant\":[1]}]}", "body.queries[0].query: required"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"queries\":[{\"query\":[1,2,3,4,5,6],\"relevant\":[1],\"x\":1}]}",
              "body.queries[0]: unknown field `x`"},
          {"{\"using\":\"d\",\"alpha\":0.5,\"queries\":[{\"query\":[1,2,3,4,5,6],\"relevant\":[1,9999]}]}",
              "body.queries[0].relevant[1]: no point 9999"},
          {"{\"using\":\"d\",\"alpha\":0.5,\"queries\":[{\"query\":{\"indices\":[1],\"values\":[1]},\"relevant\":[1]}]}",
              "body.queries[0].query: a sparse query"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"holdout\":1,\"queries\":" + q + "}", "body.holdout: expected a fraction"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"seed\":3,\"queries\":" + q + "}", "body.seed: only with body.holdout"},
          {"{\"using\":\"d\",\"alpha\":0.2,\"extra\":3,\"queries\":" + q + "}", "body: unknown field `extra`"},
      };
      for (String[] c : cases) {
        assertThat(s.error("POST", "/quiver/collections/c/calibration", c[0], 400)).as(c[0]).contains(c[1]);
      }
      assertThat(s.error("POST", "/quiver/collections/nope/calibration", good.toString(), 404)).contains("nope");
      assertThat(s.ok("GET", "/quiver/collections/c/calibration?using=d", null)).as("nothing changed")
          .isEqualTo(before);

      String v = json(vector()).toString();
      String[][] queries = {
          {"{\"using\":\"d\",\"query\":" + v + ",\"score_threshold\":0.5,\"params\":{\"quiver_conformal_alpha\":0.2}}",
              "body.params.quiver_conformal_alpha: give score_threshold or quiver_conformal_alpha, not both"},
          {"{\"using\":\"d\",\"query\":" + v + ",\"params\":{\"quiver_conformal_alpha\":\"0.2\"}}",
              "body.params.quiver_conformal_alpha: expected a number in (0, 1)"},
          {"{\"using\":\"e\",\"query\":" + v + ",\"params\":{\"quiver_conformal_alpha\":0.2}}",
              "vector 'e' of collection c is not calibrated"},
          {"{\"using\":\"d\",\"query\":{\"recommend\":{\"positive\":[1]}},\"params\":{\"quiver_conformal_alpha\":0.2}}",
              "body.params.quiver_conformal_alpha: not supported"},
          {"{\"prefetch\":[{\"using\":\"d\",\"query\":" + v + "}],\"query\":{\"fusion\":\"rrf\"},"
              + "\"params\":{\"quiver_conformal_alpha\":0.2}}", "quiver_conformal_alpha"},
      };
      for (String[] c : queries) {
        assertThat(s.error("POST", "/collections/c/points/query", c[0], 400)).as(c[0]).contains(c[1]);
      }
    }
  }
}
