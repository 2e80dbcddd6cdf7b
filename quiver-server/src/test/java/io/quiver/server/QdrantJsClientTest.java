package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.Quiver;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
      Result ci = run(List.of(npm, "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_SECONDS, "npm");
      assumeTrue(ci.exitCode == 0, "skipping Qdrant JS client test: `npm ci` failed (exit " + ci.exitCode
          + ", is the npm registry reachable?)");
    }

    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      QuiverServer server = QuiverServer.start(db, "127.0.0.1", 0);
      // a second server over the same database that requires API keys, for the auth steps
      QuiverServer authServer = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0)
          .apiKey("js-full-key").readOnlyApiKey("js-read-only-key").build());
      try {
        Result r = run(List.of(node, "client-test.mjs", "http://127.0.0.1:" + server.port(),
            "http://127.0.0.1:" + authServer.port(), "js-full-key", "js-read-only-key"),
            SCRIPT_TIMEOUT_SECONDS, "js-client");
        assertThat(r.timedOut).as("client-test.mjs timed out after %ss", SCRIPT_TIMEOUT_SECONDS).isFalse();
        assertThat(r.exitCode).as("client-test.mjs exit code; output:%n%s", r.output).isZero();
        assertThat(r.output).contains("steps passed");
      } finally {
        authServer.close();
        server.close();
      }
    }
  }

  private record Result(int exitCode, boolean timedOut, String output) {}

  /** Runs a command in the JS directory, streaming its merged output to the test log with a prefix. */
  private static Result run(List<String> command, long timeoutSeconds, String prefix)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(JS_DIR.toFile()).redirectErrorStream(true);
    pb.environment().put("NO_COLOR", "1");
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    Thread pump = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          System.out.println("[" + prefix + "] " + line);
          synchronized (out) {
            out.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    pump.join(5_000);
    synchronized (out) {
      return new Result(finished ? p.exitValue() : -1, !finished, out.toString());
    }
  }

  /** The absolute path of an executable on PATH, or null. */
  private static String onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    List<String> names = new ArrayList<>(List.of(exe));
    if (System.getProperty("os.name", "").toLowerCase().contains("win")) {
      names.addAll(List.of(exe + ".cmd", exe + ".exe"));
    }
    for (String d : path.split(File.pathSeparator)) {
      for (String n : names) {
        Path f = Path.of(d, n);
        if (Files.isRegularFile(f) && Files.isExecutable(f)) {
          return f.toString();
        }
      }
    }
    return null;
  }
}
