package io.quiver.cli.bench.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An MCP server as a child process spoken to over stdio, one JSON-RPC message per line, one request at a time (as an
 * agent's client does). Lines on stdout that are not JSON, or answer another id, are counted and skipped: a server
 * that prints anything else on stdout is reported, not trusted.
 */
final class McpChild implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String EOF = "\u0000eof";

  private final Process process;
  private final OutputStream in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final long timeoutSeconds;
  private long nextId = 1;
  private int strayLines;

  /** A tools/call answer: the MCP result, or the JSON-RPC error, and the time from write to the reply's line. */
  record Reply(JsonNode result, JsonNode error, long nanos) {
    boolean isError() {
      return error != null || result.path("isError").asBoolean(false);
    }

    String errorText() {
      return error != null ? error.path("message").asText(error.toString())
          : result.path("content").path(0).path("text").asText("");
    }
  }

  McpChild(List<String> command, Map<String, String> env, Path cwd, Path stderr, long timeoutSeconds)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectError(stderr.toFile());
    pb.environment().putAll(env);
    this.process = pb.start();
    this.in = process.getOutputStream();
    this.timeoutSeconds = timeoutSeconds;
    Thread.ofPlatform().daemon().name("mcp-stdout").start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended or was killed: the waiting call sees EOF
      }
      lines.add(EOF);
    });
  }

  JsonNode initialize() throws IOException {
    ObjectNode params = MAPPER.createObjectNode().put("protocolVersion", "2025-06-18");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "quiver-bench-agent").put("version", "1");
    JsonNode r = request("initialize", params).path("result");
    send(MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
    return r;
  }

  JsonNode listTools() throws IOException {
    return request("tools/list", MAPPER.createObjectNode()).path("result").path("tools");
  }

  Reply call(String tool, JsonNode arguments) throws IOException {
    ObjectNode params = MAPPER.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    long t0 = System.nanoTime();
    JsonNode r = request("tools/call", params);
    long nanos = System.nanoTime() - t0;
    return new Reply(r.path("result"), r.has("error") ? r.get("error") : null, nanos);
  }

  int strayLines() {
    return strayLines;
  }

  private JsonNode request(String method, JsonNode params) throws IOException {
    long id = nextId++;
    ObjectNode msg = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    msg.set("params", params);
    send(msg);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      String line;
      try {
        line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for " + method);
      }
      if (line == null) {
        throw new IOException(method + ": no reply within " + timeoutSeconds + " s");
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        throw new IOException(method + ": the server closed its stdout (exit "
            + (process.isAlive() ? "pending" : process.exitValue()) + ")");
      }
      JsonNode node;
      try {
        node = MAPPER.readTree(line);
      } catch (IOException notJson) {
        strayLines++;
        continue;
      }
      if (node.path("id").asLong(-1) == id && (node.has("result") || node.has("error"))) {
        return node;
      }
      strayLines++;
    }
  }

  private void send(JsonNode msg) throws IOException {
    in.write((MAPPER.writeValueAsString(msg) + "\n").getBytes(UTF_8));
    in.flush();
  }

  /** Closes stdin (the stdio transport's end), waits briefly for a clean exit, then kills the process. */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
