package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code query: {formula, defaults}} over prefetches, against the formula computed here from the prefetches. */
class FormulaQueryEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 300;
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir Path dir;
  private Random rnd;

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    long seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("FormulaQueryEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private ArrayNode vector() {
    ArrayNode v = JSON.createArrayNode();
    for (int d = 0; d < 4; d++) {
      v.add(rnd.nextFloat() - 0.5f);
    }
    return v;
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
    ObjectNode body = JSON.createObjectNode();
    ArrayNode points = body.putArray("points");
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      p.set("vector", vector());
      ObjectNode payload = p.putObject("payload");
      if (rnd.nextInt(4) != 0) {
        payload.put("boost", rnd.nextInt(10) / 4.0);
      }
      payload.put("tag", rnd.nextBoolean() ? "x" : "y");
      payload.put("t", T0.plusSeconds(rnd.nextInt(10 * 86400)).toString());
      payload.putObject("geo").put("lat", rnd.nextDouble() * 20).put("lon", rnd.nextDouble() * 20);
    }
    s.ok("PUT", "/collections/c/points?wait=true", body.toString());
  }

  @Test
  void formulaRanksThePrefetchedPointsByItsValue() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 10; iter++) {
        ArrayNode q0 = vector();
        ArrayNode q1 = vector();
        int limit = 1 + rnd.nextInt(20);
        String formula = "{\"sum\":[\"$score\",{\"mult\":[0.5,\"boost\"]},{\"mult\":[0.25,{\"key\":\"tag\","
            + "\"match\":{\"value\":\"x\"}}]},\"$score[1]\",{\"gauss_decay\":{\"x\":{\"geo_distance\":{\"origin\":"
            + "{\"lat\":10,\"lon\":10},\"to\":\"geo\"}},\"scale\":500000}},{\"exp_decay\":{\"x\":{\"datetime_key\":"
            + "\"t\"},\"target\":{\"datetime\":\"" + T0 + "\"},\"scale\":86400,\"midpoint\":0.5}}]}";
        String request = "{\"prefetch\":[{\"query\":" + q0 + ",\"limit\":40},{\"query\":" + q1 + ",\"limit\":25}],"
            + "\"query\":{\"formula\":" + formula + ",\"defaults\":{\"boost\":1.5,\"$score[1]\":-0.125}},"
            + "\"limit\":" + limit + "}";
        JsonNode got = s.ok("POST", "/collections/c/points/query", request).get("points");

        List<JsonNode> l0 = list(s, q0, 40);
        List<JsonNode> l1 = list(s, q1, 25);
        Map<Integer, double[]> scores = new HashMap<>();
        Map<Integer, JsonNode> payloads = new HashMap<>();
        Set<Integer> ids = new LinkedHashSet<>();
        for (int i = 0; i < 2; i++) {
          for (JsonNode p : i == 0 ? l0 : l1) {
            int id = p.get("id").asInt();
            ids.add(id);
            payloads.put(id, p.get("payload"));
            scores.computeIfAbsent(id, k -> new double[] {0, -0.125})[i] = p.get("score").floatValue();
          }
        }
        List<double[]> expected = new ArrayList<>(); // {id, value}
        for (int id : ids) {
          JsonNode pl = payloads.get(id);
          double v = scores.get(id)[0] + 0.5 * (pl.has("boost") ? pl.get("boost").doubleValue() : 1.5)
              + (pl.get("tag").asText().equals("x") ? 0.25 : 0) + scores.get(id)[1];
          JsonNode geo = pl.get("geo");
          double dist = haversine(10, 10, geo.get("lat").doubleValue(), geo.get("lon").doubleValue());
          v += Math.pow(0.5, (dist / 500000) * (dist / 500000));
          double days = Math.abs(Instant.parse(pl.get("t").asText()).getEpochSecond() - T0.getEpochSecond()) / 86400.0;
          v += Math.pow(0.5, days);
          expected.add(new double[] {id, (float) v});
        }
        expected.sort(Comparator.comparingDouble((double[] e) -> -e[1]));
        assertThat(got.size()).isEqualTo(Math.min(limit, expected.size()));
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).get("score").doubleValue()).as("rank %d of %s", i, request)
              .isCloseTo(expected.get(i)[1], offset(1e-4));
          if (i + 1 >= expected.size() || expected.get(i)[1] - expected.get(i + 1)[1] > 1e-4
              && (i == 0 || expected.get(i - 1)[1] - expected.get(i)[1] > 1e-4)) {
            assertThat(got.get(i).get("id").asInt()).as("rank %d", i).isEqualTo((int) expected.get(i)[0]);
          }
        }
      }
    }
  }

  @Test
  void formulaInANestedPrefetchAndInQueryGroups() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      ArrayNode q = vector();
      List<JsonNode> top = list(s, q, 40);
      // inner level: the identity formula keeps the order; outer: negating ranks the 40 from the lowest score up
      JsonNode got = s.ok("POST", "/collections/c/points/query", "{\"prefetch\":{\"prefetch\":{\"query\":" + q
          + ",\"limit\":40},\"query\":{\"formula\":\"$score\"},\"limit\":40},"
          + "\"query\":{\"formula\":{\"neg\":\"$score\"}},\"limit\":5,\"score_threshold\":-1000}").get("points");
      assertThat(got).hasSize(5);
      for (int i = 0; i < 5; i++) {
        JsonNode want = top.get(top.size() - 1 - i);
        assertThat(got.get(i).get("score").floatValue()).isEqualTo(-want.get("score").floatValue());
      }
      JsonNode groups = s.ok("POST", "/collections/c/points/query/groups", "{\"prefetch\":{\"query\":" + q
          + ",\"limit\":40},\"query\":{\"formula\":{\"mult\":[\"$score\",{\"key\":\"tag\",\"match\":"
          + "{\"value\":\"x\"}}]}},\"group_by\":\"tag\",\"group_size\":2,\"limit\":2}").get("groups");
      assertThat(groups.size()).isEqualTo(2);
      assertThat(groups.get(0).get("id").asText()).as("x points keep their score, y points get 0").isEqualTo("x");
    }
  }

  private static List<JsonNode> list(ServerHarness s, ArrayNode q, int limit) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    s.ok("POST", "/collections/c/points/query", "{\"query\":" + q + ",\"limit\":" + limit + ",\"with_payload\":true}")
        .get("points").forEach(out::add);
    return out;
  }

  private static double haversine(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double h = Math.pow(Math.sin((p2 - p1) / 2), 2)
        + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(Math.toRadians(lon2 - lon1) / 2), 2);
    return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
  }

  @Test
  void badFormulasAre400sNamingThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      JsonNode before = s.ok("POST", "/collections/c/points/scroll", "{\"limit\":1000,\"with_payload\":true}");
      String prefetch = "\"prefetch\":{\"query\":[0.1,0.2,0.3,0.4],\"limit\":20},";
      assertThat(s.error("POST", "/collections/c/points/query",
          "{\"query\":{\"formula\":\"$score\"}}", 400)).contains("cannot apply Formula without prefetches");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{" + prefetch + "\"query\":{\"formula\":{\"sum\":[1,{\"div\":{\"left\":1}}]}}}", 400))
          .contains("body.query.formula.sum[1].div.right: required");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{" + prefetch + "\"query\":{\"formula\":{\"ln\":{\"neg\":{\"abs\":\"$score\"}}},\"defaults\":{}}}", 400))
          .contains("body.query.formula.ln: ln(").contains("is not a finite number");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{" + prefetch + "\"query\":{\"formula\":{\"mult\":[2,\"missing\"]}}}", 400))
          .contains("body.query.formula.mult[1]: no value for \"missing\"");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{" + prefetch + "\"query\":{\"formula\":{\"sum\":[{\"key\":\"tag\",\"match\":{}}]}}}", 400))
          .contains("body.query.formula.sum[0]: invalid condition");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{" + prefetch + "\"query\":{\"formula\":1,\"defaults\":{\"$rank\":1}}}", 400))
          .contains("body.query.defaults.$rank: invalid reserved variable");
      assertThat(s.ok("POST", "/collections/c/points/scroll", "{\"limit\":1000,\"with_payload\":true}"))
          .isEqualTo(before);
    }
  }
}
