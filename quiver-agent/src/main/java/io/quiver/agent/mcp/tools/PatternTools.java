package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import io.quiver.agent.pattern.NewPattern;
import io.quiver.agent.pattern.Pattern;
import io.quiver.agent.pattern.PatternHit;
import io.quiver.agent.pattern.PatternQuery;
import io.quiver.agent.pattern.PatternStats;
import io.quiver.agent.pattern.PatternStore;
import io.quiver.agent.pattern.PatternUpdate;
import io.quiver.agent.store.Outcome;
import java.util.ArrayList;
import java.util.List;

/** The reasoning-pattern tools: agentdb_pattern_store/search/get/list/update/delete/feedback/stats. */
public final class PatternTools implements ToolGroup {
  private final PatternStore patterns;

  public PatternTools(PatternStore patterns) {
    this.patterns = patterns;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("agentdb_pattern_store", a -> store(Args.of(a)))
        .handle("agentdb_pattern_store_batch", a -> storeBatch(Args.of(a)))
        .handle("agentdb_pattern_search", a -> search(Args.of(a)))
        .handle("agentdb_pattern_get", a -> get(Args.of(a)))
        .handle("agentdb_pattern_list", a -> list(Args.of(a)))
        .handle("agentdb_pattern_update", a -> update(Args.of(a)))
        .handle("agentdb_pattern_delete", a -> delete(Args.of(a)))
        .handle("agentdb_pattern_feedback", a -> feedback(Args.of(a)))
        .handle("agentdb_pattern_stats", a -> stats());
  }

  private static NewPattern pattern(Args a) {
    if (!a.has("taskType") || !a.has("approach")) {
      throw a.bad(a.has("taskType") ? "approach" : "taskType", "is required");
    }
    return new NewPattern(a.str("taskType"), a.str("approach"), a.dbl("successRate", 0), a.strings("tags"),
        a.obj("metadata"));
  }

  private ToolResult store(Args a) {
    Pattern p = patterns.store(pattern(a));
    return ToolResult.success("✅ Stored reasoning pattern #" + p.id() + "\nTask type: " + p.taskType()
        + "\nSuccess: " + AgentDbTextNumbers.percent(p.successRate()), Args.json(p));
  }

  private ToolResult storeBatch(Args a) {
    List<NewPattern> batch = new ArrayList<>();
    for (Args item : a.objects("patterns")) {
      batch.add(pattern(item));
    }
    List<Long> ids = patterns.storeBatch(batch).stream().map(Pattern::id).toList();
    return EpisodeTools.stored("patterns", ids, a.str("format"));
  }

  private ToolResult search(Args a) {
    Args f = a.object("filters");
    List<PatternHit> hits = patterns.search(new PatternQuery(a.str("task"), a.count("k", 10, 1, 10_000),
        a.dbl("threshold", 0), f.str("taskType"), f.dbl("minSuccessRate"), f.strings("tags")));
    StringBuilder text = new StringBuilder("🔍 Found " + hits.size() + " reasoning patterns:\n");
    ObjectNode s = Args.MAPPER.createObjectNode();
    var arr = s.putArray("results");
    int i = 0;
    for (PatternHit h : hits) {
      Pattern p = h.pattern();
      text.append("\n").append(++i).append(". #").append(p.id()).append(" [").append(p.taskType()).append("] ")
          .append(p.approach()).append("\n   Success: ").append(AgentDbTextNumbers.percent(p.successRate()))
          .append("\n   Similarity: ").append(AgentDbTextNumbers.fixed(h.similarity(), 3)).append("\n");
      ((ObjectNode) arr.addObject().setAll((ObjectNode) Args.json(p))).put("similarity", h.similarity())
          .put("score", h.score());
    }
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult get(Args a) {
    Pattern p = patterns.require(a.id("pattern_id"));
    return ToolResult.success(describe(p), Args.json(p));
  }

  private static String describe(Pattern p) {
    return "🧩 Pattern #" + p.id() + " [" + p.taskType() + "]\n" + p.approach() + "\nSuccess: "
        + AgentDbTextNumbers.percent(p.successRate()) + "\nUses: " + p.uses();
  }

  private ToolResult list(Args a) {
    List<Pattern> page = patterns.list(a.str("task_type"), a.count("limit", 50, 1, 10_000),
        a.count("offset", 0, 0, Integer.MAX_VALUE));
    StringBuilder text = new StringBuilder("📋 " + page.size() + " reasoning patterns:\n");
    int i = 0;
    for (Pattern p : page) {
      text.append("\n").append(++i).append(". #").append(p.id()).append(" [").append(p.taskType()).append("] ")
          .append(p.approach());
    }
    ObjectNode s = Args.MAPPER.createObjectNode();
    s.set("patterns", Args.json(page));
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult update(Args a) {
    long id = a.id("pattern_id");
    if (!a.has("taskType") && !a.has("approach") && !a.has("tags") && !a.has("metadata")) {
      throw a.bad("pattern_id", "nothing to update: give taskType, approach, tags or metadata");
    }
    Pattern p = patterns.update(id, new PatternUpdate(a.str("taskType"), a.str("approach"), a.strings("tags"),
        a.obj("metadata"), a.bool("replace_metadata", false)));
    return ToolResult.success("✅ Updated pattern #" + id, Args.json(p));
  }

  private ToolResult delete(Args a) {
    long id = a.id("pattern_id");
    patterns.require(id);
    patterns.delete(id);
    return ToolResult.success("✅ Deleted pattern #" + id, Args.MAPPER.createObjectNode().put("deleted", id));
  }

  private ToolResult feedback(Args a) {
    long id = a.id("pattern_id");
    Pattern p = patterns.feedback(id, Outcome.of(a.bool("success"), a.dbl("reward"), null));
    return ToolResult.success("✅ Feedback recorded for pattern #" + id + "\nSuccess: "
        + AgentDbTextNumbers.percent(p.successRate()) + "\nUses: " + p.uses(), Args.json(p));
  }

  private ToolResult stats() {
    PatternStats st = patterns.stats();
    StringBuilder text = new StringBuilder("📊 Reasoning patterns: " + st.total() + "\nAverage success: "
        + AgentDbTextNumbers.percent(st.avgSuccessRate()));
    for (PatternStats.TaskTypeCount t : st.topTaskTypes()) {
      text.append("\n   ").append(t.taskType()).append(": ").append(t.count()).append(" (")
          .append(AgentDbTextNumbers.percent(t.avgSuccessRate())).append(")");
    }
    return ToolResult.success(text.toString(), Args.json(st));
  }
}
