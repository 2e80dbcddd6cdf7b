package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.testing.RandomizedTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /quiver/agent} over real HTTP: a server on a temp directory, every resource round-tripped. */
class AgentEndpointsTest extends RandomizedTest {
  private static final String A = "/quiver/agent";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] TASKS = {"parse the JSON config file", "write unit tests for the parser",
      "deploy the web service", "fix the failing database migration", "optimise the search query"};

  @TempDir Path dir;

  /** A random episode, kept with its id for checking filters. */
  record Ep(long id, String session, String task, double reward, boolean success, long ts) {}

  private static ObjectNode episodeJson(String session, String task, double reward, boolean success, long ts) {
    ObjectNode o = NODES.objectNode();
    o.put("session_id", session).put("task", task).put("reward", reward).put("success", success).put("ts", ts);
    o.put("critique", success ? "worked" : "missed an edge case").put("latency_ms", 10 + ts % 90);
    return o;
  }

  /** Stores {@code n} random episodes in one batch; returns them with their ids. */
  private List<Ep> storeRandom(ServerHarness s, int n) throws Exception {
    Random rnd = random();
    ArrayNode items = NODES.arrayNode();
    List<Ep> eps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String session = "s" + rnd.nextInt(3);
      String task = TASKS[rnd.nextInt(TASKS.length)] + " " + i;
      double reward = rnd.nextInt(11) / 10.0;
      boolean success = rnd.nextBoolean();
      long ts = 1_700_000_000L + rnd.nextInt(1000);
      items.add(episodeJson(session, task, reward, success, ts));
      eps.add(new Ep(-1, session, task, reward, success, ts));
    }
    ObjectNode body = NODES.objectNode();
    body.set("episodes", items);
    JsonNode ids = s.ok("POST", A + "/episodes", body.toString()).get("ids");
    assertThat(ids).hasSize(n);
    List<Ep> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Ep e = eps.get(i);
      out.add(new Ep(ids.get(i).asLong(), e.session(), e.task(), e.reward(), e.success(), e.ts()));
    }
    return out;
  }

  private static Set<Long> ids(JsonNode hits) {
    Set<Long> out = new TreeSet<>();
    hits.forEach(h -> out.add(h.path("episode").path("id").asLong()));
    return out;
  }

  private static Set<Long> expected(List<Ep> eps, Predicate<Ep> keep) {
    Set<Long> out = new TreeSet<>();
    eps.stream().filter(keep).forEach(e -> out.add(e.id()));
    return out;
  }

  @Test
  void retrieveWithFiltersReturnsExactlyTheMatchingEpisodes() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      List<Ep> eps = storeRandom(s, atLeast(40));
      int all = eps.size() + 10;
      Random rnd = random();
      for (int round = 0; round < 20; round++) {
        String session = rnd.nextBoolean() ? "s" + rnd.nextInt(3) : null;
        int outcome = rnd.nextInt(3); // 0 any, 1 successes, 2 failures
        Double minReward = rnd.nextBoolean() ? rnd.nextInt(11) / 10.0 : null;
        Long since = rnd.nextBoolean() ? 1_700_000_000L + rnd.nextInt(1000) : null;
        Long until = rnd.nextInt(3) == 0 ? (since != null ? since : 1_700_000_000L) + rnd.nextInt(1000) : null;
        ObjectNode q = NODES.objectNode().put("task", TASKS[rnd.nextInt(TASKS.length)]).put("k", all);
        if (session != null) {
          q.put("session_id", session);
        }
        if (outcome == 1) {
          q.put("only_successes", true);
        } else if (outcome == 2) {
          q.put("only_failures", true);
        }
        if (minReward != null) {
          q.put("min_reward", minReward);
        }
        if (since != null) {
          q.put("since", since);
        }
        if (until != null) {
          q.put("until", until);
        }
        Predicate<Ep> keep = e -> (session == null || e.session().equals(session))
            && (outcome == 0 || e.success() == (outcome == 1))
            && (minReward == null || e.reward() >= minReward) && (since == null || e.ts() >= since)
            && (until == null || e.ts() < until);
        JsonNode hits = s.ok("POST", A + "/episodes/retrieve", q.toString()).get("hits");
        assertThat(ids(hits)).as("round %d: %s", round, q).isEqualTo(expected(eps, keep));
        for (int i = 1; i < hits.size(); i++) {
          assertThat(hits.get(i).get("similarity").asDouble())
              .isLessThanOrEqualTo(hits.get(i - 1).get("similarity").asDouble());
        }
        // a smaller k: the best of the same set, never short
        int k = 1 + rnd.nextInt(5);
        JsonNode top = s.ok("POST", A + "/episodes/retrieve", q.put("k", k).toString()).get("hits");
        assertThat(top).hasSize(Math.min(k, hits.size()));
        for (int i = 0; i < top.size(); i++) {
          assertThat(top.get(i).get("similarity").asDouble())
              .isCloseTo(hits.get(i).get("similarity").asDouble(), within(1e-9));
        }
      }
      // the stored fields come back under AgentDB's names
      Ep first = eps.get(0);
      JsonNode got = s.ok("GET", A + "/episodes/" + first.id(), null);
      assertThat(got.get("session_id").asText()).isEqualTo(first.session());
      assertThat(got.get("task").asText()).isEqualTo(first.task());
      assertThat(got.get("reward").asDouble()).isEqualTo(first.reward());
      assertThat(got.get("latency_ms").asDouble()).isEqualTo(10 + first.ts() % 90);
      JsonNode page = s.ok("GET", A + "/episodes?session_id=s1&limit=3&order=oldest", null);
      assertThat(page.get("total").asLong()).isEqualTo(eps.stream().filter(e -> e.session().equals("s1")).count());
      assertThat(page.get("episodes").size()).isEqualTo((int) Math.min(3, page.get("total").asLong()));
      JsonNode hybrid = s.ok("POST", A + "/episodes/search",
          "{\"query\":\"database migration\",\"k\":3,\"filters\":{\"session_id\":\"s0\"}}").get("hits");
      hybrid.forEach(h -> assertThat(h.get("episode").get("session_id").asText()).isEqualTo("s0"));
      JsonNode stats = s.ok("GET", A + "/episodes/stats?task=" + first.task().replace(" ", "%20"), null);
      assertThat(stats.get("tasks").get(0).get("attempts").asLong()).isEqualTo(1);
    }
  }

  @Test
  void updateDeleteAndUnknownIds() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      List<Ep> eps = storeRandom(s, 6);
      long id = eps.get(2).id();
      JsonNode u = s.ok("PATCH", A + "/episodes/" + id, "{\"reward\":0.25,\"success\":true,\"tags\":[\"x\"]}");
      assertThat(u.get("reward").asDouble()).isEqualTo(0.25);
      assertThat(u.get("tags").get(0).asText()).isEqualTo("x");
      assertThat(s.ok("DELETE", A + "/episodes/" + id, null).get("deleted").asInt()).isEqualTo(1);
      assertThat(s.error("GET", A + "/episodes/" + id, null, 404)).contains(String.valueOf(id));
      assertThat(s.error("PATCH", A + "/episodes/99999", "{\"reward\":0.5}", 404)).contains("99999");
      assertThat(s.error("DELETE", A + "/skills/99999", null, 404)).contains("99999");
      assertThat(s.error("GET", A + "/patterns/77", null, 404)).contains("77");
      assertThat(s.error("GET", A + "/causal/edges/5", null, 404)).contains("5");
      // a batch delete naming an unknown id deletes nothing
      String batch = "{\"ids\":[" + eps.get(0).id() + ",424242]}";
      assertThat(s.error("POST", A + "/episodes/delete", batch, 404)).contains("424242");
      s.ok("GET", A + "/episodes/" + eps.get(0).id(), null);
      assertThat(s.ok("POST", A + "/episodes/delete", "{\"ids\":[" + eps.get(0).id() + "," + eps.get(1).id() + "]}")
          .get("deleted").asInt()).isEqualTo(2);
      assertThat(s.ok("GET", A + "/stats", null).get("episodes").asLong()).isEqualTo(3);
      assertThat(s.error("GET", A + "/episodes/abc", null, 400)).contains("id");
    }
  }

  @Test
  void badInputIs400NamingThePathAndChangesNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      storeRandom(s, 3);
      assertThat(s.error("POST", A + "/episodes", "{\"session_id\":\"a\",\"task\":\"t\",\"reward\":1.5,\"success\":true}",
          400)).contains("body.reward: must be between 0 and 1");
      String batch = "{\"episodes\":[" + episodeJson("a", "t", 0.5, true, 1) + ","
          + "{\"session_id\":\"a\",\"task\":\"t\",\"reward\":0.5}]}";
      assertThat(s.error("POST", A + "/episodes", batch, 400)).contains("body.episodes[1].success: required");
      String blank = "{\"episodes\":[" + episodeJson("a", "t", 0.5, true, 1) + ","
          + episodeJson("a", "  ", 0.5, true, 1) + "]}";
      assertThat(s.error("POST", A + "/episodes", blank, 400)).contains("body.episodes[1].task");
      assertThat(s.error("POST", A + "/episodes/retrieve", "{\"task\":\"x\",\"k\":0}", 400)).contains("body.k");
      assertThat(s.error("POST", A + "/episodes/retrieve", "{\"task\":\"x\",\"colour\":1}", 400))
          .contains("unknown field `colour`");
      assertThat(s.error("POST", A + "/episodes/retrieve",
          "{\"task\":\"x\",\"only_successes\":true,\"only_failures\":true}", 400)).contains("body.only_failures");
      assertThat(s.error("POST", A + "/recall", "{\"query\":\"x\",\"alpha\":\"high\"}", 400)).contains("body.alpha");
      assertThat(s.error("POST", A + "/causal/edges", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1,"
          + "\"confidence\":2}", 400)).contains("body.confidence: must be between 0 and 1");
      assertThat(s.error("POST", A + "/skills", "{\"skills\":[{\"name\":\"a\",\"description\":\"d\"},"
          + "{\"name\":\"b\",\"description\":\"d\",\"success_rate\":-1}]}", 400))
          .contains("body.skills[1].success_rate");
      assertThat(s.error("POST", A + "/learning/sessions", "{\"user_id\":\"u\",\"session_type\":\"q-learning\","
          + "\"config\":{\"discount_factor\":0.9}}", 400)).contains("body.config.learning_rate");
      assertThat(s.error("POST", A + "/learning/sessions", "{\"user_id\":\"u\",\"session_type\":\"dqn\","
          + "\"config\":{\"learning_rate\":0.1,\"discount_factor\":0.9}}", 400)).contains("dqn");
      JsonNode stats = s.ok("GET", A + "/stats", null);
      assertThat(stats.get("episodes").asLong()).isEqualTo(3);
      assertThat(stats.get("skills").asLong()).isZero();
      assertThat(stats.get("causal_edges").asLong()).isZero();
      assertThat(stats.get("learning_sessions").asLong()).isZero();
      assertThat(stats.get("embedder").get("name").asText()).isNotBlank();
    }
  }

  @Test
  void recallAnswersWithACertificate() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      List<Ep> eps = storeRandom(s, atLeast(30));
      JsonNode r = s.ok("POST", A + "/recall",
          "{\"query\":\"fix the failing database migration\",\"k\":5,\"alpha\":0.6,\"beta\":0.3,\"gamma\":0.2}");
      JsonNode hits = r.get("hits");
      JsonNode cert = r.get("certificate");
      assertThat(hits).hasSize(5);
      assertThat(cert.get("alpha").asDouble()).isEqualTo(0.6);
      assertThat(cert.get("gamma").asDouble()).isEqualTo(0.2);
      assertThat(cert.get("stored").asLong()).isEqualTo(eps.size());
      assertThat(cert.get("exact").asBoolean()).isTrue();
      for (int i = 0; i < hits.size(); i++) {
        JsonNode h = hits.get(i);
        assertThat(cert.get("ids").get(i).asLong()).isEqualTo(h.get("id").asLong());
        assertThat(cert.get("utilities").get(i).asDouble()).isCloseTo(h.get("utility").asDouble(), within(1e-9));
        assertThat(h.get("utility").asDouble()).isCloseTo(0.6 * h.get("similarity").asDouble()
            + 0.3 * h.get("uplift").asDouble() - 0.2 * h.get("latency_norm").asDouble(), within(1e-9));
        if (i > 0) {
          assertThat(h.get("utility").asDouble()).isLessThanOrEqualTo(hits.get(i - 1).get("utility").asDouble());
        }
      }
      // the same question gets the same certificate; other weights another
      JsonNode again = s.ok("POST", A + "/recall",
          "{\"query\":\"fix the failing database migration\",\"k\":5,\"alpha\":0.6,\"beta\":0.3,\"gamma\":0.2}");
      assertThat(again.get("certificate").get("id")).isEqualTo(cert.get("id"));
      JsonNode other = s.ok("POST", A + "/recall", "{\"query\":\"fix the failing database migration\",\"k\":5}");
      assertThat(other.get("certificate").get("id")).isNotEqualTo(cert.get("id"));
    }
  }

  @Test
  void skillsAndPatternsRoundTrip() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      JsonNode created = s.ok("POST", A + "/skills", "{\"skills\":["
          + "{\"name\":\"parse-json\",\"description\":\"parse a JSON config file\",\"success_rate\":0.9,\"uses\":10},"
          + "{\"name\":\"deploy\",\"description\":\"deploy the web service\",\"success_rate\":0.4,\"uses\":5}]}")
          .get("skills");
      long parse = created.get(0).get("id").asLong();
      long deploy = created.get(1).get("id").asLong();
      assertThat(s.ok("GET", A + "/skills/" + parse, null).get("name").asText()).isEqualTo("parse-json");
      JsonNode hits = s.ok("POST", A + "/skills/search",
          "{\"task\":\"parse the JSON file\",\"k\":5,\"min_success_rate\":0.5}").get("hits");
      assertThat(hits).hasSize(1);
      assertThat(hits.get(0).get("skill").get("id").asLong()).isEqualTo(parse);
      JsonNode fb = s.ok("POST", A + "/skills/" + deploy + "/feedback", "{\"success\":true,\"reward\":1}");
      assertThat(fb.get("uses").asLong()).isEqualTo(6);
      assertThat(fb.get("success_rate").asDouble()).isCloseTo((0.4 * 5 + 1) / 6, within(1e-9));
      s.ok("PATCH", A + "/skills/" + deploy, "{\"description\":\"deploy the service to production\"}");
      assertThat(s.ok("GET", A + "/skills/" + deploy, null).get("description").asText())
          .isEqualTo("deploy the service to production");
      s.ok("POST", A + "/skills/" + deploy + "/links", "{\"child_id\":" + parse + ",\"relationship\":\"uses\"}");
      JsonNode links = s.ok("GET", A + "/skills/" + parse + "/links", null).get("links");
      assertThat(links).hasSize(1);
      assertThat(links.get(0).get("parent_id").asLong()).isEqualTo(deploy);
      assertThat(s.ok("GET", A + "/skills?limit=10", null).get("total").asLong()).isEqualTo(2);
      assertThat(s.error("POST", A + "/skills/" + deploy + "/links",
          "{\"child_id\":4242,\"relationship\":\"uses\"}", 404)).contains("4242");
      s.ok("DELETE", A + "/skills/" + parse, null);
      assertThat(s.ok("GET", A + "/skills/" + deploy + "/links", null).get("links")).isEmpty();

      JsonNode p = s.ok("POST", A + "/patterns",
          "{\"taskType\":\"debugging\",\"approach\":\"bisect the commits\",\"successRate\":0.8}").get("patterns");
      long pid = p.get(0).get("id").asLong();
      JsonNode ph = s.ok("POST", A + "/patterns/search",
          "{\"task\":\"bisect commits to find the bug\",\"filters\":{\"taskType\":\"debugging\"}}").get("hits");
      assertThat(ph).hasSize(1);
      s.ok("POST", A + "/patterns/" + pid + "/feedback", "{\"success\":false}");
      assertThat(s.ok("GET", A + "/patterns/stats", null).get("total").asLong()).isEqualTo(1);
      assertThat(s.ok("GET", A + "/patterns/" + pid, null).get("uses").asLong()).isEqualTo(1);
    }
  }

  @Test
  void causalEdgesQueryTraverseAndEstimate() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      long ab = s.ok("POST", A + "/causal/edges",
          "{\"cause\":\"write tests\",\"effect\":\"fewer bugs\",\"uplift\":0.3,\"confidence\":0.9,\"sample_size\":40}")
          .get("id").asLong();
      s.ok("POST", A + "/causal/edges",
          "{\"cause\":\"fewer bugs\",\"effect\":\"faster releases\",\"uplift\":0.2,\"confidence\":0.8}");
      s.ok("POST", A + "/causal/edges",
          "{\"cause\":\"write tests\",\"effect\":\"slower start\",\"uplift\":-0.1,\"confidence\":0.6}");
      JsonNode q = s.ok("POST", A + "/causal/query", "{\"cause\":\"write tests\"}").get("edges");
      assertThat(q).hasSize(2);
      assertThat(q.get(0).get("id").asLong()).isEqualTo(ab); // |0.3|·0.9 > |−0.1|·0.6
      assertThat(q.get(0).get("effect").asText()).isEqualTo("fewer bugs");
      JsonNode chain = s.ok("POST", A + "/causal/traverse",
          "{\"from\":\"write tests\",\"to\":\"faster releases\",\"max_depth\":3}").get("chain");
      assertThat(chain.get("links")).hasSize(2);
      assertThat(chain.get("confidence").asDouble()).isCloseTo(0.72, within(1e-9));
      assertThat(s.ok("POST", A + "/causal/traverse", "{\"from_memory_id\":1,\"to_memory_id\":2}").get("chain")
          .isNull()).isTrue();
      // an experiment: treated units succeed 8 of 10, controls 2 of 10
      ArrayNode obs = NODES.arrayNode();
      for (int i = 0; i < 10; i++) {
        obs.addObject().put("treated", true).put("success", i < 8);
        obs.addObject().put("treated", false).put("success", i < 2);
      }
      ObjectNode exp = NODES.objectNode().put("cause", "pair review").put("effect", "merged");
      exp.set("observations", obs);
      assertThat(s.ok("POST", A + "/causal/experiments", exp.toString()).get("recorded").asInt()).isEqualTo(20);
      JsonNode est = s.ok("POST", A + "/causal/estimate", "{\"cause\":\"pair review\",\"effect\":\"merged\"}");
      assertThat(est.get("uplift").asDouble()).isCloseTo(0.6, within(1e-9));
      assertThat(est.get("ci_low").asDouble()).isLessThan(0.6);
      assertThat(est.get("ci_high").asDouble()).isGreaterThan(0.6);
      JsonNode stored = s.ok("POST", A + "/causal/edges/estimate", "{\"cause\":\"pair review\",\"effect\":\"merged\"}");
      assertThat(stored.get("source").asText()).isEqualTo("estimated");
      s.ok("DELETE", A + "/causal/edges/" + ab, null);
      assertThat(s.ok("GET", A + "/stats", null).get("causal_edges").asLong()).isEqualTo(3);
      // memory nodes
      s.ok("POST", A + "/causal/edges",
          "{\"cause\":{\"type\":\"episode\",\"id\":1},\"effect\":{\"type\":\"episode\",\"id\":2},\"uplift\":0.5}");
      assertThat(s.ok("POST", A + "/causal/traverse", "{\"from_memory_id\":1,\"to_memory_id\":2}").get("chain")
          .get("links")).hasSize(1);
    }
  }

  @Test
  void learningSessionStartFeedbackPredictEnd() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      JsonNode started = s.ok("POST", A + "/learning/sessions", "{\"user_id\":\"u1\",\"session_type\":\"q-learning\","
          + "\"config\":{\"learning_rate\":0.5,\"discount_factor\":0.9,\"exploration_rate\":0,"
          + "\"actions\":[\"left\",\"right\"],\"seed\":" + random().nextInt(1000) + "}}");
      String sid = started.get("session_id").asText();
      assertThat(started.get("type").asText()).isEqualTo("q-learning");
      for (int i = 0; i < 20; i++) {
        s.ok("POST", A + "/learning/feedback", "{\"session_id\":\"" + sid + "\",\"state\":\"start\",\"action\":\"right\","
            + "\"reward\":1,\"success\":true}");
        s.ok("POST", A + "/learning/feedback", "{\"session_id\":\"" + sid + "\",\"state\":\"start\",\"action\":\"left\","
            + "\"reward\":0,\"success\":false}");
      }
      JsonNode p = s.ok("POST", A + "/learning/predict", "{\"session_id\":\"" + sid + "\",\"state\":\"start\"}");
      assertThat(p.get("action").asText()).isEqualTo("right");
      assertThat(p.get("interval").get("available").asBoolean()).isTrue();
      assertThat(s.ok("POST", A + "/learning/metrics", "{\"session_id\":\"" + sid + "\"}")).isNotNull();
      assertThat(s.error("POST", A + "/learning/predict", "{\"session_id\":\"nope\",\"state\":\"start\"}", 404))
          .contains("nope");
      JsonNode reward = s.ok("POST", A + "/learning/reward", "{\"success\":true}");
      assertThat(reward.get("reward").asDouble()).isBetween(0.0, 1.0);
      JsonNode ended = s.ok("POST", A + "/learning/end", "{\"session_id\":\"" + sid + "\"}");
      assertThat(ended.get("active").asBoolean()).isFalse();
      assertThat(s.error("POST", A + "/learning/feedback", "{\"session_id\":\"" + sid + "\",\"state\":\"start\","
          + "\"action\":\"right\",\"reward\":1,\"success\":true}", 400)).contains("ended");
      assertThat(s.ok("GET", A + "/learning/sessions/" + sid, null).get("session").get("feedback_count").asLong())
          .isEqualTo(40);
    }
  }

  @Test
  void readOnlyKeyReadsButCannotWrite() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey("full-key")
        .readOnlyApiKey("ro-key").build();
    try (ServerHarness s = new ServerHarness(dir, config)) {
      String ep = episodeJson("s", "parse the JSON config file", 0.8, true, 5).toString();
      assertThat(call(s, "POST", A + "/episodes", ep, "full-key").statusCode()).isEqualTo(200);
      List<String[]> reads = List.of(
          new String[] {"POST", "/episodes/retrieve", "{\"task\":\"parse json\"}"},
          new String[] {"POST", "/episodes/search", "{\"query\":\"parse json\"}"},
          new String[] {"POST", "/recall", "{\"query\":\"parse json\"}"},
          new String[] {"POST", "/skills/search", "{\"task\":\"parse json\"}"},
          new String[] {"POST", "/patterns/search", "{\"task\":\"parse json\"}"},
          new String[] {"POST", "/causal/query", "{}"},
          new String[] {"POST", "/causal/traverse", "{\"from\":\"a\",\"to\":\"b\"}"},
          new String[] {"POST", "/learning/metrics", "{}"},
          new String[] {"POST", "/learning/explain", "{\"query\":\"start\"}"},
          new String[] {"POST", "/learning/reward", "{\"success\":true}"},
          new String[] {"GET", "/episodes/1", null},
          new String[] {"GET", "/episodes", null},
          new String[] {"GET", "/stats", null});
      for (String[] r : reads) {
        HttpResponse<String> res = call(s, r[0], A + r[1], r[2], "ro-key");
        assertThat(res.statusCode()).as(r[0] + " " + r[1] + " -> " + res.body()).isEqualTo(200);
      }
      // predict only reads: the read-only key gets past the filter (404: no such session), never 403
      assertThat(call(s, "POST", A + "/learning/predict", "{\"session_id\":\"x\",\"state\":\"s\"}", "ro-key")
          .statusCode()).isEqualTo(404);
      List<String[]> writes = List.of(
          new String[] {"POST", "/episodes", ep},
          new String[] {"PATCH", "/episodes/1", "{\"reward\":0.1}"},
          new String[] {"DELETE", "/episodes/1", null},
          new String[] {"POST", "/episodes/delete", "{\"ids\":[1]}"},
          new String[] {"POST", "/skills", "{\"name\":\"a\",\"description\":\"b\"}"},
          new String[] {"POST", "/patterns", "{\"taskType\":\"a\",\"approach\":\"b\"}"},
          new String[] {"POST", "/causal/edges", "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1}"},
          new String[] {"POST", "/causal/discover", "{\"dry_run\":true}"},
          new String[] {"POST", "/learning/sessions", "{}"},
          new String[] {"POST", "/learning/feedback", "{}"});
      for (String[] w : writes) {
        HttpResponse<String> res = call(s, w[0], A + w[1], w[2], "ro-key");
        assertThat(res.statusCode()).as(w[0] + " " + w[1] + " -> " + res.body()).isEqualTo(403);
      }
      assertThat(call(s, "GET", A + "/stats", null, "ro-key").body()).contains("\"episodes\":1");
    }
  }

  private static HttpResponse<String> call(ServerHarness s, String method, String path, String body, String key)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.port() + path))
        .header("api-key", key);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void restartKeepsTheDataInItsOwnDirectory() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).build();
    try (ServerHarness s = new ServerHarness(dir, config)) {
      List<Ep> eps = storeRandom(s, atLeast(10));
      long skill = s.ok("POST", A + "/skills", "{\"name\":\"n\",\"description\":\"d\"}").get("skills").get(0)
          .get("id").asLong();
      String sid = s.ok("POST", A + "/learning/sessions", "{\"user_id\":\"u\",\"session_type\":\"bandit-ucb1\","
          + "\"config\":{\"learning_rate\":0.1,\"discount_factor\":0,\"actions\":[\"a\",\"b\"]}}")
          .get("session_id").asText();
      s.ok("POST", A + "/learning/feedback", "{\"session_id\":\"" + sid + "\",\"state\":\"s\",\"action\":\"a\","
          + "\"reward\":1,\"success\":true}");
      s.server.close();
      s.server = QuiverServer.start(s.db, config);
      Set<Long> stored = new HashSet<>();
      eps.forEach(e -> stored.add(e.id()));
      JsonNode page = s.ok("GET", A + "/episodes?limit=1000", null);
      Set<Long> back = new HashSet<>();
      page.get("episodes").forEach(e -> back.add(e.get("id").asLong()));
      assertThat(back).isEqualTo(stored);
      assertThat(s.ok("GET", A + "/skills/" + skill, null).get("name").asText()).isEqualTo("n");
      assertThat(s.ok("GET", A + "/learning/sessions/" + sid, null).get("session").get("feedback_count").asLong())
          .isEqualTo(1);
      // the agent memory lives in <storage>/agent, not among the database's collections
      assertThat(Files.isDirectory(s.db.directory().resolve(AgentBackend.DIRECTORY))).isTrue();
      assertThat(s.db.collectionNames()).noneMatch(n -> n.startsWith("agent"));
      assertThat(s.ok("GET", "/collections", null).get("collections")).isEmpty();
    }
  }

  @Test
  void concurrentWritersShareOneMemory() throws Exception {
    int writers = 4;
    int batches = 5;
    int perBatch = 3 + random().nextInt(8);
    try (ServerHarness s = new ServerHarness(dir)) {
      List<Thread> threads = new ArrayList<>();
      List<Long> ids = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (int w = 0; w < writers; w++) {
        String session = "agent-" + w;
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            for (int b = 0; b < batches; b++) {
              ArrayNode items = NODES.arrayNode();
              for (int i = 0; i < perBatch; i++) {
                items.add(episodeJson(session, TASKS[i % TASKS.length], 0.5, i % 2 == 0, 1_700_000_000L + i));
              }
              ObjectNode body = NODES.objectNode();
              body.set("episodes", items);
              s.ok("POST", A + "/episodes", body.toString()).get("ids").forEach(id -> ids.add(id.asLong()));
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).isEmpty();
      assertThat(ids).hasSize(writers * batches * perBatch).doesNotHaveDuplicates();
      for (int w = 0; w < writers; w++) {
        assertThat(s.ok("GET", A + "/episodes?session_id=agent-" + w, null).get("total").asLong())
            .isEqualTo((long) batches * perBatch);
      }
    }
  }

  @Test
  void agentSectionOfTheConfiguration() throws Exception {
    Path yaml = Files.writeString(dir.resolve("quiver.yaml"), "agent:\n  enabled: false\n  embedder: minilm\n");
    ServerConfig c = ServerConfigLoader.load(yaml, Map.of()).build();
    assertThat(c.agentEnabled()).isFalse();
    assertThat(c.agentEmbedder()).isEqualTo("minilm");
    ServerConfig defaults = ServerConfigLoader.load(null, Map.of()).build();
    assertThat(defaults.agentEnabled()).isTrue();
    assertThat(defaults.agentEmbedder()).isEqualTo("token-hash");
    assertThat(ServerConfigLoader.load(null, Map.of("QUIVER__AGENT__ENABLED", "false")).build().agentEnabled())
        .isFalse();
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__AGENT__EMBEDDER", "word2vec")))
        .hasMessageContaining("agent.embedder").hasMessageContaining("word2vec");
  }

  @Test
  void disabledAgentServesNothing() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).agentEnabled(false).build();
    try (ServerHarness s = new ServerHarness(dir, config)) {
      assertThat(s.error("GET", A + "/stats", null, 404)).contains("is not an endpoint");
      assertThat(Files.exists(s.db.directory().resolve(AgentBackend.DIRECTORY))).isFalse();
    }
  }
}
