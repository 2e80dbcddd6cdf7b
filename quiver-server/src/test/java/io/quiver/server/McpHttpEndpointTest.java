package io.quiver.server;

import static io.quiver.server.McpHttp.call;
import static io.quiver.server.McpHttp.initializeBody;
import static io.quiver.server.McpHttp.notification;
import static io.quiver.server.McpHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** MCP's streamable HTTP transport on a real server: sessions, headers, batches, keys, origins and limits. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class McpHttpEndpointTest extends RandomizedTest {
  private static final String KEY = "full-key-123";
  private static final String RO_KEY = "read-only-key-456";

  @TempDir Path dir;
  private ServerHarness harness;

  private McpHttp start(ServerConfig.Builder config) throws Exception {
    harness = new ServerHarness(dir, config.host("127.0.0.1").port(0).build());
    return new McpHttp(harness.server.port(), harness.server.config().mcp().path());
  }

  private McpHttp start() throws Exception {
    return start(ServerConfig.builder());
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static String episode(String task, double reward, boolean success) {
    return "{\"session_id\":\"s1\",\"task\":\"" + task + "\",\"reward\":" + reward + ",\"success\":" + success
        + ",\"critique\":\"c\"}";
  }

  private static JsonNode ok(McpHttp.Reply r) throws Exception {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    return r.json();
  }

  /** The JSON-RPC error of a transport refusal: status, null id, and the message. */
  private static String refused(McpHttp.Reply r, int status) throws Exception {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode body = r.json();
    assertThat(body.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(body.get("id").isNull()).isTrue();
    return body.at("/error/message").asText();
  }

  @Test
  void sessionLifecycleStoresRetrievesAndEnds() throws Exception {
    McpHttp c = start();
    JsonNode init = c.initialize("2025-06-18");
    assertThat(init.at("/result/protocolVersion").asText()).isEqualTo("2025-06-18");
    assertThat(init.at("/result/serverInfo/name").asText()).isEqualTo("quiver-agentdb");
    String session = c.headers.get("Mcp-Session-Id");
    assertThat(session).matches("[\\x21-\\x7E]{16,}");

    McpHttp.Reply initialized = c.post(notification("notifications/initialized"));
    assertThat(initialized.status()).isEqualTo(202);
    assertThat(initialized.body()).isEmpty();

    JsonNode tools = ok(c.post(request(2, "tools/list", null))).at("/result/tools");
    int admin = ToolCatalog.agentDb().adminOnly().size();
    assertThat(tools).hasSize(ToolCatalog.agentDb().tools().size() - admin);

    int n = atLeast(3);
    int best = random().nextInt(n);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String task = i == best ? "rotate the signing keys of the payment gateway" : "unrelated chore number " + i;
      JsonNode stored = ok(c.post(call(10 + i, "reflexion_store", episode(task, 0.9, true))));
      assertThat(stored.at("/result/isError").asBoolean()).as(stored.toString()).isFalse();
      ids.add(stored.at("/result/structuredContent/id").asLong());
    }
    JsonNode found = ok(c.post(call(99, "reflexion_retrieve",
        "{\"task\":\"rotate signing keys for the payment gateway\",\"k\":1}")));
    assertThat(found.at("/result/content/0/text").asText()).startsWith("🔍 Retrieved 1 episodes:");
    assertThat(found.at("/result/structuredContent/results/0/id").asLong()).isEqualTo(ids.get(best));

    McpHttp.Reply deleted = c.send("DELETE", null, Map.of());
    assertThat(deleted.status()).isEqualTo(204);
    refused(c.post(request(100, "ping", null)), 404);
    refused(c.send("DELETE", null, Map.of()), 404);

    // a new session sees the same memory: it is the server's, not the session's
    McpHttp again = new McpHttp(harness.server.port(), "/mcp");
    again.initialize("2025-06-18");
    assertThat(again.headers.get("Mcp-Session-Id")).isNotEqualTo(session);
    JsonNode stats = ok(again.post(call(1, "db_stats", "{}")));
    assertThat(stats.at("/result/content/0/text").asText()).contains("Episodes (Vectors): " + n);
  }

  @Test
  void sessionHeaderIsRequiredAndMustBeKnown() throws Exception {
    McpHttp c = start();
    String m = refused(c.post(request(1, "tools/list", null)), 400);
    assertThat(m).contains("Mcp-Session-Id").contains("initialize");
    refused(c.send("POST", request(1, "ping", null), Map.of("Mcp-Session-Id", "no-such-session")), 404);
    refused(c.send("DELETE", null, Map.of()), 400);
    refused(c.send("DELETE", null, Map.of("Mcp-Session-Id", "no-such-session")), 404);
    // a failed initialize opens no session
    McpHttp.Reply bad = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":7}}");
    assertThat(ok(bad).at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(bad.header("Mcp-Session-Id")).isNull();
  }

  @Test
  void protocolVersionHeaderIsChecked() throws Exception {
    McpHttp c = start();
    c.initialize("2025-03-26");
    String unsupported = refused(c.send("POST", request(2, "ping", null), Map.of("MCP-Protocol-Version",
        "1999-01-01")), 400);
    assertThat(unsupported).contains("unsupported MCP-Protocol-Version 1999-01-01");
    String other = refused(c.send("POST", request(2, "ping", null), Map.of("MCP-Protocol-Version", "2025-06-18")),
        400);
    assertThat(other).contains("2025-03-26");
    // absent: the session's negotiated version applies
    c.headers.remove("MCP-Protocol-Version");
    assertThat(ok(c.post(request(3, "ping", null))).get("result").isObject()).isTrue();
  }

  @Test
  void batchesIn2025_03_26SessionsOnly() throws Exception {
    McpHttp old = start();
    old.initialize("2025-03-26");
    int pings = 1 + random().nextInt(4);
    List<String> batch = new ArrayList<>();
    Set<Integer> expected = new HashSet<>();
    for (int i = 0; i < pings; i++) {
      batch.add(request(100 + i, "ping", null));
      expected.add(100 + i);
      if (random().nextBoolean()) {
        batch.add(notification("notifications/progress"));
      }
    }
    batch.add(request(7, "no/such/method", null));
    JsonNode replies = ok(old.post("[" + String.join(",", batch) + "]"));
    assertThat(replies).hasSize(pings + 1);
    Set<Integer> answered = new HashSet<>();
    for (JsonNode r : replies) {
      if (r.get("id").asInt() == 7) {
        assertThat(r.at("/error/code").asInt()).isEqualTo(-32601);
      } else {
        answered.add(r.get("id").asInt());
      }
    }
    assertThat(answered).isEqualTo(expected);
    McpHttp.Reply onlyNotifications = old.post("[" + notification("a") + "," + notification("b") + "]");
    assertThat(onlyNotifications.status()).isEqualTo(202);
    assertThat(refused(old.post("[]"), 400)).contains("empty batch");

    McpHttp current = new McpHttp(harness.server.port(), "/mcp");
    current.initialize("2025-06-18");
    assertThat(refused(current.post("[" + request(1, "ping", null) + "]"), 400)).contains("2025-06-18");
    assertThat(refused(current.post("[" + initializeBody(1, "2025-03-26") + "]"), 400))
        .contains("initialize must not be part of a JSON-RPC batch");
  }

  @Test
  void answersAnSseStreamWhenTheClientAcceptsOnlyThat() throws Exception {
    McpHttp c = start();
    McpHttp.Reply init = c.send("POST", initializeBody(1, "2025-06-18"), Map.of("Accept", "text/event-stream"));
    assertThat(init.status()).isEqualTo(200);
    assertThat(init.header("Content-Type")).startsWith("text/event-stream");
    assertThat(init.body()).startsWith("event: message\ndata: {").endsWith("\n\n");
    JsonNode data = McpHttp.JSON.readTree(init.body().lines().filter(l -> l.startsWith("data: ")).findFirst()
        .orElseThrow().substring(6));
    assertThat(data.at("/result/serverInfo/name").asText()).isEqualTo("quiver-agentdb");
    c.headers.put("Mcp-Session-Id", init.header("Mcp-Session-Id"));
    assertThat(c.send("POST", request(2, "ping", null), Map.of("Accept", "application/json")).header("Content-Type"))
        .startsWith("application/json");
    refused(c.send("POST", request(3, "ping", null), Map.of("Accept", "image/png")), 406);
    // a notification needs no answer, so Accept does not matter
    assertThat(c.send("POST", notification("x"), Map.of("Accept", "image/png")).status()).isEqualTo(202);
  }

  @Test
  void transportErrors() throws Exception {
    McpHttp c = start(ServerConfig.builder().maxRequestBytes(4096));
    assertThat(refused(c.post("{\"jsonrpc\":"), 400)).startsWith("Parse error");
    assertThat(c.post("{\"jsonrpc\":").json().at("/error/code").asInt()).isEqualTo(-32700);
    refused(c.send("POST", initializeBody(1, "2025-06-18"), Map.of("Content-Type", "text/plain")), 415);
    c.initialize("2025-06-18");
    String big = call(2, "reflexion_store", episode("x".repeat(5000), 0.5, true));
    assertThat(refused(c.post(big), 413)).contains("4096");
    // only an invalid message, no request: nothing to accept
    assertThat(refused(c.post("{\"jsonrpc\":\"1.0\",\"method\":\"x\"}"), 400)).contains("jsonrpc must be");
    JsonNode unknownTool = ok(c.post(call(3, "no_such_tool", "{}")));
    assertThat(unknownTool.at("/error/code").asInt()).isEqualTo(-32602);
    JsonNode badArgs = ok(c.post(call(4, "causal_add_edge",
        "{\"cause\":\"a\",\"effect\":\"b\",\"uplift\":0.1,\"confidence\":5}")));
    assertThat(badArgs.at("/result/isError").asBoolean()).isTrue();
    assertThat(badArgs.at("/result/content/0/text").asText()).contains("confidence: must be between 0 and 1");
    McpHttp.Reply get = c.send("GET", null, Map.of("Accept", "text/event-stream"));
    assertThat(refused(get, 405)).contains("no GET stream");
    assertThat(get.header("Allow")).isEqualTo("DELETE, POST");
    assertThat(c.send("PUT", "{}", Map.of()).status()).isEqualTo(405);
  }

  @Test
  void originsMustBeListedOrLoopback() throws Exception {
    McpHttp c = start(ServerConfig.builder().cors(new ServerConfig.Cors(true, List.of("*", "https://app.example"))));
    String init = initializeBody(1, "2025-06-18");
    assertThat(refused(c.send("POST", init, Map.of("Origin", "http://evil.example:6333")), 403))
        .contains("evil.example");
    assertThat(c.send("POST", init, Map.of("Origin", "null")).status()).isEqualTo(403);
    for (String origin : List.of("https://app.example", "http://localhost:5173", "http://127.0.0.1",
        "http://[::1]:8080")) {
      McpHttp.Reply r = c.send("POST", init, Map.of("Origin", origin));
      assertThat(r.status()).as(origin).isEqualTo(200);
      assertThat(r.header("Access-Control-Expose-Headers")).isEqualTo("Mcp-Session-Id");
    }
    c.initialize("2025-06-18");
    refused(c.send("DELETE", null, Map.of("Origin", "http://evil.example")), 403);
  }

  @Test
  void apiKeysAndTheReadOnlyKeyPerTool() throws Exception {
    McpHttp anonymous = start(ServerConfig.builder().apiKey(KEY).readOnlyApiKey(RO_KEY));
    assertThat(anonymous.post(initializeBody(1, "2025-06-18")).status()).isEqualTo(401);

    McpHttp full = new McpHttp(harness.server.port(), "/mcp");
    full.headers.put("Authorization", "Bearer " + KEY);
    full.initialize("2025-06-18");
    assertThat(ok(full.post(call(2, "reflexion_store", episode("fix the flaky login test", 1, true))))
        .at("/result/isError").asBoolean()).isFalse();

    McpHttp ro = new McpHttp(harness.server.port(), "/mcp");
    ro.headers.put("api-key", RO_KEY);
    ro.initialize("2025-06-18");
    assertThat(ok(ro.post(request(2, "tools/list", null))).at("/result/tools").size()).isPositive();
    JsonNode read = ok(ro.post(call(3, "reflexion_retrieve", "{\"task\":\"flaky login test\"}")));
    assertThat(read.at("/result/content/0/text").asText()).startsWith("🔍 Retrieved 1 episodes:");
    for (String write : List.of("reflexion_store", "skill_create", "causal_add_edge", "learning_start_session")) {
      JsonNode refused = ok(ro.post(call(4, write, episode("written by the read-only key", 1, true))));
      assertThat(refused.at("/error/code").asInt()).as(write).isEqualTo(McpHttpEndpoint.FORBIDDEN);
      assertThat(refused.at("/error/message").asText()).contains("read-only API key cannot call " + write);
    }
    JsonNode stats = ok(full.post(call(5, "db_stats", "{}")));
    assertThat(stats.at("/result/content/0/text").asText()).contains("Episodes (Vectors): 1");
    // the read-only key may end its session; other writes elsewhere stay refused
    assertThat(ro.send("DELETE", null, Map.of()).status()).isEqualTo(204);
    assertThat(ro.send("PUT", "{}", Map.of()).status()).isEqualTo(403);
    McpHttp wrong = new McpHttp(harness.server.port(), "/mcp");
    wrong.headers.put("api-key", "guess");
    assertThat(wrong.post(initializeBody(1, "2025-06-18")).status()).isEqualTo(401);
  }

  @Test
  void everyCataloguedToolIsClassifiedAndTheReadsMatchTheRestApi() {
    Set<String> reads = new HashSet<>();
    ToolCatalog.agentDb().tools().forEach(t -> {
      assertThat(McpToolAccess.classified(t.name())).as(t.name()).isTrue();
      if (McpToolAccess.reads(t.name())) {
        reads.add(t.name());
      }
    });
    assertThat(reads).containsExactlyInAnyOrder("agentdb_search", "agentdb_get", "agentdb_list",
        "reflexion_retrieve", "agentdb_pattern_get", "agentdb_pattern_list", "agentdb_pattern_search",
        "agentdb_pattern_stats", "skill_get", "skill_list", "skill_search", "causal_query", "causal_traverse",
        "recall_with_certificate", "db_stats", "agentdb_stats", "agentdb_capabilities", "learning_predict",
        "learning_metrics", "learning_explain", "reward_signal");
    assertThat(McpToolAccess.reads("a_tool_nobody_classified")).isFalse();
  }

  @Test
  void disabledOrMovedEndpoint() throws Exception {
    McpHttp off = start(ServerConfig.builder().mcp(McpHttpConfig.defaults().withEnabled(false)));
    assertThat(off.post(initializeBody(1, "2025-06-18")).status()).isEqualTo(404);
    harness.close();
    harness = null;
    McpHttp moved = start(ServerConfig.builder().agentEnabled(false)
        .mcp(McpHttpConfig.defaults().withPath("/agent-mcp").withAdmin(true)));
    assertThat(new McpHttp(harness.server.port(), "/mcp").post(initializeBody(1, "2025-06-18")).status())
        .isEqualTo(404);
    // with agent.enabled false, MCP still serves the agent memory: the two are switched separately
    moved.initialize("2025-06-18");
    assertThat(ok(moved.post(request(2, "tools/list", null))).at("/result/tools"))
        .hasSize(ToolCatalog.agentDb().tools().size());
  }

  @Test
  void pastMaxSessionsTheLeastRecentlyUsedEnds() throws Exception {
    int max = 1 + random().nextInt(3);
    start(ServerConfig.builder().mcp(McpHttpConfig.defaults().withMaxSessions(max)));
    List<McpHttp> clients = new ArrayList<>();
    for (int i = 0; i <= max; i++) {
      McpHttp c = new McpHttp(harness.server.port(), "/mcp");
      c.initialize("2025-06-18");
      clients.add(c);
    }
    refused(clients.getFirst().post(request(1, "ping", null)), 404);
    for (McpHttp c : clients.subList(1, clients.size())) {
      ok(c.post(request(1, "ping", null)));
    }
  }
}
