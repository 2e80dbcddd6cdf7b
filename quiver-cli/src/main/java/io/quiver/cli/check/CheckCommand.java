package io.quiver.cli.check;

import io.quiver.check.CheckReport;
import io.quiver.check.DatabaseChecker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver check DIR}: a read-only consistency check of a database directory; exit 1 when damaged. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check a database directory read-only: configuration, manifests, deletes, every segment file's"
        + " checksums, ids unique across segments, HNSW level-0 reachability, write-ahead log framing.",
    footer = {"", "Exit status: 0 no problem (notes are states the next open repairs by itself), 1 a problem was"
        + " found (each names its file), 2 usage error. The database must not be open in another process."})
public final class CheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "database directory (e.g. ./quiver-data)")
  Path dir;

  @Option(names = "--collection", split = ",", paramLabel = "NAME", description = "check only these collections")
  List<String> collections = List.of();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    CheckReport report = DatabaseChecker.check(dir, collections);
    out.println("checked " + dir.toAbsolutePath() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    report.summary().forEach(line -> out.println("  " + line));
    for (CheckReport.Finding f : report.findings()) {
      out.println(f);
    }
    int problems = report.problems().size();
    int notes = report.findings().size() - problems;
    out.println(problems == 0 ? "OK: no problems" + (notes == 0 ? "" : " (" + notes + " note(s))")
        : "FAILED: " + problems + " problem(s)" + (notes == 0 ? "" : ", " + notes + " note(s)"));
    out.flush();
    return problems == 0 ? 0 : 1;
  }
}
