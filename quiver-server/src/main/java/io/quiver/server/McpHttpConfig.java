package io.quiver.server;

import java.time.Duration;
import java.util.Objects;

/**
 * MCP over streamable HTTP ({@code mcp.*}): AgentDB's tools on the same agent memory as {@code /quiver/agent}.
 *
 * @param enabled whether the endpoint is served ({@code mcp.enabled}, default on)
 * @param path where ({@code mcp.path}, default {@code /mcp}); one literal path outside the REST API's namespaces
 * @param admin whether the admin-only tools (init, deletes, cache clearing) are offered ({@code mcp.admin}, default
 *     off, as in AgentDB's default profile)
 * @param sessionIdleTimeout how long a session lives unused ({@code mcp.session_idle_timeout_sec}); its client then
 *     gets 404 and initializes a new one
 * @param maxSessions most sessions kept at once ({@code mcp.max_sessions}); a new one beyond it ends the session
 *     unused the longest
 */
public record McpHttpConfig(boolean enabled, String path, boolean admin, Duration sessionIdleTimeout,
    int maxSessions) {
  public static final String DEFAULT_PATH = "/mcp";
  public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofHours(1);
  public static final int DEFAULT_MAX_SESSIONS = 10_000;

  public McpHttpConfig {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
    if (!path.matches("/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")) {
      throw new IllegalArgumentException("mcp.path must be a literal path such as /mcp, got '" + path + "'");
    }
    if (path.equals("/collections") || path.startsWith("/collections/") || path.startsWith("/quiver/")
        || path.equals("/aliases") || path.equals("/metrics") || path.matches("/(healthz|livez|readyz)")) {
      throw new IllegalArgumentException("mcp.path " + path + " is taken by the REST API");
    }
    if (sessionIdleTimeout.isNegative() || sessionIdleTimeout.isZero()) {
      throw new IllegalArgumentException("mcp.session_idle_timeout_sec must be positive");
    }
    if (maxSessions < 1) {
      throw new IllegalArgumentException("mcp.max_sessions must be >= 1, got " + maxSessions);
    }
  }

  /** Served at /mcp, admin tools hidden, sessions idle for an hour expire, at most 10,000 of them. */
  public static McpHttpConfig defaults() {
    return new McpHttpConfig(true, DEFAULT_PATH, false, DEFAULT_SESSION_IDLE_TIMEOUT, DEFAULT_MAX_SESSIONS);
  }

  public McpHttpConfig withEnabled(boolean v) {
    return new McpHttpConfig(v, path, admin, sessionIdleTimeout, maxSessions);
  }

  public McpHttpConfig withPath(String v) {
    return new McpHttpConfig(enabled, v, admin, sessionIdleTimeout, maxSessions);
  }

  public McpHttpConfig withAdmin(boolean v) {
    return new McpHttpConfig(enabled, path, v, sessionIdleTimeout, maxSessions);
  }

  public McpHttpConfig withSessionIdleTimeout(Duration v) {
    return new McpHttpConfig(enabled, path, admin, v, maxSessions);
  }

  public McpHttpConfig withMaxSessions(int v) {
    return new McpHttpConfig(enabled, path, admin, sessionIdleTimeout, v);
  }
}
