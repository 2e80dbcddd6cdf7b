package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query: {order_by}}, {@code query: {sample: "random"}}, scroll's {@code order_by} and {@code /facet} against
 * brute force over a random collection: small value ranges (ties), multi-valued and missing fields, tag filters.
 */
class OrderedQueryEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 300;
  private static final String[] TAGS = {"a", "b", "c", "d", "e"};

  @TempDir Path dir;
  private long seed;
  private Random rnd;
  /** Per point id: its payload. */
  private final Map<Integer, ObjectNode> payloads = new TreeMap<>();

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("OrderedQueryEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    ArrayNode points = JSON.createArrayNode();
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      p.putArray("vector").add(rnd.nextFloat()).add(rnd.nextFloat());
      ObjectNode payload = p.putObject("payload");
      int r = rnd.nextInt(10);
      if (r == 0) {
        payload.putArray("n").add(rnd.nextInt(30)).add(rnd.nextInt(30));
      } else if (r > 1) { // r == 1: no n at all
        payload.put("n", rnd.nextInt(30) - 5);
      }
      if (rnd.nextInt(8) != 0) {
        payload.put("f", Math.round(rnd.nextDouble() * 40) / 4.0);
      }
      if (rnd.nextInt(6) == 0) {
        payload.putArray("tag").add(TAGS[rnd.nextInt(TAGS.length)]).add(TAGS[rnd.nextInt(TAGS.length)]);
      } else {
        payload.put("tag", TAGS[rnd.nextInt(rnd.nextBoolean() ? 2 : TAGS.length)]);
      }
      payload.put("plain", rnd.nextInt(5));
      payloads.put(id, payload.deepCopy());
    }
    s.ok("PUT", "/collections/c/points?wait=true", JSON.createObjectNode().set("points", points).toString());
    s.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
    s.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"f\",\"field_schema\":\"float\"}");
    s.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"tag\",\"field_schema\":\"keyword\"}");
    if (rnd.nextBoolean()) {
      s.db.collection("c").flush();
    }
  }

  /** A filter on one or two tags, or none (null). */
  private String randomFilter() {
    return switch (rnd.nextInt(3)) {
      case 0 -> null;
      case 1 -> "{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"" + TAGS[rnd.nextInt(TAGS.length)] + "\"}}]}";
      default -> "{\"must_not\":[{\"key\":\"tag\",\"match\":{\"any\":[\"" + TAGS[rnd.nextInt(TAGS.length)] + "\",\""
          + TAGS[rnd.nextInt(TAGS.length)] + "\"]}}]}";
    };
  }

  private static List<String> values(JsonNode payload, String key) {
    List<String> out = new ArrayList<>();
    JsonNode v = payload.get(key);
    if (v == null) {
      return out;
    }
    if (v.isArray()) {
      v.forEach(e -> out.add(e.asText()));
    } else {
      out.add(v.asText());
    }
    return out;
  }

  private boolean matches(int id, JsonNode filter) {
    if (filter == null) {
      return true;
    }
    List<String> tags = values(payloads.get(id), "tag");
    if (filter.has("must")) {
      return tags.contains(filter.at("/must/0/match/value").asText());
    }
    for (JsonNode t : filter.at("/must_not/0/match/any")) {
      if (tags.contains(t.asText())) {
        return false;
      }
    }
    return true;
  }

  private record Entry(double value, int id) {}

  @Test
  void orderByMatchesBruteForce() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 60; iter++) {
        String key = rnd.nextBoolean() ? "n" : "f";
        boolean desc = rnd.nextBoolean();
        Double startFrom = rnd.nextInt(3) == 0 ? (double) (rnd.nextInt(30) - 3) : null;
        String filter = randomFilter();
        int limit = 1 + rnd.nextInt(25);
        int offset = rnd.nextInt(4) == 0 ? rnd.nextInt(40) : 0;
        String orderBy = !desc && startFrom == null && rnd.nextBoolean() ? "\"" + key + "\""
            : "{\"key\":\"" + key + "\",\"direction\":\"" + (desc ? "desc" : "asc") + "\""
                + (startFrom == null ? "" : ",\"start_from\":" + startFrom) + "}";
        JsonNode f = filter == null ? null : JSON.readTree(filter);
        List<Entry> expected = new ArrayList<>();
        for (int id : payloads.keySet()) {
          if (!matches(id, f)) {
            continue;
          }
          for (String v : values(payloads.get(id), key)) {
            double d = Double.parseDouble(v);
            if (startFrom == null || (desc ? d <= startFrom : d >= startFrom)) {
              expected.add(new Entry(d, id));
            }
          }
        }
        Comparator<Entry> cmp = Comparator.comparingDouble(Entry::value);
        expected.sort((desc ? cmp.reversed() : cmp).thenComparingInt(Entry::id));
        List<Entry> window = expected.subList(Math.min(offset, expected.size()),
            Math.min(offset + limit, expected.size()));
        String body = "{\"query\":{\"order_by\":" + orderBy + "},\"limit\":" + limit + ",\"offset\":" + offset
            + (filter == null ? "" : ",\"filter\":" + filter) + ",\"with_payload\":true}";
        JsonNode got = s.ok("POST", "/collections/c/points/query", body).get("points");
        String ctx = "iteration " + iter + ": " + body;
        assertThat(entries(got)).as(ctx).isEqualTo(window);
        for (JsonNode p : got) {
          assertThat(p.get("score").asDouble()).as(ctx).isZero();
          assertThat(p.get("order_value").isIntegralNumber()).as(ctx).isEqualTo(key.equals("n"));
          assertThat(values(p.get("payload"), key)).as(ctx).contains(p.get("order_value").asText());
        }
        if (offset == 0) { // scroll pages by start_from, not offset: the same first page, with order values
          String scroll = "{\"order_by\":" + orderBy + ",\"limit\":" + limit
              + (filter == null ? "" : ",\"filter\":" + filter) + "}";
          assertThat(entries(s.ok("POST", "/collections/c/points/scroll", scroll).get("points"))).as(ctx)
              .isEqualTo(window);
        }
      }
    }
  }

  private static List<Entry> entries(JsonNode points) {
    List<Entry> out = new ArrayList<>();
    for (JsonNode p : points) {
      out.add(new Entry(p.get("order_value").asDouble(), p.get("id").asInt()));
    }
    return out;
  }

  @Test
  void sampleIsDistinctFilteredAndCoversTheMatches() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 20; iter++) {
        String filter = randomFilter();
        JsonNode f = filter == null ? null : JSON.readTree(filter);
        long matching = payloads.keySet().stream().filter(id -> matches(id, f)).count();
        int limit = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 400);
        String body = "{\"query\":{\"sample\":\"random\"},\"limit\":" + limit
            + (filter == null ? "" : ",\"filter\":" + filter) + "}";
        JsonNode got = s.ok("POST", "/collections/c/points/query", body).get("points");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : got) {
          assertThat(ids.add(p.get("id").asInt())).as(body + ": distinct").isTrue();
          assertThat(matches(p.get("id").asInt(), f)).as(body).isTrue();
        }
        assertThat((long) ids.size()).as(body).isEqualTo(Math.min(limit, matching));
      }
      // a quarter of the "a"-tagged points per draw: 60 draws miss a given one with probability 0.75^60 < 1e-7
      String a = "{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}]}";
      Set<Integer> tagged = new HashSet<>();
      payloads.keySet().stream().filter(id -> values(payloads.get(id), "tag").contains("a")).forEach(tagged::add);
      Set<Integer> seen = new HashSet<>();
      int k = Math.max(1, tagged.size() / 4);
      for (int draw = 0; draw < 60; draw++) {
        for (JsonNode p : s.ok("POST", "/collections/c/points/query",
            "{\"query\":{\"sample\":\"random\"},\"limit\":" + k + ",\"filter\":" + a + "}").get("points")) {
          seen.add(p.get("id").asInt());
        }
      }
      assertThat(seen).isEqualTo(tagged);
    }
  }

  @Test
  void facetCountsMatchBruteForce() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 20; iter++) {
        String key = rnd.nextBoolean() ? "tag" : "n";
        String filter = randomFilter();
        JsonNode f = filter == null ? null : JSON.readTree(filter);
        Integer limit = rnd.nextBoolean() ? null : 1 + rnd.nextInt(40);
        Map<String, Long> counts = new HashMap<>();
        for (int id : payloads.keySet()) {
          if (matches(id, f)) {
            new HashSet<>(values(payloads.get(id), key)).forEach(v -> counts.merge(v, 1L, Long::sum));
          }
        }
        Comparator<Map.Entry<String, Long>> byValue = key.equals("n")
            ? Comparator.comparingLong(e -> Long.parseLong(e.getKey())) : Map.Entry.comparingByKey();
        List<Map.Entry<String, Long>> expected = new ArrayList<>(counts.entrySet());
        expected.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(byValue));
        expected = expected.subList(0, Math.min(limit == null ? 10 : limit, expected.size()));
        String body = "{\"key\":\"" + key + "\"" + (limit == null ? "" : ",\"limit\":" + limit)
            + (filter == null ? "" : ",\"filter\":" + filter) + (rnd.nextBoolean() ? ",\"exact\":true" : "") + "}";
        JsonNode hits = s.ok("POST", "/collections/c/facet", body).get("hits");
        List<Map.Entry<String, Long>> got = new ArrayList<>();
        for (JsonNode h : hits) {
          assertThat(key.equals("n") ? h.get("value").isIntegralNumber() : h.get("value").isTextual()).as(body)
              .isTrue();
          got.add(Map.entry(h.get("value").asText(), h.get("count").asLong()));
        }
        assertThat(got).as(body).isEqualTo(expected);
      }
    }
  }

  @Test
  void badRequestsNameTheirPathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String q = "/collections/c/points/query";
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":\"plain\"}}", 400))
          .contains("body.query.order_by.key").contains("plain");
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":{\"key\":\"tag\"}}}", 400))
          .contains("body.query.order_by.key").contains("keyword");
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":{\"key\":\"n\",\"direction\":\"up\"}}}", 400))
          .contains("body.query.order_by.direction");
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":{\"key\":\"n\",\"start_from\":\"x\"}}}", 400))
          .contains("body.query.order_by.start_from");
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":{\"direction\":\"asc\"}}}", 400))
          .contains("body.query.order_by.key");
      assertThat(s.error("POST", q, "{\"query\":{\"order_by\":\"n\",\"sample\":\"random\"}}", 400))
          .contains("body.query");
      assertThat(s.error("POST", q, "{\"query\":{\"sample\":\"first\"}}", 400)).contains("body.query.sample");
      assertThat(s.error("POST", "/collections/c/points/query/batch",
          "{\"searches\":[{\"query\":{\"order_by\":\"plain\"}}]}", 400)).contains("body.searches[0].query.order_by");
      assertThat(s.error("POST", "/collections/c/facet", "{\"key\":\"plain\"}", 400)).contains("body.key");
      assertThat(s.error("POST", "/collections/c/facet", "{\"key\":\"f\"}", 400)).contains("body.key")
          .contains("float");
      assertThat(s.error("POST", "/collections/c/facet", "{}", 400)).contains("body.key");
      assertThat(s.error("POST", "/collections/c/facet", "{\"key\":\"tag\",\"limit\":0}", 400))
          .contains("body.limit");
      assertThat(s.error("POST", "/collections/nope/facet", "{\"key\":\"tag\"}", 404)).isNotEmpty();
      assertThat(s.ok("POST", "/collections/c/points/count", "{}").get("count").asInt()).isEqualTo(N);
    }
  }
}
