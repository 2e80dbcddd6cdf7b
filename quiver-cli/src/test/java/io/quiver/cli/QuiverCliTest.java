package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
