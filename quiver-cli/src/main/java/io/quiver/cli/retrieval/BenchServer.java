package io.quiver.cli.retrieval;

import io.quiver.Quiver;
import io.quiver.server.QuiverServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where a retrieval benchmark sends its requests: the server at {@code --url}, or a server started in this process
 * over a temporary database that is deleted afterwards.
 */
final class BenchServer {
  /** A benchmark run against one server. */
  interface Run {
    void run(RestSession rest) throws IOException;
  }

  private BenchServer() {}

  /** Runs {@code run} against {@code url}, or, when it is null, against a temporary in-process server. */
  static void run(String url, String tempPrefix, Run run) throws IOException {
    if (url != null) {
      run.run(new RestSession(url));
      return;
    }
    Path tmp = Files.createTempDirectory(tempPrefix);
    try (Quiver db = Quiver.open(tmp)) {
      QuiverServer server = QuiverServer.start(db, "127.0.0.1", 0);
      try {
        run.run(new RestSession("http://127.0.0.1:" + server.port()));
      } finally {
        server.close();
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
