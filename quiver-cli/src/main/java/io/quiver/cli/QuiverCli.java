package io.quiver.cli;

import io.quiver.QuiverVersion;
import io.quiver.cli.bench.BenchCommand;
import io.quiver.cli.check.CheckCommand;
import io.quiver.cli.bench.DbBenchCommand;
import io.quiver.cli.bench.FilterBenchCommand;
import io.quiver.cli.bench.MemoryBenchCommand;
import io.quiver.cli.bench.MultiVectorBenchCommand;
import io.quiver.cli.bench.QuantBenchCommand;
import io.quiver.cli.bench.agent.AgentBenchCommand;
import io.quiver.cli.bench.RssBenchCommand;
import io.quiver.cli.bench.disk.BenchDiskCommand;
import io.quiver.cli.bench.disk.BenchDiskUpdatesCommand;
import io.quiver.cli.load.LoadTestCommand;
import io.quiver.cli.agentdb.AgentDbCommand;
import io.quiver.cli.mcp.McpCommand;
import io.quiver.cli.retrieval.ConformalBenchCommand;
import io.quiver.cli.retrieval.RetrievalBenchCommand;
import io.quiver.cli.serve.ServeCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code quiver} command line: one entry point, a subcommand per job. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    versionProvider = QuiverCli.Version.class,
    description = "Quiver, a vector database for the JVM.",
    subcommands = {ServeCommand.class, CheckCommand.class, BenchCommand.class, DbBenchCommand.class, FilterBenchCommand.class,
        QuantBenchCommand.class, MemoryBenchCommand.class, RssBenchCommand.class, BenchDiskCommand.class,
        BenchDiskUpdatesCommand.class, LoadTestCommand.class, RetrievalBenchCommand.class, ConformalBenchCommand.class,
        MultiVectorBenchCommand.class, McpCommand.class, AgentDbCommand.class, AgentBenchCommand.class,
        CommandLine.HelpCommand.class})
public final class QuiverCli implements Callable<Integer> {
  /** Exit code of a command line that names no subcommand (a usage error, as picocli's for unknown options). */
  static final int USAGE_ERROR = 2;

  @Spec
  CommandSpec spec;

  /** No subcommand: the usage goes to standard error and the exit code says the command line was incomplete. */
  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    cmd.getErr().println(cmd.getColorScheme().errorText("error: a command is required"));
    cmd.usage(cmd.getErr());
    return USAGE_ERROR;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: main executes it; tests set its writers first. */
  static CommandLine commandLine() {
    // One line per log record ("INFO io.quiver.distance: ..."), not java.util.logging's default two.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
    }
    return new CommandLine(new QuiverCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText("error: " + ex.getMessage()));
          if (Boolean.getBoolean("quiver.debug")) {
            ex.printStackTrace(cmd.getErr());
          }
          return 1;
        });
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"quiver " + QuiverVersion.current() + " (Java " + Runtime.version() + ", "
          + Runtime.getRuntime().availableProcessors() + " cores)"};
    }
  }
}
