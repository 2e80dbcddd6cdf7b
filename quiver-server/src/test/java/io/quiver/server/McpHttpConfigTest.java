package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mcp} section: YAML, environment, defaults, and refused values. */
class McpHttpConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsServeAtMcpWithAdminToolsHidden() {
    McpHttpConfig c = ServerConfigLoader.load(null, Map.of()).build().mcp();
    assertThat(c).isEqualTo(McpHttpConfig.defaults());
    assertThat(c.enabled()).isTrue();
    assertThat(c.path()).isEqualTo("/mcp");
    assertThat(c.admin()).isFalse();
  }

  @Test
  void yamlThenEnvironment() throws Exception {
    Path yaml = dir.resolve("quiver.yaml");
    Files.writeString(yaml, """
        mcp:
          path: /agent-mcp
          admin: true
          session_idle_timeout_sec: 90
          max_sessions: 5
        """);
    McpHttpConfig c = ServerConfigLoader.load(yaml, Map.of("QUIVER__MCP__ENABLED", "false",
        "QUIVER__MCP__MAX_SESSIONS", "7")).build().mcp();
    assertThat(c).isEqualTo(new McpHttpConfig(false, "/agent-mcp", true, Duration.ofSeconds(90), 7));
  }

  @Test
  void badValuesStopStartupNamingTheKey() throws Exception {
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__PATH", "/collections/x")))
        .hasMessageContaining("taken by the REST API");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__PATH", "mcp")))
        .hasMessageContaining("mcp.path must be a literal path");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__PATH", "/a/{b}")))
        .hasMessageContaining("mcp.path must be a literal path");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__MAX_SESSIONS", "0")))
        .hasMessageContaining("mcp.max_sessions");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__SESSION_IDLE_TIMEOUT_SEC", "0")))
        .hasMessageContaining("mcp.session_idle_timeout_sec");
    assertThatThrownBy(() -> ServerConfigLoader.load(null, Map.of("QUIVER__MCP__ENABLED", "maybe")))
        .hasMessageContaining("mcp.enabled must be true or false");
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "mcp:\n  sessions: 3\n");
    assertThatThrownBy(() -> ServerConfigLoader.load(yaml, Map.of())).hasMessageContaining("unknown key 'mcp.sessions'");
  }
}
