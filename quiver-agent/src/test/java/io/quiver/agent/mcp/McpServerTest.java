package io.quiver.agent.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The protocol in process: each line in, the lines out. The subprocess test is quiver-cli's McpCommandTest. */
class McpServerTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final AtomicInteger stored = new AtomicInteger();

  private ToolRegistry registry(boolean admin) {
    return ToolRegistry.builder(ToolCatalog.agentDb()).admin(admin)
        .group(tools -> tools
            .handle("reflexion_store", args -> {
              int id = stored.incrementAndGet();
              return ToolResult.success(AgentDbText.episodeStored(id, args.get("task").asText(),
                  args.get("reward").asDouble(), args.get("success").asBoolean()),
                  JsonNodeFactory.instance.objectNode().put("id", id));
            })
            .handle("db_stats", args -> {
              throw new IllegalStateException("disk on fire");
            })
            .handle("skill_get", args -> {
              throw new ToolException("skill #" + args.get("skill_id").asLong() + " does not exist");
            }))
        .build();
  }

  private List<JsonNode> exchange(ToolRegistry registry, String... lines) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (McpServer server = new McpServer(registry, ServerInfo.quiver(null))) {
      server.serve(new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)), out);
    }
    List<JsonNode> replies = new ArrayList<>();
    for (String l : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      if (!l.isEmpty()) {
        replies.add(MAPPER.readTree(l));
      }
    }
    return replies;
  }

  private static String call(int id, String tool, String args) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + args + "}}";
  }

  @Test
  void negotiatesTheClientsVersionWhenSupportedElseTheLatest() throws Exception {
    for (String v : ProtocolVersions.SUPPORTED) {
      JsonNode r = exchange(registry(false), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
          + "{\"protocolVersion\":\"" + v + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}")
          .getFirst();
      assertThat(r.at("/result/protocolVersion").asText()).isEqualTo(v);
      assertThat(r.at("/result/serverInfo/name").asText()).isEqualTo("quiver-agentdb");
      assertThat(r.at("/result/capabilities/tools").isObject()).isTrue();
    }
    JsonNode r = exchange(registry(false), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"2099-01-01\"}}").getFirst();
    assertThat(r.at("/result/protocolVersion").asText()).isEqualTo("2025-06-18");
  }

  @Test
  void listsTheNonAdminToolsByDefaultAndAllWithAdmin() throws Exception {
    String list = "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\"}";
    JsonNode plain = exchange(registry(false), list).getFirst().at("/result/tools");
    JsonNode admin = exchange(registry(true), list).getFirst().at("/result/tools");
    assertThat(plain).hasSize(43);
    assertThat(admin).hasSize(49);
    List<String> names = new ArrayList<>();
    plain.forEach(t -> names.add(t.get("name").asText()));
    assertThat(names).doesNotContainAnyElementsOf(ToolCatalog.agentDb().adminOnly()).contains("reflexion_store");
    JsonNode hidden = exchange(registry(false), call(2, "agentdb_delete", "{\"id\":1}")).getFirst();
    assertThat(hidden.at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(hidden.at("/error/message").asText()).contains("--admin");
  }

  @Test
  void answersJsonRpcErrorsAndKeepsServing() throws Exception {
    List<JsonNode> r = exchange(registry(false),
        "{not json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no/such\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\",\"params\":3}",
        "[]",
        "\"just a string\"",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}",
        "",
        "[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]",
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
    assertThat(r).extracting(n -> n.isArray() ? "batch" : n.at("/error/code").asText("ok"))
        .containsExactly("-32700", "-32601", "-32600", "-32602", "-32600", "-32600", "-32600", "-32600", "-32600", "batch",
            "ok");
    assertThat(r.getFirst().get("id").isNull()).isTrue();
    assertThat(r.get(2).get("id").asInt()).isEqualTo(2);
    assertThat(r.get(4).get("id").isNull()).as("an id of the wrong type is not echoed").isTrue();
    assertThat(r.get(9)).hasSize(1);
    assertThat(r.get(9).get(0).get("id").asInt()).isEqualTo(5);
    assertThat(r.getLast().get("result").isEmpty()).isTrue();
  }

  @Test
  void toolFailuresAreErrorResults() throws Exception {
    List<JsonNode> r = exchange(registry(false),
        call(1, "reflexion_store", "{\"session_id\":\"s\",\"task\":\"fix it\"}"),
        call(2, "reflexion_store", "{\"session_id\":\"s\",\"task\":\"fix it\",\"reward\":1.5,\"success\":true}"),
        call(3, "reflexion_store", "{\"session_id\":\"s\",\"task\":\"fix it\",\"reward\":0.9,\"success\":true}"),
        call(4, "db_stats", "{}"),
        call(5, "skill_get", "{\"skill_id\":7}"),
        call(6, "skill_search", "{\"task\":\"x\"}"),
        call(7, "reflexion_store", "[1]"));
    assertThat(r.get(0).at("/result/isError").asBoolean()).isTrue();
    assertThat(r.get(0).at("/result/content/0/text").asText())
        .isEqualTo("Invalid arguments for reflexion_store: reward: is required; success: is required");
    assertThat(r.get(1).at("/result/content/0/text").asText()).endsWith("reward: must be between 0 and 1, not 1.5");
    assertThat(stored.get()).as("only the valid call reached the handler").isEqualTo(1);
    assertThat(r.get(2).at("/result/isError").asBoolean()).isFalse();
    assertThat(r.get(2).at("/result/content/0/text").asText()).contains("Stored episode #1");
    assertThat(r.get(2).at("/result/structuredContent/id").asInt()).isEqualTo(1);
    assertThat(MAPPER.readTree(r.get(2).at("/result/content/1/text").asText()).get("id").asInt()).isEqualTo(1);
    assertThat(r.get(3).at("/result/isError").asBoolean()).isTrue();
    assertThat(r.get(3).at("/result/content/0/text").asText()).contains("db_stats failed inside the server");
    assertThat(r.get(4).at("/result/content/0/text").asText()).isEqualTo("skill #7 does not exist");
    assertThat(r.get(5).at("/result/isError").asBoolean()).isTrue();
    assertThat(r.get(5).at("/result/content/0/text").asText()).contains("not available in this build");
    assertThat(r.get(6).at("/error/code").asInt()).isEqualTo(-32602);
  }

  /** close (the SIGTERM path) waits for the call in flight to answer, and no line after it is handled. */
  @Test
  void closeWaitsForTheCallInFlightAndStopsReading() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ToolRegistry registry = ToolRegistry.builder(ToolCatalog.agentDb()).group(tools -> tools.handle("db_stats", args -> {
      calls.incrementAndGet();
      entered.countDown();
      release.await();
      return ToolResult.success("done");
    })).build();
    PipedOutputStream clientOut = new PipedOutputStream();
    PipedInputStream serverIn = new PipedInputStream(clientOut, 1 << 16);
    ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
    McpServer server = new McpServer(registry, ServerInfo.quiver(null));
    Thread serving = Thread.ofPlatform().start(() -> {
      try {
        server.serve(serverIn, serverOut);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    clientOut.write((call(1, "db_stats", "{}") + "\n").getBytes(StandardCharsets.UTF_8));
    clientOut.flush();
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    Thread closing = Thread.ofPlatform().start(server::close);
    closing.join(200);
    assertThat(closing.isAlive()).as("close waits while the call runs").isTrue();
    release.countDown();
    closing.join(30_000);
    assertThat(closing.isAlive()).isFalse();
    assertThat(serverOut.toString(StandardCharsets.UTF_8)).as("the call in flight was answered").contains("done");
    try {
      clientOut.write((call(2, "db_stats", "{}") + "\n").getBytes(StandardCharsets.UTF_8));
      clientOut.close();
    } catch (IOException readEndDead) {
      // the server may have stopped reading already, which is what close promises
    }
    serving.join(30_000);
    assertThat(serving.isAlive()).isFalse();
    assertThat(calls.get()).as("no call after close").isEqualTo(1);
    assertThat(serverOut.toString(StandardCharsets.UTF_8).split("\n")).hasSize(1);
  }

  @Test
  void registryRefusesUnknownOrDuplicateHandlers() {
    ToolRegistry.Builder b = ToolRegistry.builder(ToolCatalog.agentDb());
    b.handle("db_stats", args -> ToolResult.success("x"));
    assertThatThrownBy(() -> b.handle("db_stats", args -> ToolResult.success("y")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.handle("no_such_tool", args -> ToolResult.success("y")))
        .isInstanceOf(IllegalArgumentException.class);
    ToolRegistry r = b.build();
    assertThat(r.unavailable()).hasSize(42).doesNotContain("db_stats");
  }
}
