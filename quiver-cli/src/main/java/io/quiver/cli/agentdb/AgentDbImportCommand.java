package io.quiver.cli.agentdb;

import io.quiver.agent.AgentMemory;
import io.quiver.agent.AgentMemory.AgentStats;
import io.quiver.cli.mcp.McpCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quiver agentdb import FILE.db}: copies an AgentDB SQLite database into the agent memory of a data directory
 * ({@code quiver mcp} serves it). Refuses a memory that already holds records unless {@code --force}, since a second
 * import of the same file would store every record twice.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import an AgentDB SQLite database (episodes, skills, causal edges, reasoning patterns, learning"
        + " sessions with their experiences) into a Quiver data directory's agent memory.",
    footer = {"", "Texts are embedded again with --embedder (AgentDB's stored vectors are not read). Records get new"
        + " ids; causal edges between episodes or skills follow them. The file is read from a temporary copy (with its -wal), never written.",
        "Exit status 2 when the target memory is not empty and --force is not given."})
public final class AgentDbImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE.db", description = "the AgentDB database (e.g. ./agentdb.db)")
  Path file;

  @Option(names = "--data-dir", description = "data directory, created if missing (default ./quiver-data)")
  Path dataDir = Path.of("quiver-data");

  @Option(names = "--embedder", paramLabel = "NAME", converter = McpCommand.EmbedderConverter.class,
      description = "text embedder: token-hash (built in) or minilm; use the one `quiver mcp` will serve with")
  McpCommand.Embedder embedder = McpCommand.Embedder.TOKEN_HASH;

  @Option(names = "--force", description = "import into a memory that already holds records (adds to them)")
  boolean force;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    try (AgentDbSource source = AgentDbSource.open(file);
        AgentMemory memory = AgentMemory.open(dataDir, embedder.flag())) {
      AgentStats before = memory.stats();
      long held = before.episodes() + before.skills() + before.patterns() + before.causalEdges()
          + before.learningSessions();
      if (held > 0 && !force) {
        System.err.println("error: the agent memory in " + dataDir + " already holds " + held + " records; importing"
            + " again would add duplicates. Use an empty --data-dir, or --force to add to it.");
        return 2;
      }
      AgentDbImporter.Report r = new AgentDbImporter(source, memory).run();
      out.println("Imported " + file + " into " + dataDir.toAbsolutePath() + " (embedder "
          + memory.stats().embedder().name() + "):");
      out.println("  episodes:           " + r.episodes());
      out.println("  skills:             " + r.skills());
      out.println("  causal edges:       " + r.causalEdges());
      out.println("  reasoning patterns: " + r.patterns());
      out.println("  learning sessions:  " + r.learningSessions() + " (" + r.experiences() + " experiences replayed)");
      for (Map.Entry<String, String> e : r.sessionIds().entrySet()) {
        out.println("  session " + e.getKey() + " is now " + e.getValue());
      }
      for (String s : r.skipped()) {
        out.println("  not imported: " + s);
      }
      return 0;
    }
  }
}
