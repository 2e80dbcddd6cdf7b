package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * MCP's stdio transport: one JSON-RPC 2.0 message per line in, one per line out, nothing else written to the output.
 * Messages are handled one at a time in arrival order, so a client's writes apply in the order it sent them. The
 * messages themselves are answered by {@link McpDispatcher} (errors, batches), as on the HTTP transport; whatever a
 * line holds, the server reads the next one.
 */
public final class McpServer implements AutoCloseable {
  private static final Logger LOG = System.getLogger("io.quiver.agent.mcp");
  /** How long close waits for the call in flight: a batch of durable inserts finishes well within it. */
  private static final long CLOSE_WAIT_SECONDS = 30;

  private final McpDispatcher dispatcher;
  private final ObjectMapper mapper;
  private final McpSession session;
  /** Held while a message is handled; close takes it so no call is cut in half. */
  private final ReentrantLock handling = new ReentrantLock();
  private volatile boolean closed;

  public McpServer(ToolRegistry registry, ServerInfo info) {
    this.dispatcher = new McpDispatcher(registry, info);
    this.mapper = dispatcher.mapper();
    this.session = dispatcher.newSession();
  }

  /** Serves until the input ends or {@link #close} is called; the output receives only JSON-RPC lines. */
  public void serve(InputStream in, OutputStream out) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    String line;
    while (!closed && (line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      handling.lock();
      try {
        if (closed) {
          break;
        }
        JsonNode reply = handleLine(line);
        if (reply != null) {
          writer.write(mapper.writeValueAsString(reply));
          writer.write('\n');
          writer.flush();
        }
      } finally {
        handling.unlock();
      }
    }
  }

  /** The reply to one line, or null when nothing is answered (notifications, responses). */
  JsonNode handleLine(String line) {
    return dispatcher.handleText(line, session, ToolGuard.ANY);
  }

  /** The protocol version the client negotiated (the latest before initialize). */
  public String protocolVersion() {
    return session.protocolVersion();
  }

  /**
   * Stops serving: waits for the message being handled (up to 30 s) so its write completes, then refuses further
   * lines. The caller closes the stores after this returns.
   */
  @Override
  public void close() {
    boolean locked = false;
    try {
      locked = handling.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      if (!locked) {
        LOG.log(Level.WARNING, "a tool call was still running after " + CLOSE_WAIT_SECONDS + " s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      if (locked) {
        handling.unlock();
      }
    }
  }
}
