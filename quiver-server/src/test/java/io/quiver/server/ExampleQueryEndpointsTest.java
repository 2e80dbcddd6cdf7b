package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query: {recommend|discover|context}} and the older {@code /points/recommend|discover} against a brute-force
 * reference: every point scored in double precision by Qdrant's formulas (best_score's sigmoid of the best positive or
 * minus that of the best negative, sum_scores, discover's pair ranks plus the target's sigmoid, context's loss), and
 * average_vector against a plain exact nearest search by {@code 2·avg(pos) - avg(neg)}.
 */
class ExampleQueryEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 200;
  private static final int DIM = 6;
  private static final String[] METRICS = {"Cosine", "Dot", "Euclid", "Manhattan"};

  @TempDir Path dir;
  private long seed;
  private Random rnd;
  /** id → field → vector as stored (read back from the server), and id → tag. */
  private final Map<Integer, Map<String, double[]>> stored = new HashMap<>();
  private final Map<Integer, String> tags = new HashMap<>();

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("ExampleQueryEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private void fill(ServerHarness s) throws Exception {
    ObjectNode vectors = JSON.createObjectNode();
    for (String m : METRICS) {
      vectors.putObject(m).put("size", DIM).put("distance", m);
    }
    s.ok("PUT", "/collections/c", "{\"vectors\":" + vectors + "}");
    ArrayNode points = JSON.createArrayNode();
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      ObjectNode v = p.putObject("vector");
      for (String m : METRICS) {
        ArrayNode a = v.putArray(m);
        for (int i = 0; i < DIM; i++) {
          a.add(rnd.nextFloat() * 2 - 1);
        }
      }
      p.putObject("payload").put("tag", rnd.nextInt(3) == 0 ? "b" : "a");
    }
    s.ok("PUT", "/collections/c/points?wait=true", JSON.createObjectNode().set("points", points).toString());
    if (rnd.nextBoolean()) {
      s.db.collection("c").flush();
    }
    JsonNode all = s.ok("POST", "/collections/c/points/scroll", "{\"limit\":" + N
        + ",\"with_vector\":true,\"with_payload\":true}").get("points");
    for (JsonNode p : all) {
      Map<String, double[]> vs = new HashMap<>();
      for (String m : METRICS) {
        vs.put(m, doubles(p.get("vector").get(m)));
      }
      stored.put(p.get("id").intValue(), vs);
      tags.put(p.get("id").intValue(), p.get("payload").get("tag").asText());
    }
    assertThat(stored).hasSize(N);
  }

  /** A random example: a point id (recorded in {@code ids}) or a raw vector. */
  private JsonNode example(Set<Integer> ids) {
    if (rnd.nextBoolean()) {
      int id = rnd.nextInt(N);
      ids.add(id);
      return JSON.getNodeFactory().numberNode(id);
    }
    ArrayNode a = JSON.createArrayNode();
    for (int i = 0; i < DIM; i++) {
      a.add(rnd.nextFloat() * 2 - 1);
    }
    return a;
  }

  private ArrayNode examples(int n, Set<Integer> ids) {
    ArrayNode a = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      a.add(example(ids));
    }
    return a;
  }

  private ArrayNode pairs(int n, Set<Integer> ids) {
    ArrayNode a = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      a.addObject().<ObjectNode>set("positive", example(ids)).set("negative", example(ids));
    }
    return a;
  }

  @Test
  void scoredQueriesMatchABruteForceScan() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 60; iter++) {
        String using = METRICS[rnd.nextInt(METRICS.length)];
        String kind = List.of("best_score", "sum_scores", "discover", "context").get(rnd.nextInt(4));
        Set<Integer> ids = new HashSet<>();
        ObjectNode input = JSON.createObjectNode();
        ObjectNode query = JSON.createObjectNode();
        switch (kind) {
          case "discover" -> {
            input.set("target", example(ids));
            input.set("context", pairs(rnd.nextInt(4), ids));
            query.set("discover", input);
          }
          case "context" -> query.set("context", pairs(1 + rnd.nextInt(3), ids));
          default -> {
            int pos = rnd.nextInt(4);
            input.set("positive", examples(pos, ids));
            input.set("negative", examples(pos == 0 ? 1 + rnd.nextInt(2) : rnd.nextInt(3), ids));
            input.put("strategy", kind);
            query.set("recommend", input);
          }
        }
        boolean filtered = rnd.nextBoolean();
        int limit = 1 + rnd.nextInt(12);
        int offset = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0;
        ObjectNode body = JSON.createObjectNode().put("using", using).put("limit", limit).put("offset", offset);
        if (filtered) {
          body.set("filter", JSON.readTree("{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}]}"));
        }
        body.set("query", query);
        // a prefetch without a query passes the first `window` filtered points in id order to the example query
        int window = rnd.nextInt(3) == 0 ? 20 + rnd.nextInt(N) : 0;
        if (window > 0) {
          body.putObject("prefetch").put("limit", window);
        }
        String desc = "seed " + Long.toHexString(seed).toUpperCase() + ", request " + body;
        JsonNode got = s.ok("POST", "/collections/c/points/query", body.toString()).get("points");

        Map<Integer, Double> ref = new HashMap<>();
        int passed = 0;
        for (int id = 0; id < N; id++) {
          if (filtered && !tags.get(id).equals("a") || window > 0 && passed++ >= window) {
            continue;
          }
          if (!ids.contains(id)) {
            ref.put(id, reference(kind, query, using, stored.get(id).get(using)));
          }
        }
        List<Double> best = ref.values().stream().sorted(Comparator.reverseOrder()).toList();
        List<Double> want = best.subList(Math.min(offset, best.size()), Math.min(offset + limit, best.size()));
        assertThat(got.size()).as(desc).isEqualTo(want.size());
        for (int i = 0; i < got.size(); i++) {
          int id = got.get(i).get("id").intValue();
          double score = got.get(i).get("score").doubleValue();
          assertThat(ref).as(desc + ": point %s is no candidate", id).containsKey(id);
          assertThat(score).as(desc + ": score of %s", id).isCloseTo(ref.get(id), within(1e-4 * (1 + Math.abs(score))));
          assertThat(score).as(desc + ": rank %s", i).isCloseTo(want.get(i), within(1e-4 * (1 + Math.abs(score))));
        }
        if (!kind.equals("context") && window == 0) { // the older endpoint answers the same points
          ObjectNode old = body.deepCopy();
          old.remove("query");
          old.setAll((ObjectNode) query.get(kind.equals("discover") ? "discover" : "recommend"));
          String at = kind.equals("discover") ? "discover" : "recommend";
          JsonNode same = s.ok("POST", "/collections/c/points/" + at, old.toString());
          assertThat(same).as(desc).isEqualTo(got);
        }
      }
    }
  }

  @Test
  void averageVectorIsOneNearestSearchByTwiceThePositiveMeanMinusTheNegativeMean() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 30; iter++) {
        String using = METRICS[rnd.nextInt(METRICS.length)];
        Set<Integer> ids = new HashSet<>();
        ArrayNode pos = examples(1 + rnd.nextInt(3), ids);
        ArrayNode neg = examples(rnd.nextInt(3), ids);
        double[] q = mean(pos, using);
        if (!neg.isEmpty()) {
          double[] n = mean(neg, using);
          for (int i = 0; i < DIM; i++) {
            q[i] = 2 * q[i] - n[i];
          }
        }
        int limit = 1 + rnd.nextInt(10);
        ObjectNode body = JSON.createObjectNode().put("using", using).put("limit", limit);
        body.putObject("params").put("exact", true);
        ObjectNode reco = body.putObject("query").putObject("recommend");
        reco.set("positive", pos);
        reco.set("negative", neg);
        if (rnd.nextBoolean()) {
          reco.put("strategy", "average_vector");
        }
        JsonNode got = s.ok("POST", "/collections/c/points/query", body.toString()).get("points");
        ObjectNode plain = JSON.createObjectNode().put("using", using).put("limit", limit);
        plain.putObject("params").put("exact", true);
        ArrayNode qa = plain.putArray("query");
        for (double x : q) {
          qa.add((float) x);
        }
        ArrayNode except = JSON.createArrayNode();
        ids.forEach(except::add);
        plain.putObject("filter").putArray("must_not").addObject().set("has_id", except);
        JsonNode want = s.ok("POST", "/collections/c/points/query", plain.toString()).get("points");
        String desc = "seed " + Long.toHexString(seed).toUpperCase() + ", request " + body;
        assertThat(got.size()).as(desc).isEqualTo(want.size());
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).get("score").doubleValue()).as(desc)
              .isCloseTo(want.get(i).get("score").doubleValue(), within(1e-4));
        }
      }
    }
  }

  @Test
  void badExampleQueriesAre400sNamingThePath() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String q = "/collections/c/points/query";
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"negative\":[1]}}}", 400))
          .contains("body.query.recommend.positive");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"strategy\":\"best_score\"}}}",
          400)).contains("body.query.recommend");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"positive\":[1, 99999]}}}", 400))
          .contains("body.query.recommend.positive[1]").contains("99999");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"positive\":[[1,2]]}}}", 400))
          .contains("body.query.recommend.positive[0]").contains("dim");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"positive\":[1],"
          + "\"strategy\":\"best\"}}}", 400)).contains("body.query.recommend.strategy");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"recommend\":{\"positive\":[1],\"x\":1}}}", 400))
          .contains("body.query.recommend");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"discover\":{\"context\":[]}}}", 400))
          .contains("body.query.discover.target");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"discover\":{\"target\":1,"
          + "\"context\":[{\"positive\":2}]}}}", 400)).contains("body.query.discover.context[0].negative");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"context\":[]}}", 400))
          .contains("body.query.context");
      assertThat(s.error("POST", q, "{\"using\":\"nope\",\"query\":{\"context\":{\"positive\":1,\"negative\":2}}}",
          400)).contains("nope");
      assertThat(s.error("POST", "/collections/c/points/recommend", "{\"using\":\"Dot\",\"positive\":[5000]}", 400))
          .contains("body.positive[0]");
      assertThat(s.error("POST", "/collections/c/points/recommend/batch",
          "{\"searches\":[{\"using\":\"Dot\",\"positive\":[1]},{\"using\":\"Dot\"}]}", 400))
          .contains("body.searches[1].positive");
      // batch forms answer one list per request; example ids are never among the results
      JsonNode batch = s.ok("POST", "/collections/c/points/discover/batch", "{\"searches\":[{\"using\":\"Dot\","
          + "\"target\":3,\"context\":[{\"positive\":4,\"negative\":5}],\"limit\":200}]}");
      assertThat(batch.size()).isEqualTo(1);
      assertThat(batch.get(0).size()).isEqualTo(N - 3);
      batch.get(0).forEach(p -> assertThat(p.get("id").intValue()).isNotIn(3, 4, 5));
    }
  }

  @Test
  void recommendGroupsGroupTheRecommendRanking() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 10; iter++) {
        String using = METRICS[rnd.nextInt(METRICS.length)];
        Set<Integer> ids = new HashSet<>();
        ObjectNode body = JSON.createObjectNode().put("using", using);
        body.set("positive", examples(1 + rnd.nextInt(2), ids));
        body.set("negative", examples(rnd.nextInt(2), ids));
        body.put("strategy", List.of("best_score", "sum_scores").get(rnd.nextInt(2)));
        ObjectNode all = body.deepCopy().put("limit", N).put("with_payload", true);
        JsonNode ranked = s.ok("POST", "/collections/c/points/recommend", all.toString());
        int size = 1 + rnd.nextInt(3);
        ObjectNode grouped = body.deepCopy().put("group_by", "tag").put("group_size", size).put("limit", 2);
        JsonNode groups = s.ok("POST", "/collections/c/points/recommend/groups", grouped.toString()).get("groups");
        String desc = "seed " + Long.toHexString(seed).toUpperCase() + ", request " + grouped;
        assertThat(groups.size()).as(desc).isEqualTo(2);
        for (JsonNode g : groups) {
          List<JsonNode> want = new ArrayList<>();
          ranked.forEach(p -> {
            if (p.get("payload").get("tag").equals(g.get("id")) && want.size() < size) {
              want.add(p.get("id"));
            }
          });
          List<JsonNode> have = new ArrayList<>();
          g.get("hits").forEach(h -> have.add(h.get("id")));
          assertThat(have).as(desc).isEqualTo(want);
        }
      }
      assertThat(s.error("POST", "/collections/c/points/recommend/groups",
          "{\"using\":\"Dot\",\"positive\":[1],\"group_by\":\"tag\",\"group_size\":1}", 400))
          .contains("body.limit");
    }
  }

  private double[] mean(ArrayNode examples, String using) {
    double[] out = new double[DIM];
    for (JsonNode e : examples) {
      double[] v = e.isArray() ? doubles(e) : stored.get(e.intValue()).get(using);
      for (int i = 0; i < DIM; i++) {
        out[i] += v[i] / examples.size();
      }
    }
    return out;
  }

  private double reference(String kind, ObjectNode query, String using, double[] v) {
    switch (kind) {
      case "discover" -> {
        JsonNode d = query.get("discover");
        double rank = 0;
        for (JsonNode p : d.get("context")) {
          rank += sim(p.get("positive"), using, v) > sim(p.get("negative"), using, v) ? 1 : -1;
        }
        return rank + scaledSigmoid(sim(d.get("target"), using, v));
      }
      case "context" -> {
        double loss = 0;
        for (JsonNode p : query.get("context")) {
          loss += sigmoid(Math.min(sim(p.get("positive"), using, v) - sim(p.get("negative"), using, v)
              - Math.ulp(1f), 0));
        }
        return loss;
      }
      case "sum_scores" -> {
        double sum = 0;
        for (JsonNode p : query.get("recommend").get("positive")) {
          sum += sim(p, using, v);
        }
        for (JsonNode n : query.get("recommend").get("negative")) {
          sum -= sim(n, using, v);
        }
        return sum;
      }
      default -> {
        double maxPos = Double.NEGATIVE_INFINITY;
        for (JsonNode p : query.get("recommend").get("positive")) {
          maxPos = Math.max(maxPos, sim(p, using, v));
        }
        double maxNeg = Double.NEGATIVE_INFINITY;
        for (JsonNode n : query.get("recommend").get("negative")) {
          maxNeg = Math.max(maxNeg, sim(n, using, v));
        }
        return maxPos > maxNeg ? scaledSigmoid(maxPos) : -scaledSigmoid(maxNeg);
      }
    }
  }

  /** Qdrant's raw similarity of an example (id or vector) to a stored vector. */
  private double sim(JsonNode example, String using, double[] v) {
    double[] e = example.isArray() ? doubles(example) : stored.get(example.intValue()).get(using);
    double s = 0;
    switch (using) {
      case "Cosine" -> {
        double ne = 0;
        double nv = 0;
        for (int i = 0; i < DIM; i++) {
          s += e[i] * v[i];
          ne += e[i] * e[i];
          nv += v[i] * v[i];
        }
        s /= Math.sqrt(ne) * Math.sqrt(nv);
      }
      case "Dot" -> {
        for (int i = 0; i < DIM; i++) {
          s += e[i] * v[i];
        }
      }
      case "Euclid" -> {
        for (int i = 0; i < DIM; i++) {
          s -= (e[i] - v[i]) * (e[i] - v[i]);
        }
      }
      default -> {
        for (int i = 0; i < DIM; i++) {
          s -= Math.abs(e[i] - v[i]);
        }
      }
    }
    return s;
  }

  private static double sigmoid(double x) {
    return x / (1 + Math.abs(x));
  }

  private static double scaledSigmoid(double x) {
    return 0.5 * (sigmoid(x) + 1);
  }

  private static double[] doubles(JsonNode a) {
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).doubleValue();
    }
    return v;
  }
}
