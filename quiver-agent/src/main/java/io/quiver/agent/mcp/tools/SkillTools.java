package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodePage;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.mcp.AgentDbText;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import io.quiver.agent.skill.ConsolidationPolicy;
import io.quiver.agent.skill.ConsolidationReport;
import io.quiver.agent.skill.EpisodeOutcome;
import io.quiver.agent.skill.NewSkill;
import io.quiver.agent.store.Outcome;
import io.quiver.agent.skill.Skill;
import io.quiver.agent.skill.SkillHit;
import io.quiver.agent.skill.SkillLibrary;
import io.quiver.agent.skill.SkillUpdate;
import java.util.ArrayList;
import java.util.List;

/** The skill tools: create, search, read, update, delete, feedback, and consolidation of episodes into skills. */
public final class SkillTools implements ToolGroup {
  /** Episodes read per page when consolidation scans a session. */
  private static final int PAGE = 1000;

  private final SkillLibrary skills;
  private final EpisodeStore episodes;

  public SkillTools(SkillLibrary skills, EpisodeStore episodes) {
    this.skills = skills;
    this.episodes = episodes;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("skill_create", a -> create(Args.of(a)))
        .handle("skill_create_batch", a -> createBatch(Args.of(a)))
        .handle("skill_search", a -> search(Args.of(a)))
        .handle("skill_get", a -> get(Args.of(a)))
        .handle("skill_list", a -> list(Args.of(a)))
        .handle("skill_update", a -> update(Args.of(a)))
        .handle("skill_delete", a -> delete(Args.of(a)))
        .handle("agentdb_skill_feedback", a -> feedback(Args.of(a)))
        .handle("consolidate_now", a -> consolidate(Args.of(a)));
  }

  private static NewSkill skill(Args a) {
    if (!a.has("name") || !a.has("description")) {
      throw a.bad(a.has("name") ? "description" : "name", "is required");
    }
    NewSkill.Builder b = NewSkill.builder(a.str("name"), a.str("description")).code(a.str("code"))
        .successRate(a.dbl("success_rate", 0));
    if (a.has("signature")) {
      b.signature(a.obj("signature"));
    }
    if (a.has("metadata")) {
      b.metadata(a.obj("metadata"));
    }
    if (a.has("tags")) {
      b.tags(a.strings("tags"));
    }
    if (a.has("uses")) {
      b.uses(a.whole("uses"));
    }
    if (a.has("avg_reward")) {
      b.avgReward(a.dbl("avg_reward"));
    }
    if (a.has("avg_latency_ms")) {
      b.avgLatencyMs(a.dbl("avg_latency_ms"));
    }
    return b.build();
  }

  private ToolResult create(Args a) {
    Skill s = skills.create(skill(a));
    return ToolResult.success(AgentDbText.skillCreated(s.id(), s.name()), Args.json(s));
  }

  private ToolResult createBatch(Args a) {
    List<NewSkill> batch = new ArrayList<>();
    for (Args item : a.objects("skills")) {
      batch.add(skill(item));
    }
    List<Long> ids = skills.createBatch(batch).stream().map(Skill::id).toList();
    return EpisodeTools.stored("skills", ids, a.str("format"));
  }

  private ToolResult search(Args a) {
    List<SkillHit> hits = skills.search(a.str("task"), a.count("k", 10, 1, 10_000), a.dbl("min_success_rate"));
    ObjectNode s = Args.MAPPER.createObjectNode();
    var arr = s.putArray("results");
    hits.forEach(h -> ((ObjectNode) arr.addObject().setAll((ObjectNode) Args.json(h.skill())))
        .put("similarity", h.similarity()).put("score", h.score()));
    return ToolResult.success(AgentDbText.skills(hits.stream().map(h -> new AgentDbText.SkillLine(h.skill().name(),
        h.skill().description(), h.skill().successRate())).toList()), s);
  }

  private ToolResult get(Args a) {
    Skill s = skills.require(a.id("skill_id"));
    return ToolResult.success(describe(s), Args.json(s));
  }

  static String describe(Skill s) {
    return "🎯 Skill #" + s.id() + ": " + s.name() + "\n" + s.description() + "\nSuccess: "
        + AgentDbTextNumbers.percent(s.successRate()) + "\nUses: " + s.uses() + "\nAvg reward: "
        + AgentDbTextNumbers.fixed(s.avgReward(), 2);
  }

  private ToolResult list(Args a) {
    List<Skill> page = skills.list(a.dbl("min_success_rate"), a.count("limit", 50, 1, 10_000),
        a.count("offset", 0, 0, Integer.MAX_VALUE));
    StringBuilder text = new StringBuilder("📋 " + page.size() + " skills:\n");
    int i = 0;
    for (Skill s : page) {
      text.append("\n").append(++i).append(". #").append(s.id()).append(" ").append(s.name()).append(" (")
          .append(AgentDbTextNumbers.percent(s.successRate())).append(")");
    }
    ObjectNode s = Args.MAPPER.createObjectNode();
    s.set("skills", Args.json(page));
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult update(Args a) {
    long id = a.id("skill_id");
    if (!a.has("name") && !a.has("description") && !a.has("code") && !a.has("signature") && !a.has("metadata")) {
      throw a.bad("skill_id", "nothing to update: give name, description, code, signature or metadata");
    }
    Skill s = skills.update(id, new SkillUpdate(a.str("name"), a.str("description"), a.str("code"),
        a.obj("signature"), a.obj("metadata"), a.bool("replace_metadata", false)));
    return ToolResult.success("✅ Updated skill #" + id + ": " + s.name(), Args.json(s));
  }

  private ToolResult delete(Args a) {
    long id = a.id("skill_id");
    skills.require(id);
    skills.delete(id);
    return ToolResult.success("✅ Deleted skill #" + id, Args.MAPPER.createObjectNode().put("deleted", id));
  }

  private ToolResult feedback(Args a) {
    long id = a.id("skill_id");
    Skill s = skills.feedback(id, Outcome.of(a.bool("success"), a.dbl("reward"), a.dbl("latency_ms")));
    return ToolResult.success("✅ Feedback recorded for skill #" + id + "\nSuccess: "
        + AgentDbTextNumbers.percent(s.successRate()) + "\nUses: " + s.uses(), Args.json(s));
  }

  private ToolResult consolidate(Args a) {
    EpisodeFilter f = EpisodeFilter.builder().sessionId(a.str("session_id")).build();
    List<EpisodeOutcome> outcomes = new ArrayList<>();
    for (int offset = 0; ; offset += PAGE) {
      EpisodePage page = episodes.list(f, PAGE, offset, false);
      for (Episode e : page.episodes()) {
        outcomes.add(new EpisodeOutcome(e.task(), e.success(), e.reward(), e.critique(), e.output()));
      }
      if (page.episodes().size() < PAGE) {
        break;
      }
    }
    ConsolidationReport r = outcomes.isEmpty() ? new ConsolidationReport(0, 0, List.of())
        : skills.consolidate(outcomes, ConsolidationPolicy.DEFAULT);
    return ToolResult.success("✅ Consolidation: " + outcomes.size() + " episodes read, " + r.created()
        + " skills created, " + r.updated() + " updated", Args.json(r));
  }
}
