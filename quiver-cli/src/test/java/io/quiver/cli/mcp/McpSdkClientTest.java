package io.quiver.cli.mcp;

import static io.quiver.testing.ScriptRunner.onPath;
import static io.quiver.testing.ScriptRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.cli.QuiverCli;
import io.quiver.testing.ScriptRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives `quiver mcp` with the official MCP TypeScript SDK's client ({@code @modelcontextprotocol/sdk}, pinned in
 * src/test/js/package.json), which spawns the server as MCP clients do. Skipped when node/npm are missing or the npm
 * registry cannot be reached.
 */
class McpSdkClientTest {
  private static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();
  private static final long NPM_TIMEOUT_SECONDS = 300;
  private static final long SCRIPT_TIMEOUT_SECONDS = 120;

  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void officialSdkClientAgainstQuiverMcp() throws Exception {
    String node = onPath("node");
    String npm = onPath("npm");
    assumeTrue(node != null, "skipping MCP SDK client test: `node` is not on PATH");
    assumeTrue(npm != null, "skipping MCP SDK client test: `npm` is not on PATH");
    if (!Files.isDirectory(JS_DIR.resolve("node_modules").resolve("@modelcontextprotocol").resolve("sdk"))) {
      Result ci = run(JS_DIR, List.of(npm, "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_SECONDS, "npm");
      assumeTrue(ci.exitCode() == 0, "skipping MCP SDK client test: `npm ci` failed (exit " + ci.exitCode()
          + ", is the npm registry reachable?)");
    }
    List<String> cmd = new ArrayList<>(List.of(node, "mcp-client-test.mjs", "49",
        ProcessHandle.current().info().command().orElse("java"), "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        QuiverCli.class.getName(), "mcp", "--admin", "--data-dir", dir.resolve("data").toString()));
    assertThat(ToolCatalog.agentDb().tools()).hasSize(49);
    Result r = run(JS_DIR, cmd, SCRIPT_TIMEOUT_SECONDS, "mcp-sdk");
    assertThat(r.timedOut()).as("mcp-client-test.mjs timed out after %ss", SCRIPT_TIMEOUT_SECONDS).isFalse();
    assertThat(r.exitCode()).as("mcp-client-test.mjs exit code; output:%n%s", r.output()).isZero();
    assertThat(r.output()).contains("17 steps passed").contains("data directory closed");
  }
}
