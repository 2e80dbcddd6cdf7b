package io.quiver.cli.serve;

import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import io.quiver.server.ServerConfig;
import io.quiver.server.ServerConfigLoader;
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

  @Option(names = "--host", description = "address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)")
  String host;

  @Option(names = "--data-dir", description = "database directory, created if missing (default ./quiver-data)")
  Path dataDir;

  @Option(names = "--api-key", paramLabel = "KEY", description = "full-access API key (api-key header or Bearer)")
  String apiKey;

  @Option(names = "--read-only-api-key", paramLabel = "KEY", description = "API key that can read but not write")
  String readOnlyApiKey;

  /** The effective configuration: file, then environment, then flags. */
  ServerConfig effectiveConfig(Map<String, String> env) {
    ServerConfig.Builder b = ServerConfigLoader.load(config, env);
    if (port != null) {
      b.port(port);
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
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = effectiveConfig(System.getenv());
    LOG.log(System.Logger.Level.INFO, "configuration: {0}", cfg);
    Quiver db = Quiver.open(cfg.dataDir());
    QuiverServer server;
    try {
      server = QuiverServer.start(db, cfg);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("quiver-shutdown").unstarted(() -> {
      LOG.log(System.Logger.Level.INFO, "shutting down: stopping the server, then closing the database");
      try {
        server.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "stopping the server failed", e);
      }
      try {
        db.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.ERROR, "closing the database failed", e);
      }
      stopped.countDown();
    }));
    LOG.log(System.Logger.Level.INFO, "quiver serving {0} on {1}://{2}:{3,number,#} ({4})",
        cfg.dataDir().toAbsolutePath(), cfg.tls() == null ? "http" : "https", cfg.host(), server.port(),
        cfg.authEnabled() ? "API key required" : "no API key: anyone who can reach the port has full access");
    stopped.await();
    return 0;
  }
}
