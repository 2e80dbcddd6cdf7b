package io.quiver.cli;

import io.quiver.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quiver} command line: one entry point, a subcommand per job. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    versionProvider = QuiverCli.Version.class,
    description = "Quiver, a vector database for the JVM.",
    subcommands = {io.quiver.cli.serve.ServeCommand.class, BenchCommand.class, io.quiver.cli.bench.DbBenchCommand.class,
        io.quiver.cli.bench.FilterBenchCommand.class, io.quiver.cli.bench.QuantBenchCommand.class,
        io.quiver.cli.bench.MemoryBenchCommand.class,
        io.quiver.cli.load.LoadTestCommand.class,
        CommandLine.HelpCommand.class})
public final class QuiverCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // One line per log record ("INFO io.quiver.distance: ..."), not java.util.logging's default two.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
    }
    int code = new CommandLine(new QuiverCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText("error: " + ex.getMessage()));
          if (Boolean.getBoolean("quiver.debug")) {
            ex.printStackTrace(cmd.getErr());
          }
          return 1;
        })
        .execute(args);
    System.exit(code);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QuiverCli.class.getPackage().getImplementationVersion();
      return new String[] {"quiver " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
