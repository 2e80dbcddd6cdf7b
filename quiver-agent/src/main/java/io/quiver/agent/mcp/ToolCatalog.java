package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tools AgentDB 3.3.0's MCP server lists, read from the copy of its tools/list answer shipped in this jar
 * ({@code agentdb-3.3.0-mcp-tools.json}): names, descriptions and input schemas exactly as AgentDB lists them, so an
 * agent written for AgentDB calls them unchanged, and the six tools AgentDB shows only in its admin profile.
 */
public final class ToolCatalog {
  /** The resource beside this class. */
  public static final String AGENTDB_RESOURCE = "agentdb-3.3.0-mcp-tools.json";

  /** A property whose description ends with this is a fraction: AgentDB documents it so but its schema has no bounds. */
  private static final String FRACTION_MARK = "(0-1)";

  private final Map<String, McpTool> tools;
  private final Set<String> adminOnly;

  private ToolCatalog(Map<String, McpTool> tools, Set<String> adminOnly) {
    this.tools = tools;
    this.adminOnly = adminOnly;
  }

  /** AgentDB 3.3.0's 49 tools, each with a handler that answers "not available in this build". */
  public static ToolCatalog agentDb() {
    try (InputStream in = ToolCatalog.class.getResourceAsStream(AGENTDB_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(AGENTDB_RESOURCE + " is missing from the classpath");
      }
      return parse(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ToolCatalog parse(JsonNode root) {
    Map<String, McpTool> tools = new LinkedHashMap<>();
    for (JsonNode t : root.path("tools")) {
      String name = t.path("name").asText();
      McpTool tool = new McpTool(name, t.path("description").asText(), (ObjectNode) t.path("inputSchema").deepCopy(),
          notAvailable(name));
      if (tools.put(name, tool) != null) {
        throw new IllegalStateException("tool " + name + " is listed twice in the catalog");
      }
    }
    Set<String> admin = new LinkedHashSet<>();
    for (JsonNode n : root.path("admin_only")) {
      if (!tools.containsKey(n.asText())) {
        throw new IllegalStateException("admin-only tool " + n.asText() + " is not in the catalog");
      }
      admin.add(n.asText());
    }
    return new ToolCatalog(Collections.unmodifiableMap(tools), Collections.unmodifiableSet(admin));
  }

  /** Every tool in AgentDB's order. */
  public List<McpTool> tools() {
    return new ArrayList<>(tools.values());
  }

  public McpTool tool(String name) {
    McpTool t = tools.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tool " + name + " in the catalog");
    }
    return t;
  }

  public boolean contains(String name) {
    return tools.containsKey(name);
  }

  /** The tools AgentDB lists only in its admin profile (destructive ones and init). */
  public Set<String> adminOnly() {
    return adminOnly;
  }

  /**
   * The schema arguments are checked against: the listed one, plus bounds [0, 1] on every number AgentDB documents
   * as a fraction with "(0-1)" (reward, confidence, success rates, similarity thresholds) where it gives none, so an
   * out-of-range confidence is refused instead of stored.
   */
  static ObjectNode validationSchema(ObjectNode listed) {
    ObjectNode copy = listed.deepCopy();
    addFractionBounds(copy);
    return copy;
  }

  private static void addFractionBounds(JsonNode schema) {
    if (!(schema instanceof ObjectNode s)) {
      return;
    }
    if ("number".equals(s.path("type").asText()) && s.path("description").asText().trim().endsWith(FRACTION_MARK)) {
      if (!s.has("minimum")) {
        s.put("minimum", 0);
      }
      if (!s.has("maximum")) {
        s.put("maximum", 1);
      }
    }
    s.path("properties").forEach(ToolCatalog::addFractionBounds);
    addFractionBounds(s.path("items"));
  }

  private static ToolHandler notAvailable(String name) {
    return args -> ToolResult.error(name + " is not available in this build of Quiver: its memory store is not"
        + " connected to the MCP server yet");
  }
}
