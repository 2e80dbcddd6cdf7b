package io.quiver.cli.mcp;

import static io.quiver.testing.ScriptRunner.onPath;
import static io.quiver.testing.ScriptRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.Quiver;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.cli.QuiverCli;
import io.quiver.server.QuiverServer;
import io.quiver.server.ServerConfig;
import io.quiver.testing.ScriptRunner.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP TypeScript SDK's client ({@code @modelcontextprotocol/sdk}, pinned in src/test/js/package.json)
 * over streamable HTTP ({@code StreamableHTTPClientTransport}), against the full server's {@code /mcp} (what
 * {@code quiver serve} runs) and against {@code quiver mcp --http}. Skipped when node/npm are missing or the npm
 * registry cannot be reached.
 */
class McpHttpSdkClientTest {
  private static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();
  private static final long NPM_TIMEOUT_SECONDS = 300;
  private static final long SCRIPT_TIMEOUT_SECONDS = 120;
  private static final String KEY = "sdk-full-key";
  private static final String RO_KEY = "sdk-read-only-key";
  /** The steps mcp-http-client-test.mjs checks. */
  private static final String PASSED = "16 steps passed";

  @TempDir Path dir;

  private static String node() throws Exception {
    String node = onPath("node");
    String npm = onPath("npm");
    assumeTrue(node != null, "skipping MCP SDK HTTP client test: `node` is not on PATH");
    assumeTrue(npm != null, "skipping MCP SDK HTTP client test: `npm` is not on PATH");
    if (!Files.isDirectory(JS_DIR.resolve("node_modules").resolve("@modelcontextprotocol").resolve("sdk"))) {
      Result ci = run(JS_DIR, List.of(npm, "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_SECONDS, "npm");
      assumeTrue(ci.exitCode() == 0, "skipping MCP SDK HTTP client test: `npm ci` failed (exit " + ci.exitCode()
          + ", is the npm registry reachable?)");
    }
    return node;
  }

  private static Result script(String node, String url) throws Exception {
    int tools = ToolCatalog.agentDb().tools().size() - ToolCatalog.agentDb().adminOnly().size();
    Result r = run(JS_DIR, List.of(node, "mcp-http-client-test.mjs", url, String.valueOf(tools), KEY, RO_KEY),
        SCRIPT_TIMEOUT_SECONDS, "mcp-http-sdk");
    assertThat(r.timedOut()).as("mcp-http-client-test.mjs timed out after %ss", SCRIPT_TIMEOUT_SECONDS).isFalse();
    assertThat(r.exitCode()).as("mcp-http-client-test.mjs exit code; output:%n%s", r.output()).isZero();
    assertThat(r.output()).contains(PASSED);
    return r;
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void officialSdkClientAgainstTheServersMcpEndpoint() throws Exception {
    String node = node();
    try (Quiver db = Quiver.open(dir.resolve("db"));
        QuiverServer server = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0).apiKey(KEY)
            .readOnlyApiKey(RO_KEY).build())) {
      script(node, "http://127.0.0.1:" + server.port() + "/mcp");
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void officialSdkClientAgainstQuiverMcpHttp() throws Exception {
    String node = node();
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path log = dir.resolve("server.log");
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), QuiverCli.class.getName(), "mcp", "--http", String.valueOf(port),
        "--data-dir", dir.resolve("data").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("QUIVER__SERVICE__API_KEY", KEY);
    pb.environment().put("QUIVER__SERVICE__READ_ONLY_API_KEY", RO_KEY);
    Process p = pb.start();
    try {
      awaitListening(p, port, log);
      script(node, "http://127.0.0.1:" + port + "/mcp");
      p.destroy(); // SIGTERM: the hook stops the server and closes the memory
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(out).contains("MCP over streamable HTTP at http://127.0.0.1:" + port + "/mcp")
          .contains("data directory closed");
    } finally {
      p.destroyForcibly();
    }
  }

  /** Polls the port (at most 600 times, 100 ms apart) until the subprocess accepts connections. */
  private static void awaitListening(Process p, int port, Path log) throws Exception {
    for (int i = 0; i < 600; i++) {
      assertThat(p.isAlive()).as("quiver mcp --http exited early:%n%s", readQuietly(log)).isTrue();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("quiver mcp --http did not listen on " + port + ":\n" + readQuietly(log));
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
