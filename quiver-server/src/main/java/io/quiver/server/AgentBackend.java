package io.quiver.server;

import io.quiver.Quiver;
import io.quiver.agent.AgentMemory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The server's agent memory: its own data directory {@code <storage>/agent} beside (not among) the database's
 * collections, opened on the first {@code /quiver/agent} request (a server that never serves agents creates nothing
 * and loads no model) with the configured embedder, and closed when the server stops.
 */
final class AgentBackend implements AutoCloseable {
  static final String DIRECTORY = "agent";

  private final Path dir;
  private final String embedder;
  private AgentMemory memory;
  private boolean closed;

  AgentBackend(Quiver db, ServerConfig config) {
    this.dir = db.directory().resolve(DIRECTORY);
    this.embedder = config.agentEmbedder();
  }

  /** The memory, opened on first use; 500 naming the directory when it cannot be opened (e.g. another embedder). */
  synchronized AgentMemory memory() {
    if (closed) {
      throw new ApiError(503, "Service unavailable: the server is stopping");
    }
    if (memory == null) {
      try {
        memory = AgentMemory.open(dir, embedder);
      } catch (IOException | RuntimeException e) {
        throw new ApiError(500, "Service internal error: the agent memory in " + dir + " could not be opened with "
            + "embedder " + embedder + ": " + e.getMessage());
      }
    }
    return memory;
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (memory != null) {
      memory.close();
      memory = null;
    }
  }
}
