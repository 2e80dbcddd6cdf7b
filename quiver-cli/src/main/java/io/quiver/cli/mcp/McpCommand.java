package io.quiver.cli.mcp;

import io.quiver.agent.AgentMemory;
import io.quiver.agent.mcp.McpServer;
import io.quiver.agent.mcp.ServerInfo;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.tools.MemoryTools;
import io.quiver.server.McpHttpServer;
import io.quiver.server.ServerConfig;
import io.quiver.server.ServerConfigLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code quiver mcp}: AgentDB's MCP tools over stdio on a Quiver data directory, until standard input closes or the
 * process gets SIGTERM; either way the call in flight completes and the database is flushed and closed. With
 * {@code --http PORT} the same tools are served over MCP's streamable HTTP transport instead ({@link McpHttpServer},
 * the endpoint {@code quiver serve} also offers), until SIGTERM. Standard
 * output carries only JSON-RPC: System.out is pointed at standard error before anything else runs, so a stray print
 * of any library cannot corrupt the stream; logging (java.util.logging's console handler) goes to standard error.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
    description = "Serve agent memory over MCP (stdio): AgentDB 3.3.0's tools, names and input schemas on a Quiver"
        + " data directory.",
    footer = {"", "Admin-only tools (agentdb_init, agentdb_delete, agentdb_delete_batch, agentdb_pattern_delete,"
        + " skill_delete, agentdb_clear_cache) are hidden unless --admin is given, as in AgentDB's default profile.",
        "MCP client configuration: {\"command\": \"/path/to/quiver\", \"args\": [\"mcp\", \"--data-dir\", \"DIR\"]}",
        "With --http PORT: streamable HTTP at http://HOST:PORT/mcp ({\"type\": \"http\", \"url\": ...}); API keys,"
            + " CORS and limits come from --config FILE and QUIVER__SERVICE__... variables as for `quiver serve`"
            + " (see docs/mcp.md)."})
public final class McpCommand implements Callable<Integer> {
  private static final Logger LOG = System.getLogger("io.quiver.agent.mcp");

  @Option(names = "--data-dir", description = "data directory, created if missing (default ./quiver-data)")
  Path dataDir = Path.of("quiver-data");

  @Option(names = "--embedder", paramLabel = "NAME", converter = EmbedderConverter.class,
      description = "text embedder: token-hash (built in, no model) or minilm (all-MiniLM-L6-v2, in the jar);"
          + " default token-hash")
  Embedder embedder = Embedder.TOKEN_HASH;

  @Option(names = "--admin", description = "also offer the admin-only tools (init, deletes, cache clearing)")
  boolean admin;

  @Option(names = "--http", paramLabel = "PORT", description = "serve MCP over streamable HTTP on this port (0 picks a"
      + " free one) instead of stdio")
  Integer httpPort;

  @Option(names = "--host", description = "with --http: address to bind (default 127.0.0.1)")
  String host;

  @Option(names = "--config", paramLabel = "FILE", description = "with --http: the server's YAML configuration (keys,"
      + " CORS, limits, mcp.path; see docs/server.md)")
  Path config;

  /**
   * The text embedders the memory can use ({@code Embedders.create} by flag); the choice is fixed for a server's life
   * and reported by db_stats and agentdb_stats, never swapped.
   */
  public enum Embedder {
    TOKEN_HASH("token-hash"), MINILM("minilm");

    private final String flag;

    Embedder(String flag) {
      this.flag = flag;
    }

    public String flag() {
      return flag;
    }
  }

  public static final class EmbedderConverter implements ITypeConverter<Embedder> {
    @Override
    public Embedder convert(String value) {
      for (Embedder e : Embedder.values()) {
        if (e.flag.equals(value.toLowerCase(Locale.ROOT))) {
          return e;
        }
      }
      throw new TypeConversionException("unknown embedder '" + value + "': token-hash or minilm");
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintStream protocol = System.out;
    System.setOut(System.err);
    if (httpPort == null && (host != null || config != null)) {
      System.err.println("quiver mcp: --host and --config apply to --http only");
      return 2;
    }
    ServerConfig httpConfig = httpPort == null ? null : httpConfig(System.getenv());
    AgentMemory memory = AgentMemory.open(dataDir, embedder.flag());
    if (httpConfig != null) {
      return serveHttp(memory, httpConfig);
    }
    ToolRegistry registry = ToolRegistry.builder(ToolCatalog.agentDb()).admin(admin).group(new MemoryTools(memory))
        .build();
    McpServer server = new McpServer(registry, ServerInfo.quiver("Agent memory with AgentDB's tools, stored in"
        + " Quiver collections; answers start with AgentDB's text lines."));
    CloseOnce shutDown = new CloseOnce(server, memory, System.err);
    Thread hook = Thread.ofPlatform().name("quiver-mcp-shutdown").unstarted(shutDown);
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.log(Level.INFO, "quiver mcp on {0}: {1} tools ({2} admin-only {3}), embedder {4}",
        dataDir.toAbsolutePath(), registry.tools().size(), ToolCatalog.agentDb().adminOnly().size(),
        admin ? "included" : "hidden: --admin shows them", memory.stats().embedder());
    if (!registry.unavailable().isEmpty()) {
      LOG.log(Level.INFO, "not available in this build: {0}", String.join(", ", registry.unavailable()));
    }
    try {
      server.serve(System.in, protocol);
    } finally {
      shutDown.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: it closed everything, once
      }
    }
    return 0;
  }

  /** The HTTP server's settings: file, then environment, then flags, as {@code quiver serve} reads them. */
  ServerConfig httpConfig(Map<String, String> env) {
    ServerConfig.Builder b = ServerConfigLoader.load(config, env).port(httpPort);
    if (host != null) {
      b.host(host);
    }
    ServerConfig c = b.build();
    return c.toBuilder().mcp(c.mcp().withAdmin(admin || c.mcp().admin())).build();
  }

  /** Serves over HTTP until SIGTERM; the hook stops the server (calls in flight finish) and closes the memory. */
  private int serveHttp(AgentMemory memory, ServerConfig cfg) throws InterruptedException {
    McpHttpServer server;
    try {
      server = McpHttpServer.start(memory, cfg);
    } catch (RuntimeException e) {
      try {
        memory.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CloseOnce shutDown = new CloseOnce(server, memory, System.err);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("quiver-mcp-shutdown").unstarted(() -> {
      shutDown.run();
      stopped.countDown();
    }));
    LOG.log(Level.INFO, "quiver mcp on {0}: MCP over streamable HTTP at {1} ({2}), embedder {3}",
        dataDir.toAbsolutePath(), server.url(), cfg.authEnabled() ? "API keys required" : "no API key",
        memory.stats().embedder());
    stopped.await();
    return 0;
  }

  /**
   * Lets the call in flight finish, then closes the database, once; whichever thread comes second waits until the
   * first has finished. Both do come: Process.destroy() and most supervisors close the server's stdin as they send
   * SIGTERM, so the serving thread sees end of input while the shutdown hook starts, and the JVM halts as soon as the
   * hooks return, cutting short a close still running on the serving thread.
   *
   * <p>Written to a stream, not the logger: java.util.logging resets its handlers in a shutdown hook of its own that
   * races this one.
   */
  private static final class CloseOnce implements Runnable {
    private final AutoCloseable server;
    private final AgentMemory memory;
    private final PrintStream err;
    private boolean done;

    CloseOnce(AutoCloseable server, AgentMemory memory, PrintStream err) {
      this.server = server;
      this.memory = memory;
      this.err = err;
    }

    @Override
    public synchronized void run() {
      if (done) {
        return;
      }
      done = true;
      try {
        server.close();
      } catch (Exception e) {
        err.println("ERROR io.quiver.agent.mcp: stopping the server failed: " + e);
      }
      try {
        memory.close();
        err.println("INFO io.quiver.agent.mcp: data directory closed");
      } catch (IOException | RuntimeException | Error e) {
        err.println("ERROR io.quiver.agent.mcp: closing the data directory failed: " + e);
        e.printStackTrace(err);
      }
      err.flush();
    }
  }
}
