package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.mcp.McpServer;
import io.quiver.agent.mcp.ServerInfo;
import io.quiver.agent.mcp.ToolCatalog;
import io.quiver.agent.mcp.ToolRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** An agent memory in a directory served by an in-process McpServer with every tool group (admin tools included). */
final class ToolHarness implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path dir;
  private final AtomicInteger ids = new AtomicInteger();
  private AgentMemory memory;
  private ToolRegistry registry;

  ToolHarness(Path dir) throws IOException {
    this.dir = dir;
    open();
  }

  private void open() throws IOException {
    memory = AgentMemory.open(dir, "token-hash");
    registry = ToolRegistry.builder(ToolCatalog.agentDb()).admin(true).group(new MemoryTools(memory)).build();
  }

  AgentMemory memory() {
    return memory;
  }

  /** Closes the memory and opens the directory again. */
  void restart() throws IOException {
    memory.close();
    open();
  }

  /** The result of tools/call through the server's JSON-RPC line protocol. */
  JsonNode call(String tool, String argsJson) throws IOException {
    String line = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"" + tool + "\",\"arguments\":" + argsJson + "}}\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (McpServer server = new McpServer(registry, ServerInfo.quiver(null))) {
      server.serve(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), out);
    }
    JsonNode reply = MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    if (reply.has("error")) {
      throw new AssertionError(tool + " answered a protocol error: " + reply);
    }
    return reply.get("result");
  }

  /** A successful call's result (fails the test on an error result). */
  JsonNode ok(String tool, String argsJson) throws IOException {
    JsonNode r = call(tool, argsJson);
    if (r.path("isError").asBoolean()) {
      throw new AssertionError(tool + " failed: " + text(r));
    }
    return r;
  }

  /** An error result's text (fails the test on success). */
  String error(String tool, String argsJson) throws IOException {
    JsonNode r = call(tool, argsJson);
    if (!r.path("isError").asBoolean()) {
      throw new AssertionError(tool + " succeeded: " + text(r));
    }
    return text(r);
  }

  static String text(JsonNode result) {
    return result.at("/content/0/text").asText();
  }

  static JsonNode structured(JsonNode result) {
    return result.get("structuredContent");
  }

  @Override
  public void close() throws IOException {
    memory.close();
  }
}
