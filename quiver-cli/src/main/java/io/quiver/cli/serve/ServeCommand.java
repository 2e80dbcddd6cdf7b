package io.quiver.cli.serve;

import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import io.quiver.server.ServerConfig;
import io.quiver.server.ServerConfigLoader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver serve}: the Qdrant-compatible REST API over a database directory, until interrupted. Settings come
 * from defaults, then {@code --config FILE} (YAML), then {@code QUIVER__SECTION__KEY} environment variables, then
 * these flags.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a Quiver database over the Qdrant REST API (Ctrl-C or SIGTERM stops it gracefully).",
    footer = {"", "Settings: defaults < --config YAML < QUIVER__SECTION__KEY environment variables < flags.",
        "Example: QUIVER__SERVICE__API_KEY=secret ./quiver serve   (keys in the environment stay out of `ps`)"})
public final class ServeCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger("io.quiver.server");

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (see docs/server.md)")
  Path config;

  @Option(names = "--port", description = "TCP port (default 6333; 0 picks a free one)")
  Integer port;

  @Option(names = "--grpc-port", paramLabel = "N", description = "TCP port of Qdrant's gRPC API (default 6334; 0 "
      + "picks a free one; -1 turns gRPC off)")
  Integer grpcPort;

  @Option(names = "--host", description = "address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)")
  String host;

  @Option(names = "--data-dir", description = "database directory, created if missing (default ./quiver-data)")
  Path dataDir;

  @Option(names = "--api-key", paramLabel = "KEY", description = "full-access API key (api-key header or Bearer)")
  String apiKey;

  @Option(names = "--read-only-api-key", paramLabel = "KEY", description = "API key that can read but not write")
  String readOnlyApiKey;

  @Option(names = "--memory-budget", paramLabel = "SIZE", description = "most heap the collections may hold, e.g."
      + " 2GiB (storage.memory_budget; the launcher also sizes the JVM heap from it)")
  String memoryBudget;

  /** The effective configuration: file, then environment, then flags. */
  ServerConfig effectiveConfig(Map<String, String> env) {
    ServerConfig.Builder b = ServerConfigLoader.load(config, env);
    if (port != null) {
      b.port(port);
    }
    if (grpcPort != null) {
      b.grpcPort(grpcPort);
    }
    if (host != null) {
      b.host(host);
    }
    if (dataDir != null) {
      b.dataDir(dataDir);
    }
    if (apiKey != null) {
      b.apiKey(apiKey);
    }
    if (readOnlyApiKey != null) {
      b.readOnlyApiKey(readOnlyApiKey);
    }
    if (memoryBudget != null) {
      b.memoryBudget(ServerConfigLoader.size(memoryBudget, "--memory-budget"));
    }
    return b.build();
  }

  /** A failure to start serving, with one line that says what to do; nothing is left open or locked. */
  static final class StartupException extends Exception {
    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A database and the server over it, closed in that order's reverse. */
  record Running(Quiver db, QuiverServer server, Path dataDir) {}

  /**
   * Opens the database and starts the server, or fails within seconds: a port in use, a database another process
   * holds, or any other startup failure closes what was opened (releasing the data directory's lock) and throws.
   */
  static Running start(ServerConfig cfg) throws StartupException {
    checkPortFree(cfg.host(), cfg.port(), "--port");
    if (cfg.grpcEnabled()) {
      checkPortFree(cfg.host(), cfg.grpcPort(), "--grpc-port");
    }
    Quiver db;
    try {
      db = Quiver.builder(cfg.dataDir()).memoryBudget(cfg.memoryBudget()).open();
    } catch (IOException | RuntimeException e) {
      throw new StartupException("cannot open the database in " + cfg.dataDir().toAbsolutePath() + ": "
          + e.getMessage(), e);
    }
    try {
      return new Running(db, QuiverServer.start(db, cfg), cfg.dataDir());
    } catch (RuntimeException e) {
      try {
        db.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw new StartupException("cannot start the server on " + cfg.host() + ":" + cfg.port() + ": "
          + e.getMessage(), e);
    }
  }

  /** Binds the address once and lets it go, so a port in use is told before the database is opened. */
  private static void checkPortFree(String host, int port, String flag) throws StartupException {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the server's own listener: a port in TIME_WAIT is free to it
      probe.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      throw new StartupException(portInUse(host, port, flag), e);
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      throw new StartupException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static String portInUse(String host, int port, String flag) {
    return "port " + port + " on " + host + " is already in use: stop the process that holds it (e.g. `ss -ltnp "
        + "'sport = :" + port + "'`) or choose another port with " + flag;
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = effectiveConfig(System.getenv());
    LOG.log(Level.INFO, "configuration: {0}", cfg);
    Running running = start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("quiver-shutdown").unstarted(() -> {
      boolean ok = shutDown(running, System.err);
      stopped.countDown();
      if (!ok) {
        Runtime.getRuntime().halt(1); // a failed close must show in the exit code, not only in the log
      }
    }));
    LOG.log(Level.INFO, "quiver serving {0} on {1}://{2}:{3,number,#} ({4})",
        cfg.dataDir().toAbsolutePath(), cfg.tls() == null ? "http" : "https", cfg.host(), running.server().port(),
        cfg.authEnabled() ? "API key required" : "no API key: anyone who can reach the port has full access");
    if (running.server().grpcPort() >= 0) {
      LOG.log(Level.INFO, "quiver serving Qdrant''s gRPC API on {0}:{1,number,#}{2}", cfg.host(),
          running.server().grpcPort(), cfg.tls() == null ? "" : " (TLS)");
    }
    stopped.await();
    return 0;
  }

  /**
   * Stops the server, then flushes and closes the database, reporting each step on {@code out}; false if a step
   * failed. It writes to a stream, not the logger: java.util.logging resets its handlers in a shutdown hook of its
   * own, which races this one, and lines logged after that reset are lost (seen: all but the first).
   */
  static boolean shutDown(Running running, PrintStream out) {
    boolean ok = true;
    long t0 = System.nanoTime();
    out.println("INFO io.quiver.server: shutting down: stopping the server, then flushing and closing the database");
    try {
      running.server().close();
      out.println("INFO io.quiver.server: server stopped: no new requests are accepted");
    } catch (RuntimeException e) {
      ok = false;
      out.println("ERROR io.quiver.server: stopping the server failed: " + e);
      e.printStackTrace(out);
    }
    int collections = running.db().collectionNames().size();
    try {
      running.db().close();
      out.println("INFO io.quiver.server: database closed: " + collections + " collection(s) flushed and closed,"
          + " lock on " + running.dataDir().toAbsolutePath() + " released");
    } catch (Exception e) {
      ok = false;
      out.println("ERROR io.quiver.server: closing the database failed: " + e + " (acknowledged writes are in the"
          + " write-ahead log and are replayed on the next start)");
      e.printStackTrace(out);
    }
    out.println("INFO io.quiver.server: shutdown " + (ok ? "complete" : "FAILED") + " in "
        + (System.nanoTime() - t0) / 1_000_000 + " ms");
    out.flush();
    return ok;
  }
}
