package io.quiver.cli.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import io.quiver.QuiverVersion;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.cli.QuiverCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `quiver mcp` as an MCP client runs it: a child JVM whose stdin and stdout carry JSON-RPC lines. Every line the
 * child writes to stdout is kept and must be a JSON-RPC 2.0 message answering one request.
 */
class McpCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long REPLY_SECONDS = 60;

  @TempDir
  Path dir;

  /** The server process, its stdin, and every stdout line in a queue. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final OutputStream in;
    final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    final List<String> allOut = new ArrayList<>();
    final Path stderr;

    Child(Path dataDir, Path stderr, String... extra) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
          "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
          System.getProperty("java.class.path"), QuiverCli.class.getName(), "mcp", "--data-dir", dataDir.toString()));
      cmd.addAll(List.of(extra));
      this.stderr = stderr;
      process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
      in = process.getOutputStream();
      Thread.ofVirtual().start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (allOut) {
              allOut.add(line);
            }
            out.add(line);
          }
        } catch (IOException e) {
          out.add("READ FAILED " + e);
        }
      });
    }

    void send(String line) throws IOException {
      in.write((line + "\n").getBytes(UTF_8));
      in.flush();
    }

    JsonNode reply() throws Exception {
      String line = out.poll(REPLY_SECONDS, TimeUnit.SECONDS);
      assertThat(line).as("a reply within %d s; stderr:%n%s", REPLY_SECONDS, Files.readString(stderr)).isNotNull();
      return MAPPER.readTree(line);
    }

    JsonNode request(int id, String method, String params) throws Exception {
      send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
          + (params == null ? "" : ",\"params\":" + params) + "}");
      JsonNode r = reply();
      assertThat(r.get("id").asInt()).as("reply to request %d: %s", id, r).isEqualTo(id);
      return r;
    }

    List<String> stdoutLines() {
      synchronized (allOut) {
        return List.copyOf(allOut);
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void speaksMcpOverStdioAndClosesWhenStdinEnds() throws Exception {
    Path data = dir.resolve("data");
    try (Child c = new Child(data, dir.resolve("stderr.txt"), "--admin")) {
      JsonNode init = c.request(1, "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}");
      assertThat(init.at("/result/protocolVersion").asText()).isEqualTo("2025-06-18");
      assertThat(init.at("/result/serverInfo/name").asText()).isEqualTo("quiver-agentdb");
      assertThat(init.at("/result/serverInfo/version").asText()).isEqualTo(QuiverVersion.current());
      assertThat(init.at("/result/capabilities/tools").isObject()).isTrue();
      c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

      JsonNode tools = c.request(2, "tools/list", "{}").at("/result/tools");
      Map<String, JsonNode> reference = referenceSchemas();
      assertThat(reference).hasSize(49);
      Map<String, JsonNode> listed = new HashMap<>();
      tools.forEach(t -> listed.put(t.get("name").asText(), t.get("inputSchema")));
      assertThat(tools).hasSize(49);
      assertThat(listed).isEqualTo(reference);
      assertThat(listed).containsKeys("reflexion_store", "reflexion_retrieve", "skill_search", "causal_add_edge",
          "recall_with_certificate", "learning_start_session", "db_stats", "agentdb_delete");

      assertThat(c.request(3, "ping", null).get("result").isEmpty()).isTrue();
      assertThat(c.request(4, "resources/list", "{}").at("/error/code").asInt()).isEqualTo(-32601);

      c.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"");
      JsonNode parse = c.reply();
      assertThat(parse.at("/error/code").asInt()).isEqualTo(-32700);
      assertThat(parse.get("id").isNull()).isTrue();
      assertThat(c.request(6, "ping", null).has("result")).as("serving after a parse error").isTrue();

      JsonNode missing = c.request(7, "tools/call", "{\"name\":\"reflexion_store\",\"arguments\":{\"task\":\"t\"}}");
      assertThat(missing.at("/result/isError").asBoolean()).isTrue();
      assertThat(missing.at("/result/content/0/text").asText())
          .contains("session_id: is required", "reward: is required", "success: is required");
      JsonNode confidence = c.request(8, "tools/call", "{\"name\":\"causal_add_edge\",\"arguments\":{\"cause\":\"a\","
          + "\"effect\":\"b\",\"uplift\":0.1,\"confidence\":5}}");
      assertThat(confidence.at("/result/content/0/text").asText()).contains("confidence: must be between 0 and 1");
      assertThat(c.request(9, "tools/call", "{\"name\":\"nope\",\"arguments\":{}}").at("/error/code").asInt())
          .isEqualTo(-32602);
      assertThat(c.request(10, "ping", null).has("result")).as("serving after bad calls").isTrue();

      c.in.close();
      assertThat(c.process.waitFor(60, TimeUnit.SECONDS)).as("exits when stdin closes").isTrue();
      assertThat(c.process.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("data directory closed");
      List<String> lines = c.stdoutLines();
      assertThat(lines).as("one stdout line per request (the notification is not answered)").hasSize(10);
      for (String l : lines) {
        assertThat(MAPPER.readTree(l).get("jsonrpc").asText()).as("stdout line %s", l).isEqualTo("2.0");
      }
    }
    try (Quiver db = Quiver.open(data)) {
      assertThat(db).as("the data directory's lock was released").isNotNull();
    }
  }

  @Test
  void hidesAdminToolsByDefaultAndClosesOnSigterm() throws Exception {
    Path data = dir.resolve("data");
    try (Child c = new Child(data, dir.resolve("stderr.txt"))) {
      JsonNode tools = c.request(1, "tools/list", null).at("/result/tools");
      assertThat(tools).hasSize(49 - ToolCatalog.agentDb().adminOnly().size());
      JsonNode admin = c.request(2, "tools/call", "{\"name\":\"skill_delete\",\"arguments\":{\"skill_id\":1}}");
      assertThat(admin.at("/error/message").asText()).contains("--admin");
      c.process.destroy(); // SIGTERM
      assertThat(c.process.waitFor(60, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
      assertThat(Files.readString(dir.resolve("stderr.txt"))).as("exit %d", c.process.exitValue())
          .contains("data directory closed");
    }
    try (Quiver db = Quiver.open(data)) {
      assertThat(db).as("the data directory's lock was released").isNotNull();
    }
  }

  @Test
  void anAcknowledgedStoreSurvivesSigkill() throws Exception {
    Path data = dir.resolve("data");
    String store = "{\"name\":\"reflexion_store\",\"arguments\":{\"session_id\":\"s1\",\"task\":\"fix the"
        + " failing login test\",\"reward\":0.9,\"success\":true,\"critique\":\"check the cookie path\"}}";
    String retrieve = "{\"name\":\"reflexion_retrieve\",\"arguments\":{\"task\":\"login test\",\"k\":5}}";
    long id;
    try (Child c = new Child(data, dir.resolve("stderr.txt"), "--embedder", "token-hash")) {
      JsonNode stored = c.request(1, "tools/call", store);
      assertThat(stored.at("/result/isError").asBoolean()).as("%s", stored).isFalse();
      assertThat(stored.at("/result/content/0/text").asText()).startsWith("✅ Stored episode #")
          .contains("Task: fix the failing login test", "Reward: 0.9");
      id = stored.at("/result/structuredContent/id").asLong();
      JsonNode found = c.request(2, "tools/call", retrieve);
      assertThat(found.at("/result/content/0/text").asText()).contains("1. Episode " + id);
      JsonNode stats = c.request(3, "tools/call", "{\"name\":\"db_stats\",\"arguments\":{}}");
      assertThat(stats.at("/result/content/0/text").asText()).contains("Episodes (Vectors): 1", "Embedder: ");
      assertThat(stats.at("/result/structuredContent/embedder/dimension").asInt()).isPositive();
      c.process.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(c.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    try (Child c = new Child(data, dir.resolve("stderr2.txt"))) {
      JsonNode found = c.request(1, "tools/call", retrieve);
      assertThat(found.at("/result/content/0/text").asText()).as("after SIGKILL and restart")
          .contains("1. Episode " + id, "Task: fix the failing login test");
    }
  }

  private static Map<String, JsonNode> referenceSchemas() throws IOException {
    try (InputStream in = ToolCatalog.class.getResourceAsStream(ToolCatalog.AGENTDB_RESOURCE)) {
      Map<String, JsonNode> m = new HashMap<>();
      MAPPER.readTree(in).get("tools").forEach(t -> m.put(t.get("name").asText(), t.get("inputSchema")));
      return m;
    }
  }
}
