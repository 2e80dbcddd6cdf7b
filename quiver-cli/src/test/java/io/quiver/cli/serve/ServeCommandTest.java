package io.quiver.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.quiver.Quiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.quiver.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags override environment variables, which override the YAML file, which overrides the defaults. */
class ServeCommandTest {
  @TempDir Path dir;

  private static ServerConfig parse(Map<String, String> env, String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.effectiveConfig(env);
  }

  @Test
  void precedenceIsDefaultsFileEnvironmentFlags() throws Exception {
    Path yaml = Files.writeString(dir.resolve("q.yaml"),
        "service:\n  http_port: 7000\n  host: 0.0.0.0\n  api_key: file-key\nstorage:\n  storage_path: /from/file\n");
    ServerConfig defaults = parse(Map.of());
    assertThat(defaults.port()).isEqualTo(6333);
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.dataDir()).isEqualTo(Path.of("quiver-data"));
    assertThat(defaults.authEnabled()).isFalse();

    ServerConfig fromFile = parse(Map.of(), "--config", yaml.toString());
    assertThat(fromFile.port()).isEqualTo(7000);
    assertThat(fromFile.apiKey()).isEqualTo("file-key");
    assertThat(fromFile.dataDir()).isEqualTo(Path.of("/from/file"));

    Map<String, String> env = Map.of("QUIVER__SERVICE__HTTP_PORT", "7100", "QUIVER__SERVICE__API_KEY", "env-key");
    ServerConfig fromEnv = parse(env, "--config", yaml.toString());
    assertThat(fromEnv.port()).isEqualTo(7100);
    assertThat(fromEnv.apiKey()).isEqualTo("env-key");
    assertThat(fromEnv.host()).isEqualTo("0.0.0.0");

    ServerConfig fromFlags = parse(env, "--config", yaml.toString(), "--port", "7200", "--host", "::1",
        "--data-dir", "/flag/dir", "--api-key", "flag-key", "--read-only-api-key", "flag-ro");
    assertThat(fromFlags.port()).isEqualTo(7200);
    assertThat(fromFlags.host()).isEqualTo("::1");
    assertThat(fromFlags.dataDir()).isEqualTo(Path.of("/flag/dir"));
    assertThat(fromFlags.apiKey()).isEqualTo("flag-key");
    assertThat(fromFlags.readOnlyApiKey()).isEqualTo("flag-ro");
  }

  @Test
  void aPortInUseFailsAtOnceNamingThePortAndReleasesTheDataDirectory() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      ServeCommand cmd = new ServeCommand();
      new CommandLine(cmd).parseArgs("--port", Integer.toString(port), "--data-dir", dir.resolve("db").toString());
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> ServeCommand.start(cmd.effectiveConfig(Map.of())))
          .isInstanceOf(ServeCommand.StartupException.class)
          .hasMessageContaining("port " + port).hasMessageContaining("already in use").hasMessageContaining("--port");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
    try (Quiver db = Quiver.open(dir.resolve("db"))) { // not locked by the failed start
      assertThat(db.collectionNames()).isEmpty();
    }
  }

  @Test
  void aDatabaseHeldByAnotherInstanceFailsWithOneClearLine() throws Exception {
    try (Quiver holder = Quiver.open(dir.resolve("db"))) {
      ServeCommand cmd = new ServeCommand();
      new CommandLine(cmd).parseArgs("--port", "0", "--data-dir", dir.resolve("db").toString());
      assertThatThrownBy(() -> ServeCommand.start(cmd.effectiveConfig(Map.of())))
          .isInstanceOf(ServeCommand.StartupException.class)
          .hasMessageContaining("cannot open the database").hasMessageContaining("already open");
    }
  }

  @Test
  void startThenShutDownReleasesEverything() throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--port", "0", "--data-dir", dir.resolve("db").toString());
    ServeCommand.Running running = ServeCommand.start(cmd.effectiveConfig(Map.of()));
    assertThat(running.server().port()).isPositive();
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    assertThat(ServeCommand.shutDown(running, new PrintStream(report, true, UTF_8))).isTrue();
    assertThat(report.toString(UTF_8)).contains("server stopped").contains("database closed")
        .contains("shutdown complete").doesNotContain("ERROR");
    try (Quiver db = Quiver.open(dir.resolve("db"))) {
      assertThat(db.collectionNames()).isEmpty();
    }
  }
}
