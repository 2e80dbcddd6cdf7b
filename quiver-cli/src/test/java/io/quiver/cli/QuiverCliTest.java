package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuiverCliTest {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = QuiverCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void noSubcommandPrintsUsageToStandardErrorAndExitsWithAUsageError() {
    Run r = run();
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("a command is required").contains("Usage: quiver").contains("serve");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void versionPrintsTheBuiltProjectVersion() {
    Run r = run("--version");
    assertThat(r.code()).isZero();
    String expected = System.getProperty("quiver.expectedVersion");
    assertThat(r.out()).startsWith("quiver ").doesNotContain("dev").doesNotContain("${");
    if (expected != null) {
      assertThat(r.out()).startsWith("quiver " + expected + " ");
    }
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    Run r = run("no-such-command");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no-such-command");
  }

  @Test
  void checkExitsZeroOnAHealthyDatabaseAndOneOnADamagedOne(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("db");
    try (Quiver q = Quiver.open(db)) {
      q.createCollection("c", CollectionConfig.of(VectorParams.of(3, Metric.COSINE)));
    }
    Run ok = run("check", db.toString());
    assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("c: 0 sealed segment(s)").contains("OK: no problems");

    Files.writeString(db.resolve("collections/c/collection.json"), "{");
    Run bad = run("check", db.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).contains("PROBLEM").contains("collection.json").contains("FAILED: 1 problem(s)");

    Run missing = run("check", dir.resolve("nowhere").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("not a Quiver database");
  }
}
