package io.quiver.server;

import static io.quiver.testing.ScriptRunner.onPath;
import static io.quiver.testing.ScriptRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.Quiver;
import io.quiver.testing.ScriptRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives a real QuiverServer with the official Qdrant JS REST client ({@code @qdrant/js-client-rest}, pinned in
 * src/test/js/package.json). Skipped when node/npm are missing or the npm registry cannot be reached.
 */
class QdrantJsClientTest {
  private static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();
  private static final long NPM_TIMEOUT_SECONDS = 300;
  private static final long SCRIPT_TIMEOUT_SECONDS = 120;

  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void officialJsClientAgainstServer() throws Exception {
    assumeTrue(Files.isRegularFile(JS_DIR.resolve("client-test.mjs")), "no JS client test at " + JS_DIR);
    String node = onPath("node");
    String npm = onPath("npm");
    assumeTrue(node != null, "skipping Qdrant JS client test: `node` is not on PATH");
    assumeTrue(npm != null, "skipping Qdrant JS client test: `npm` is not on PATH");

    if (!Files.isDirectory(JS_DIR.resolve("node_modules").resolve("@qdrant").resolve("js-client-rest"))
        || !Files.isDirectory(JS_DIR.resolve("node_modules").resolve("qdrant-js-client-1.12"))) {
      Result ci = run(JS_DIR, List.of(npm, "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_SECONDS, "npm");
      assumeTrue(ci.exitCode() == 0, "skipping Qdrant JS client test: `npm ci` failed (exit " + ci.exitCode()
          + ", is the npm registry reachable?)");
    }

    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      QuiverServer server = QuiverServer.start(db, "127.0.0.1", 0);
      // a second server over the same database that requires API keys, for the auth steps
      QuiverServer authServer = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0)
          .apiKey("js-full-key").readOnlyApiKey("js-read-only-key").build());
      try {
        Result r = run(JS_DIR, List.of(node, "client-test.mjs", "http://127.0.0.1:" + server.port(),
            "http://127.0.0.1:" + authServer.port(), "js-full-key", "js-read-only-key"),
            SCRIPT_TIMEOUT_SECONDS, "js-client");
        assertThat(r.timedOut()).as("client-test.mjs timed out after %ss", SCRIPT_TIMEOUT_SECONDS).isFalse();
        assertThat(r.exitCode()).as("client-test.mjs exit code; output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("steps passed");
      } finally {
        authServer.close();
        server.close();
      }
    }
  }
}
