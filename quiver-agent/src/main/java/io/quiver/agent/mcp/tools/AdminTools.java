package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.AgentMemory.AgentStats;
import io.quiver.agent.causal.CausalEdge;
import io.quiver.agent.causal.EdgeQuery;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.mcp.AgentDbText;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import io.quiver.agent.pattern.Pattern;
import io.quiver.agent.skill.Skill;
import java.util.List;

/**
 * The administration tools: statistics, capabilities, schema initialisation (and reset) and cache clearing. Quiver
 * keeps no result caches, so agentdb_clear_cache says so and clears nothing.
 */
public final class AdminTools implements ToolGroup {
  /** Records deleted per write when agentdb_init resets the memory. */
  private static final int PAGE = 1000;

  private final AgentMemory memory;

  public AdminTools(AgentMemory memory) {
    this.memory = memory;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("db_stats", a -> dbStats())
        .handle("agentdb_stats", a -> stats(Args.of(a)))
        .handle("agentdb_capabilities", a -> capabilities())
        .handle("agentdb_init", a -> init(Args.of(a)))
        .handle("agentdb_clear_cache", a -> clearCache(Args.of(a)));
  }

  private ToolResult dbStats() {
    AgentStats s = memory.stats();
    // AgentDB's experiments and observations tables have no counterpart here: A/B experiments are not kept, and
    // causal observations are counted per edge, not in total
    AgentDbText.DbStats d = new AgentDbText.DbStats(s.causalEdges(), 0, 0, s.episodes(), s.episodes(), s.skills());
    return ToolResult.success(AgentDbText.dbStats(d) + "\nEmbedder: " + s.embedder().name() + " ("
        + s.embedder().dimension() + " dimensions)", Args.json(s));
  }

  private ToolResult stats(Args a) {
    AgentStats s = memory.stats();
    StringBuilder text = new StringBuilder("📊 AgentDB Statistics:\n\nEpisodes: " + s.episodes() + "\nSkills: "
        + s.skills() + "\nReasoning Patterns: " + s.patterns() + "\nCausal Edges: " + s.causalEdges()
        + "\nLearning Sessions: " + s.learningSessions() + "\nEmbedder: " + s.embedder().name() + " ("
        + s.embedder().dimension() + " dimensions)");
    ObjectNode json = (ObjectNode) Args.json(s);
    if (a.bool("detailed", false)) {
      var counts = memory.episodes().counts();
      json.set("episodeCounts", Args.json(counts));
      counts.forEach((k, v) -> text.append("\n   ").append(k).append(": ").append(v));
    }
    return ToolResult.success(text.toString(), json);
  }

  private ToolResult capabilities() {
    AgentStats s = memory.stats();
    String text = "🧰 Quiver agent memory\n\nStorage: Quiver collections (one per record kind, payload-indexed)"
        + "\nEmbedder: " + s.embedder().name() + " (" + s.embedder().dimension() + " dimensions)"
        + "\nSearch: exact dense scan under payload filters; hybrid dense + BM25 for agentdb_search"
        + "\nMemories: episodes (reflexion), skills, reasoning patterns, causal edges, learning sessions"
        + "\nRecall: utility ranking (alpha·similarity + beta·uplift − gamma·latency) with a certificate"
        + "\nLearning: tabular q-learning, sarsa and the other session types' tabular counterparts";
    ObjectNode json = Args.MAPPER.createObjectNode();
    json.set("embedder", Args.json(s.embedder()));
    json.putArray("memories").add("episodes").add("skills").add("patterns").add("causal_edges")
        .add("learning_sessions");
    json.put("caches", false);
    return ToolResult.success(text, json);
  }

  private ToolResult init(Args a) {
    if (!a.bool("reset", false)) {
      return ToolResult.success("✅ AgentDB initialized: the collections exist (created when the memory opened)",
          Args.MAPPER.createObjectNode().put("reset", false));
    }
    long episodes = clearEpisodes();
    long skills = 0;
    for (List<Skill> page; !(page = memory.skills().list(null, PAGE, 0)).isEmpty(); ) {
      for (Skill s : page) {
        skills += memory.skills().delete(s.id()) ? 1 : 0;
      }
    }
    long patterns = 0;
    for (List<Pattern> page; !(page = memory.patterns().list(null, PAGE, 0)).isEmpty(); ) {
      for (Pattern p : page) {
        patterns += memory.patterns().delete(p.id()) ? 1 : 0;
      }
    }
    long edges = 0;
    for (CausalEdge e : memory.causal().query(new EdgeQuery(null, null, 0, 0, Integer.MAX_VALUE))) {
      edges += memory.causal().delete(e.id()) ? 1 : 0;
    }
    ObjectNode json = Args.MAPPER.createObjectNode().put("reset", true).put("episodes", episodes)
        .put("skills", skills).put("patterns", patterns).put("causalEdges", edges)
        .put("learningSessionsKept", memory.stats().learningSessions());
    return ToolResult.success("✅ AgentDB reset: deleted " + episodes + " episodes, " + skills + " skills, " + patterns
        + " patterns, " + edges + " causal edges\nLearning sessions are kept (this build cannot delete them): "
        + memory.stats().learningSessions(), json);
  }

  private long clearEpisodes() {
    EpisodeStore store = memory.episodes();
    long n = 0;
    List<Episode> page;
    while (!(page = store.list(EpisodeFilter.ALL, PAGE, 0, false).episodes()).isEmpty()) {
      n += store.delete(page.stream().map(Episode::id).toList());
    }
    return n;
  }

  private ToolResult clearCache(Args a) {
    return ToolResult.success("ℹ️ Nothing to clear: Quiver keeps no " + a.str("cache_type") + " cache (every"
        + " search and statistic is computed from the stored records)",
        Args.MAPPER.createObjectNode().put("cleared", 0).put("cacheType", a.str("cache_type")));
  }
}
