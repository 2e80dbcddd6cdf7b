package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /points/query/groups} and {@code /points/search/groups} against a reference: the same request's full
 * ranking (itself checked against brute-force scores) grouped by the payload key in one pass.
 */
class GroupsEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 300;
  private static final int DIM = 8;

  @TempDir Path dir;
  private long seed;
  private Random rnd;
  private final Map<Integer, float[]> dense = new HashMap<>();
  private final Map<Integer, JsonNode> payloads = new HashMap<>();

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("GroupsEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  /** A group value: mostly an int or string, sometimes an array of both, missing, empty, or an ignored float. */
  private JsonNode groupValue() {
    int r = rnd.nextInt(12);
    return switch (r) {
      case 0 -> null;
      case 1 -> JSON.getNodeFactory().numberNode(1.5);
      case 2 -> JSON.createArrayNode();
      case 3, 4 -> {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
          if (rnd.nextBoolean()) {
            a.add(rnd.nextInt(15));
          } else {
            a.add("g" + rnd.nextInt(15));
          }
        }
        yield a;
      }
      case 5, 6, 7 -> JSON.getNodeFactory().numberNode(rnd.nextInt(15));
      default -> JSON.getNodeFactory().textNode("g" + rnd.nextInt(15));
    };
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", "{\"vectors\":{\"d\":{\"size\":" + DIM + ",\"distance\":\"Dot\"}},"
        + "\"sparse_vectors\":{\"s\":{}}}");
    ArrayNode points = JSON.createArrayNode();
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject();
      p.put("id", id);
      ObjectNode v = p.putObject("vector");
      float[] d = new float[DIM];
      ArrayNode dv = v.putArray("d");
      for (int i = 0; i < DIM; i++) {
        d[i] = rnd.nextFloat() * 2 - 1;
        dv.add(d[i]);
      }
      dense.put(id, d);
      ObjectNode sv = v.putObject("s");
      Set<Integer> idx = new LinkedHashSet<>();
      for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
        idx.add(rnd.nextInt(12));
      }
      idx.forEach(sv.withArray("indices")::add);
      idx.forEach(i -> sv.withArray("values").add(rnd.nextFloat()));
      ObjectNode payload = p.putObject("payload");
      JsonNode g = groupValue();
      if (g != null) {
        payload.set("doc", g);
      }
      payload.put("tag", rnd.nextBoolean() ? "a" : "b");
      payloads.put(id, payload);
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("points", points);
    s.ok("PUT", "/collections/c/points?wait=true", body.toString());
    if (rnd.nextBoolean()) {
      s.db.collection("c").flush(); // sealed segments too
    }
  }

  private float[] randomVector() {
    float[] q = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      q[i] = rnd.nextFloat() * 2 - 1;
    }
    return q;
  }

  private static ArrayNode array(float[] v) {
    ArrayNode a = JSON.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  @Test
  void groupsMatchTheGroupedFullRanking() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 40; iter++) {
        boolean search = rnd.nextInt(3) == 0;
        int kind = search ? rnd.nextInt(2) : rnd.nextInt(3); // 0 dense, 1 sparse, 2 prefetch + rrf
        int groupSize = 1 + rnd.nextInt(4);
        int limit = 1 + rnd.nextInt(8);
        ObjectNode filter = rnd.nextBoolean() ? null
            : (ObjectNode) JSON.readTree("{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}]}");
        float[] q = randomVector();
        ObjectNode ranking = JSON.createObjectNode(); // the request without grouping
        ObjectNode sparse = (ObjectNode) JSON.readTree("{\"indices\":[" + rnd.nextInt(12) + "," + (12 + rnd.nextInt(3))
            + "," + rnd.nextInt(12) / 2 * 2 + "],\"values\":[1,2,0.5]}");
        if (sparse.get("indices").get(0).equals(sparse.get("indices").get(2))) {
          sparse.withArray("indices").remove(2);
          sparse.withArray("values").remove(2);
        }
        if (search) {
          ObjectNode named = ranking.putObject("vector");
          named.put("name", kind == 0 ? "d" : "s");
          named.set("vector", kind == 0 ? array(q) : sparse);
        } else if (kind == 2) {
          ArrayNode pre = ranking.putArray("prefetch");
          pre.addObject().put("using", "d").put("limit", 40 + rnd.nextInt(80)).set("query", array(q));
          pre.addObject().put("using", "s").put("limit", 40 + rnd.nextInt(80)).set("query", sparse);
          ranking.putObject("query").put("fusion", "rrf");
        } else {
          ranking.put("using", kind == 0 ? "d" : "s");
          ranking.set("query", kind == 0 ? array(q) : sparse);
        }
        ranking.putObject("params").put("exact", true);
        if (filter != null) {
          ranking.set("filter", filter);
        }
        boolean withPayload = rnd.nextBoolean();
        boolean withVector = rnd.nextInt(4) == 0;
        String endpoint = search ? "/collections/c/points/search" : "/collections/c/points/query";

        ObjectNode full = ranking.deepCopy();
        full.put("limit", N).put("with_payload", true);
        JsonNode all = s.ok("POST", endpoint, full.toString());
        JsonNode allPoints = search ? all : all.get("points");
        if (kind == 0) {
          checkBruteForce(allPoints, q, filter != null);
        }
        Map<String, List<Integer>> expected = group(allPoints, limit, groupSize);

        ObjectNode grouped = ranking.deepCopy();
        grouped.put("group_by", "doc").put("group_size", groupSize).put("limit", limit)
            .put("with_payload", withPayload).put("with_vector", withVector);
        JsonNode result = s.ok("POST", endpoint + "/groups", grouped.toString());
        Map<String, List<Integer>> actual = new LinkedHashMap<>();
        for (JsonNode g : result.get("groups")) {
          List<Integer> hits = new ArrayList<>();
          for (JsonNode h : g.get("hits")) {
            hits.add(h.get("id").asInt());
            if (withPayload) {
              assertThat(h.get("payload")).isEqualTo(payloads.get(h.get("id").asInt()));
            } else {
              assertThat(h.get("payload").isNull()).isTrue();
            }
            assertThat(h.get("vector") != null && !h.get("vector").isNull()).isEqualTo(withVector);
          }
          actual.put(g.get("id").toString(), hits);
          assertThat(g.has("lookup")).isFalse();
        }
        assertThat(actual).as("seed %s, request %s", Long.toHexString(seed), grouped)
            .containsExactlyEntriesOf(expected);
      }
    }
  }

  /** The full dense ranking has every (matching) point once, in score order, with its brute-force dot product. */
  private void checkBruteForce(JsonNode points, float[] q, boolean onlyTagA) {
    int expectedCount = 0;
    for (int id = 0; id < N; id++) {
      expectedCount += !onlyTagA || payloads.get(id).get("tag").asText().equals("a") ? 1 : 0;
    }
    assertThat(points.size()).isEqualTo(expectedCount);
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode p : points) {
      float[] v = dense.get(p.get("id").asInt());
      double dot = 0;
      for (int i = 0; i < DIM; i++) {
        dot += (double) v[i] * q[i];
      }
      assertThat(p.get("score").asDouble()).isCloseTo(dot, Offset.offset(1e-4));
      assertThat(p.get("score").asDouble()).isLessThanOrEqualTo(previous);
      previous = p.get("score").asDouble();
    }
  }

  /** One pass over a ranking: a point joins the group of each distinct string or integer value of {@code doc}. */
  private static Map<String, List<Integer>> group(JsonNode ranking, int limit, int groupSize) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (JsonNode p : ranking) {
      JsonNode doc = p.get("payload").get("doc");
      List<JsonNode> values = new ArrayList<>();
      if (doc != null) {
        (doc.isArray() ? doc : JSON.createArrayNode().add(doc)).forEach(values::add);
      }
      Set<String> seen = new LinkedHashSet<>();
      for (JsonNode v : values) {
        if (!(v.isTextual() || v.isIntegralNumber()) || !seen.add(v.toString())) {
          continue;
        }
        List<Integer> g = groups.get(v.toString());
        if (g == null && groups.size() < limit) {
          g = new ArrayList<>();
          groups.put(v.toString(), g);
        }
        if (g != null && g.size() < groupSize) {
          g.add(p.get("id").asInt());
        }
      }
    }
    return groups;
  }

  @Test
  void withLookupAttachesThePointWithTheGroupId() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      s.ok("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      ArrayNode docs = JSON.createArrayNode();
      for (int id = 0; id < 10; id++) { // docs 10..14 do not exist
        docs.addObject().put("id", id).set("vector", array(new float[] {id, 1}));
        ((ObjectNode) docs.get(id)).putObject("payload").put("title", "doc " + id);
      }
      s.ok("PUT", "/collections/docs/points?wait=true", JSON.createObjectNode().set("points", docs).toString());
      String q = array(randomVector()).toString();
      for (String lookup : List.of("\"docs\"", "{\"collection\":\"docs\"}",
          "{\"collection\":\"docs\",\"with_payload\":false,\"with_vectors\":true}")) {
        JsonNode r = s.ok("POST", "/collections/c/points/query/groups", "{\"query\":" + q
            + ",\"using\":\"d\",\"group_by\":\"doc\",\"limit\":30,\"group_size\":1,\"with_lookup\":" + lookup + "}");
        int looked = 0;
        for (JsonNode g : r.get("groups")) {
          JsonNode id = g.get("id");
          boolean exists = id.isIntegralNumber() && id.asInt() < 10;
          assertThat(g.has("lookup")).as("group %s", id).isEqualTo(exists);
          if (exists) {
            looked++;
            JsonNode l = g.get("lookup");
            assertThat(l.get("id").asInt()).isEqualTo(id.asInt());
            if (lookup.contains("false")) {
              assertThat(l.get("payload").isNull()).isTrue();
              assertThat(l.get("vector").get(0).floatValue()).isEqualTo(id.asInt());
            } else {
              assertThat(l.get("payload").get("title").asText()).isEqualTo("doc " + id.asInt());
              assertThat(l.get("vector").isNull()).isTrue();
            }
          }
        }
        assertThat(looked).isPositive();
      }
    }
  }

  @Test
  void groupsOfTheFirstLimitAreFilledPastTheInitialWindow() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      // one group owns the 200 best points; group "rare" has one point, at the bottom
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":1,\"distance\":\"Dot\"}}");
      ArrayNode points = JSON.createArrayNode();
      for (int id = 0; id < 203; id++) {
        ObjectNode p = points.addObject().put("id", id);
        p.putArray("vector").add(1000 - id);
        p.putObject("payload").put("doc", id < 200 ? "big" : id == 200 ? "rare" : "other");
      }
      s.ok("PUT", "/collections/c/points?wait=true", JSON.createObjectNode().set("points", points).toString());
      JsonNode r = s.ok("POST", "/collections/c/points/query/groups",
          "{\"query\":[1],\"group_by\":\"doc\",\"limit\":2,\"group_size\":2}");
      assertThat(r.get("groups").toString()).contains("\"id\":\"big\"", "\"id\":\"rare\"");
      assertThat(r.get("groups").get(0).get("hits").get(1).get("id").asInt()).isEqualTo(1);
      assertThat(r.get("groups").get(1).get("hits").size()).isEqualTo(1);
      assertThat(r.get("groups").get(1).get("hits").get(0).get("id").asInt()).isEqualTo(200);
      assertThat(r.get("groups").get(0).get("hits").get(0).get("score").floatValue()).isEqualTo(1000f);
    }
  }

  @Test
  void badRequestsAre400sNamingThePath() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String q = "\"query\":[1,0,0,0,0,0,0,0],\"using\":\"d\"";
      String groups = "/collections/c/points/query/groups";
      assertThat(s.error("POST", groups, "{" + q + "}", 400)).contains("body.group_by");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"\"}", 400)).contains("body.group_by");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"group_size\":0}", 400))
          .contains("body.group_size");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"limit\":0}", 400)).contains("body.limit");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"offset\":3}", 400)).contains("offset");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"with_lookup\":3}", 400))
          .contains("body.with_lookup");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"with_lookup\":{}}", 400))
          .contains("body.with_lookup.collection");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"with_lookup\":\"nope\"}", 404))
          .contains("nope");
      assertThat(s.error("POST", groups, "{" + q + ",\"group_by\":\"doc\",\"group_size\":10000,\"limit\":10}",
          400)).contains("max_limit");
      String search = "/collections/c/points/search/groups";
      String v = "\"vector\":{\"name\":\"d\",\"vector\":[1,0,0,0,0,0,0,0]}";
      assertThat(s.error("POST", search, "{" + v + ",\"group_by\":\"doc\",\"limit\":3}", 400))
          .contains("body.group_size");
      assertThat(s.error("POST", search, "{" + v + ",\"group_by\":\"doc\",\"group_size\":3}", 400))
          .contains("body.limit");
      s.ok("POST", search, "{" + v + ",\"group_by\":\"doc\",\"group_size\":3,\"limit\":2}");
    }
  }
}
