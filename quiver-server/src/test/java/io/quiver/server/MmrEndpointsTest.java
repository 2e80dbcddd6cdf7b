package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.SparseVector;
import io.quiver.distance.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query: {nearest, mmr}} against a brute-force greedy MMR over the same request's candidates: first the most
 * relevant, then argmax of {@code (1 - diversity)·sim(q, c) - diversity·max sim(c, selected)}, with Qdrant's raw
 * similarities (cosine, dot, minus squared Euclidean, minus Manhattan, sparse dot).
 */
class MmrEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 250;
  private static final int DIM = 8;

  @TempDir Path dir;
  private long seed;
  private Random rnd;

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("MmrEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private static final String[] METRICS = {"Cosine", "Dot", "Euclid", "Manhattan"};

  /** Points near ten cluster centres, so that the nearest ones are near-duplicates MMR should spread over. */
  private void fill(ServerHarness s) throws Exception {
    ObjectNode vectors = JSON.createObjectNode();
    for (String m : METRICS) {
      vectors.putObject(m).put("size", DIM).put("distance", m);
    }
    s.ok("PUT", "/collections/c", "{\"vectors\":" + vectors + ",\"sparse_vectors\":{\"s\":{}}}");
    float[][] centres = new float[10][DIM];
    for (float[] c : centres) {
      for (int i = 0; i < DIM; i++) {
        c[i] = rnd.nextFloat() * 2 - 1;
      }
    }
    ArrayNode points = JSON.createArrayNode();
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      ObjectNode v = p.putObject("vector");
      float[] c = centres[rnd.nextInt(centres.length)];
      for (String m : METRICS) {
        ArrayNode a = v.putArray(m);
        for (int i = 0; i < DIM; i++) {
          a.add(c[i] + (float) rnd.nextGaussian() * 0.05f);
        }
      }
      ObjectNode sv = v.putObject("s");
      int base = rnd.nextInt(10);
      for (int i = 0; i < 3; i++) {
        sv.withArray("indices").add(base * 3 + i);
        sv.withArray("values").add(0.5f + rnd.nextFloat());
      }
      p.putObject("payload").put("tag", rnd.nextInt(3) == 0 ? "b" : "a");
    }
    s.ok("PUT", "/collections/c/points?wait=true", JSON.createObjectNode().set("points", points).toString());
    if (rnd.nextBoolean()) {
      s.db.collection("c").flush();
    }
  }

  @Test
  void mmrMatchesTheBruteForceGreedySelection() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 40; iter++) {
        String using = rnd.nextInt(5) == 0 ? "s" : METRICS[rnd.nextInt(METRICS.length)];
        JsonNode query;
        if (using.equals("s")) {
          query = JSON.readTree("{\"indices\":[" + rnd.nextInt(30) + "," + (30 + rnd.nextInt(5))
              + "],\"values\":[1,0.5]}");
        } else {
          ArrayNode q = JSON.createArrayNode();
          for (int i = 0; i < DIM; i++) {
            q.add(rnd.nextFloat() * 2 - 1);
          }
          query = q;
        }
        int limit = 1 + rnd.nextInt(10);
        int offset = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0;
        int candidates = limit + offset + rnd.nextInt(60);
        float diversity = rnd.nextInt(5) == 0 ? 0f : rnd.nextInt(5) == 0 ? 1f : rnd.nextFloat();
        ObjectNode base = JSON.createObjectNode().put("using", using);
        base.putObject("params").put("exact", true);
        if (rnd.nextBoolean()) {
          base.set("filter", JSON.readTree("{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}]}"));
        }
        ObjectNode plain = base.deepCopy();
        plain.set("query", query);
        plain.put("limit", candidates);
        plain.putArray("with_vector").add(using);
        List<JsonNode> ranked = new ArrayList<>();
        s.ok("POST", "/collections/c/points/query", plain.toString()).get("points").forEach(ranked::add);

        ObjectNode mmr = base.deepCopy();
        ObjectNode qo = mmr.putObject("query");
        qo.set("nearest", query);
        qo.putObject("mmr").put("diversity", diversity).put("candidates_limit", candidates);
        mmr.put("limit", limit).put("offset", offset).put("with_payload", true);
        JsonNode got = s.ok("POST", "/collections/c/points/query", mmr.toString()).get("points");

        List<JsonNode> expected = greedy(ranked, query, using, 1f - diversity, offset + limit);
        expected = expected.subList(Math.min(offset, expected.size()), expected.size());
        List<String> want = new ArrayList<>();
        expected.forEach(p -> want.add(p.get("id") + ":" + p.get("score").floatValue()));
        List<String> have = new ArrayList<>();
        got.forEach(p -> have.add(p.get("id") + ":" + p.get("score").floatValue()));
        assertThat(have).as("seed %s, request %s", Long.toHexString(seed).toUpperCase(), mmr).isEqualTo(want);
        got.forEach(p -> assertThat(p.get("payload").has("tag")).isTrue());
        got.forEach(p -> assertThat(p.get("vector").isNull()).as("vectors were not asked for").isTrue());
        if (diversity == 0f) {
          List<String> nearest = new ArrayList<>();
          ranked.subList(Math.min(offset, ranked.size()), Math.min(offset + limit, ranked.size()))
              .forEach(p -> nearest.add(p.get("id") + ":" + p.get("score").floatValue()));
          assertThat(have).as("diversity 0 is the plain nearest order").isEqualTo(nearest);
        }
      }
    }
  }

  /** The greedy MMR selection over {@code ranked}, recomputing each candidate's max similarity every round. */
  private static List<JsonNode> greedy(List<JsonNode> ranked, JsonNode query, String using, float lambda, int k) {
    List<JsonNode> selected = new ArrayList<>();
    List<JsonNode> left = new ArrayList<>(ranked);
    if (left.size() < 2) {
      return left.subList(0, Math.min(k, left.size()));
    }
    while (selected.size() < k && !left.isEmpty()) {
      JsonNode best = null;
      float bestScore = 0;
      for (JsonNode c : left) {
        float relevance = sim(query, c.get("vector").get(using), using);
        float score = relevance;
        if (!selected.isEmpty()) {
          float max = Float.NEGATIVE_INFINITY;
          for (JsonNode sel : selected) {
            max = Math.max(max, sim(sel.get("vector").get(using), c.get("vector").get(using), using));
          }
          score = lambda * relevance - (1f - lambda) * max;
        }
        if (best == null || score > bestScore) {
          best = c;
          bestScore = score;
        }
      }
      selected.add(best);
      left.remove(best);
    }
    return selected;
  }

  private static float sim(JsonNode a, JsonNode b, String using) {
    if (using.equals("s")) {
      return sparse(a).sorted().dot(sparse(b).sorted());
    }
    Metric m = switch (using) {
      case "Cosine" -> Metric.COSINE;
      case "Dot" -> Metric.DOT;
      case "Euclid" -> Metric.L2;
      default -> Metric.L1;
    };
    float d = m.distance(floats(a), floats(b));
    return m == Metric.COSINE ? 1f - d : -d;
  }

  private static float[] floats(JsonNode a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).floatValue();
    }
    return v;
  }

  private static SparseVector sparse(JsonNode a) {
    int[] idx = new int[a.get("indices").size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = a.get("indices").get(i).intValue();
    }
    return SparseVector.of(idx, floats(a.get("values")));
  }

  @Test
  void badMmrRequestsAre400sNamingThePath() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String q = "/collections/c/points/query";
      String v = "[1,0,0,0,0,0,0,0]";
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":1.5}}}",
          400)).contains("body.query.mmr.diversity");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":-0.1}}}",
          400)).contains("body.query.mmr.diversity");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v
          + ",\"mmr\":{\"candidates_limit\":20000}}}", 400)).contains("body.query.mmr.candidates_limit");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v + ",\"mmr\":{\"lambda\":0.5}}}",
          400)).contains("body.query.mmr");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"mmr\":{}}}", 400))
          .contains("body.query.nearest");
      assertThat(s.error("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v + ",\"mmr\":{}},"
          + "\"prefetch\":{\"using\":\"Dot\",\"query\":" + v + "}}", 400)).contains("body.query.mmr");
      // defaults: diversity 0.5, candidates = limit; a point id as the query
      JsonNode byId = s.ok("POST", q, "{\"using\":\"Dot\",\"query\":{\"nearest\":7,\"mmr\":{}},\"limit\":4}");
      assertThat(byId.get("points").size()).isEqualTo(4);
      assertThat(byId.get("points").toString()).doesNotContain("\"id\":7,");
      // the same query in a batch, and grouped (every point has tag a or b: at most two groups)
      String one = "{\"using\":\"Dot\",\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":0.7}},\"limit\":5}";
      JsonNode single = s.ok("POST", q, one).get("points");
      JsonNode batch = s.ok("POST", q + "/batch", "{\"searches\":[" + one + "," + one + "]}");
      assertThat(batch.get(0).get("points")).isEqualTo(single);
      assertThat(batch.get(1).get("points")).isEqualTo(single);
      JsonNode groups = s.ok("POST", q + "/groups", one.replace("\"limit\":5", "\"group_by\":\"tag\",\"group_size\":2"))
          .get("groups");
      assertThat(groups.size()).isBetween(1, 2);
      assertThat(groups.get(0).get("hits").get(0).get("id")).isEqualTo(single.get(0).get("id"));
    }
  }
}
