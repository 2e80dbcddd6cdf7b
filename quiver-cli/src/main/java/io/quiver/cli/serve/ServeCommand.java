package io.quiver.cli.serve;

import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver serve}: the Qdrant-compatible REST API over a database directory, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a Quiver database over the Qdrant REST API (Ctrl-C or SIGTERM stops it gracefully).")
public final class ServeCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger("io.quiver.server");

  @Option(names = "--port", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one)")
  int port = 6333;

  @Option(names = "--host", description = "address to bind (default ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces)")
  String host = "127.0.0.1";

  @Option(names = "--data-dir", description = "database directory, created if missing (default ${DEFAULT-VALUE})")
  Path dataDir = Path.of("quiver-data");

  @Override
  public Integer call() throws Exception {
    Quiver db = Quiver.open(dataDir);
    QuiverServer server;
    try {
      server = QuiverServer.start(db, host, port);
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
    LOG.log(System.Logger.Level.INFO, "quiver serving {0} on http://{1}:{2,number,#}", dataDir.toAbsolutePath(),
        host, server.port());
    stopped.await();
    return 0;
  }
}
