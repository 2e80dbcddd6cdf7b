package io.quiver.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.QuiverException;
import io.quiver.agent.mcp.ArgumentValidator.InvalidArgumentsException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * The tools one server offers: the catalogue's tools with the handlers that {@link ToolGroup}s bound, the rest
 * answering "not available in this build". Admin-only tools are offered only when the registry is built with
 * {@code admin(true)}; otherwise they are neither listed nor callable, as in AgentDB's default profile.
 *
 * <p>{@link #call} validates the arguments against the tool's schema before its handler runs, so bad arguments
 * never reach a handler and change nothing, and it turns every failure into an error result: a server keeps serving
 * whatever one call does.
 */
public final class ToolRegistry {
  private static final Logger LOG = System.getLogger("io.quiver.agent.mcp");

  private final Map<String, Entry> offered;
  private final Set<String> hiddenAdmin;
  private final List<String> unavailable;

  private record Entry(McpTool tool, ObjectNode validationSchema) {}

  private ToolRegistry(Map<String, Entry> offered, Set<String> hiddenAdmin, List<String> unavailable) {
    this.offered = offered;
    this.hiddenAdmin = hiddenAdmin;
    this.unavailable = unavailable;
  }

  public static Builder builder(ToolCatalog catalog) {
    return new Builder(catalog);
  }

  /** The offered tools in catalogue order, then tools added outside the catalogue. */
  public List<McpTool> tools() {
    List<McpTool> list = new ArrayList<>(offered.size());
    offered.values().forEach(e -> list.add(e.tool()));
    return list;
  }

  public Optional<McpTool> find(String name) {
    Entry e = offered.get(name);
    return e == null ? Optional.empty() : Optional.of(e.tool());
  }

  /** True for an admin-only tool this registry does not offer because it was built without admin. */
  public boolean isHiddenAdminTool(String name) {
    return hiddenAdmin.contains(name);
  }

  /** The offered tools no group handles: their calls answer "not available in this build". */
  public List<String> unavailable() {
    return unavailable;
  }

  /**
   * Runs an offered tool: arguments checked against its schema (an error result naming each bad argument), then its
   * handler, whose exceptions become error results.
   *
   * @throws NoSuchElementException if the registry does not offer the tool
   */
  public ToolResult call(String name, JsonNode arguments) {
    Entry e = offered.get(name);
    if (e == null) {
      throw new NoSuchElementException("no tool " + name);
    }
    ObjectNode args;
    try {
      args = ArgumentValidator.validate(arguments, e.validationSchema());
    } catch (InvalidArgumentsException bad) {
      return ToolResult.error("Invalid arguments for " + name + ": " + bad.getMessage());
    }
    try {
      ToolResult r = e.tool().handler().call(args);
      if (r == null) {
        throw new IllegalStateException("handler returned no result");
      }
      return r;
    } catch (ToolException | IllegalArgumentException | NoSuchElementException | QuiverException.InvalidInput
        | QuiverException.NotFound | QuiverException.AlreadyExists refused) {
      return ToolResult.error(refused.getMessage() == null ? refused.toString() : refused.getMessage());
    } catch (Exception failed) {
      LOG.log(Level.ERROR, "tool " + name + " failed", failed);
      return ToolResult.error(name + " failed inside the server: " + failed);
    }
  }

  /** Binds handlers to catalogued tools; see {@link ToolGroup}. */
  public static final class Builder {
    private final ToolCatalog catalog;
    private final Map<String, ToolHandler> handlers = new LinkedHashMap<>();
    private final Map<String, McpTool> extra = new LinkedHashMap<>();
    private boolean admin;

    private Builder(ToolCatalog catalog) {
      this.catalog = catalog;
    }

    /** Whether the admin-only tools (init, deletes, cache clearing) are offered; false by default. */
    public Builder admin(boolean enabled) {
      this.admin = enabled;
      return this;
    }

    /** Binds the handler of a catalogued tool, keeping the catalogue's name, description and schema. */
    public Builder handle(String name, ToolHandler handler) {
      if (!catalog.contains(name)) {
        throw new IllegalArgumentException("no tool " + name + " in the catalog; add(McpTool) adds a new one");
      }
      if (handlers.putIfAbsent(name, handler) != null) {
        throw new IllegalArgumentException("tool " + name + " already has a handler");
      }
      return this;
    }

    /** Adds a tool the catalogue does not have (listed after the catalogue's). */
    public Builder add(McpTool tool) {
      if (catalog.contains(tool.name()) || extra.putIfAbsent(tool.name(), tool) != null) {
        throw new IllegalArgumentException("tool " + tool.name() + " already exists");
      }
      return this;
    }

    public Builder group(ToolGroup group) {
      group.register(this);
      return this;
    }

    public ToolRegistry build() {
      Map<String, Entry> offered = new LinkedHashMap<>();
      Set<String> hidden = new LinkedHashSet<>();
      List<String> unavailable = new ArrayList<>();
      for (McpTool t : catalog.tools()) {
        if (!admin && catalog.adminOnly().contains(t.name())) {
          hidden.add(t.name());
          continue;
        }
        ToolHandler h = handlers.get(t.name());
        if (h == null) {
          unavailable.add(t.name());
        }
        McpTool bound = h == null ? t : t.withHandler(h);
        offered.put(t.name(), new Entry(bound, ToolCatalog.validationSchema(t.inputSchema())));
      }
      for (McpTool t : extra.values()) {
        offered.put(t.name(), new Entry(t, t.inputSchema()));
      }
      return new ToolRegistry(Collections.unmodifiableMap(offered), Collections.unmodifiableSet(hidden),
          List.copyOf(unavailable));
    }
  }
}
