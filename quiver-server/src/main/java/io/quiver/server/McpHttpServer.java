package io.quiver.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.quiver.agent.AgentMemory;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * MCP over streamable HTTP alone, for {@code quiver mcp --http}: the endpoint of {@link McpHttpEndpoint} on an open
 * {@link AgentMemory}, behind the same request log and access filter (API keys, read-only key, rate limit, CORS
 * preflights) as the full server, configured by the same {@link ServerConfig} (its data directory, collections and
 * agent settings are not used). Every other path answers 404. Closing stops the server, not the memory.
 */
public final class McpHttpServer implements AutoCloseable {
  private final WebServer server;
  private final ServerConfig config;

  private McpHttpServer(AgentMemory memory, ServerConfig config) {
    this.config = config;
    McpHttpEndpoint e = McpHttpEndpoint.create(config, () -> memory);
    String path = config.mcp().path();
    var builder = WebServer.builder().host(config.host()).port(config.port()).shutdownHook(false)
        .routing(r -> r.addFilter(new RequestLog(config.requestLogLevel())).addFilter(new AccessFilter(config,
            new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst())))
            .post(path, e::post).delete(path, e::delete).get(path, e::get)
            .any((req, res) -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              body.putObject("status").put("error", "Not found: this server serves only MCP, at " + path);
              res.status(Status.NOT_FOUND_404).header(HeaderNames.CONTENT_TYPE, "application/json")
                  .send(body.toString().getBytes(StandardCharsets.UTF_8));
            }));
    if (config.tls() != null) {
      builder.tls(TlsSetup.tls(config.tls()));
    }
    this.server = builder.build().start();
  }

  /**
   * Serves {@code memory} over MCP at {@code config}'s host, port and {@code mcp.path}.
   *
   * @throws IllegalStateException when the server cannot listen
   */
  public static McpHttpServer start(AgentMemory memory, ServerConfig config) {
    Objects.requireNonNull(memory, "memory");
    McpHttpServer s = new McpHttpServer(memory, config.toBuilder().mcp(config.mcp().withEnabled(true)).build());
    if (s.port() < 0) {
      s.close();
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
          + " (is the port in use? see the log above)");
    }
    return s;
  }

  public int port() {
    return server.port();
  }

  /** The MCP endpoint's URL, for clients' configuration. */
  public String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return (config.tls() != null ? "https" : "http") + "://" + host + ":" + port() + config.mcp().path();
  }

  @Override
  public void close() {
    server.stop();
  }
}
