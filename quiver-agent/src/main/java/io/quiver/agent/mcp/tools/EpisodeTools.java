package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeHit;
import io.quiver.agent.episode.EpisodePage;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.episode.EpisodeUpdate;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.mcp.AgentDbText;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import io.quiver.agent.pattern.PatternStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The episode tools: reflexion_* (self-critiqued attempts at a task) and agentdb_insert/search/get/list/update/delete
 * (the same store used as a plain vector memory: {@code text} is the episode's task). Every write is one durable
 * batch: a bad item rejects the whole call and nothing is stored.
 */
public final class EpisodeTools implements ToolGroup {
  private final EpisodeStore episodes;
  private final PatternStore patterns;

  public EpisodeTools(EpisodeStore episodes, PatternStore patterns) {
    this.episodes = episodes;
    this.patterns = patterns;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("reflexion_store", a -> reflexionStore(Args.of(a)))
        .handle("reflexion_store_batch", a -> reflexionStoreBatch(Args.of(a)))
        .handle("reflexion_retrieve", a -> reflexionRetrieve(Args.of(a)))
        .handle("agentdb_insert", a -> insert(Args.of(a)))
        .handle("agentdb_insert_batch", a -> insertBatch(Args.of(a)))
        .handle("agentdb_search", a -> search(Args.of(a)))
        .handle("agentdb_get", a -> get(Args.of(a)))
        .handle("agentdb_list", a -> list(Args.of(a)))
        .handle("agentdb_update", a -> update(Args.of(a)))
        .handle("agentdb_delete", a -> delete(Args.of(a)))
        .handle("agentdb_delete_batch", a -> deleteBatch(Args.of(a)));
  }

  static NewEpisode reflexion(Args a) {
    NewEpisode.Builder b = NewEpisode.builder(a.str("session_id"), a.str("task"))
        .reward(a.dbl("reward", 0)).success(a.bool("success", false))
        .input(a.str("input")).output(a.str("output")).critique(a.str("critique"));
    if (a.has("latency_ms")) {
      b.latencyMs(a.dbl("latency_ms"));
    }
    if (a.has("tokens")) {
      b.tokens(a.whole("tokens"));
    }
    if (a.has("tags")) {
      b.tags(a.strings("tags"));
    }
    if (a.has("metadata")) {
      b.metadata(a.obj("metadata"));
    }
    return b.build();
  }

  private ToolResult reflexionStore(Args a) {
    NewEpisode e = reflexion(a);
    long id = episodes.store(e);
    return ToolResult.success(AgentDbText.episodeStored(id, e.task(), e.reward(), e.success()),
        Args.MAPPER.createObjectNode().put("id", id));
  }

  private ToolResult reflexionStoreBatch(Args a) {
    List<NewEpisode> batch = new ArrayList<>();
    for (Args item : a.objects("episodes")) {
      if (!item.has("session_id") || !item.has("task")) {
        throw item.bad(item.has("task") ? "session_id" : "task", "is required");
      }
      batch.add(reflexion(item));
    }
    return stored("episodes", episodes.storeBatch(batch), a.str("format"));
  }

  static ToolResult stored(String kind, List<Long> ids, String format) {
    ObjectNode s = Args.MAPPER.createObjectNode().put("stored", ids.size());
    ArrayNode arr = s.putArray("ids");
    ids.forEach(arr::add);
    StringBuilder text = new StringBuilder("✅ Batch stored " + ids.size() + " " + kind);
    if ("detailed".equals(format)) {
      ids.forEach(id -> text.append("\n   #").append(id));
    } else if ("json".equals(format)) {
      text.append("\n").append(s);
    } else if (!ids.isEmpty()) {
      text.append(" (#").append(ids.getFirst()).append(ids.size() > 1 ? " .. #" + ids.getLast() : "").append(")");
    }
    return ToolResult.success(text.toString(), s);
  }

  private ToolResult reflexionRetrieve(Args a) {
    EpisodeFilter f = EpisodeFilter.builder().onlySuccesses(a.bool("only_successes", false))
        .onlyFailures(a.bool("only_failures", false)).minReward(a.dbl("min_reward")).build();
    List<EpisodeHit> hits = episodes.retrieve(a.str("task"), a.count("k", 5, 1, EpisodeStore.MAX_K), f);
    return hitsResult(hits);
  }

  private static ToolResult hitsResult(List<EpisodeHit> hits) {
    List<AgentDbText.EpisodeLine> lines = hits.stream().map(h -> new AgentDbText.EpisodeLine(h.episode().id(),
        h.episode().task(), h.episode().reward(), h.similarity())).toList();
    ObjectNode s = Args.MAPPER.createObjectNode();
    ArrayNode arr = s.putArray("results");
    hits.forEach(h -> ((ObjectNode) arr.addObject().setAll((ObjectNode) Args.json(h.episode())))
        .put("similarity", h.similarity()).put("score", h.score()));
    return ToolResult.success(AgentDbText.episodes(lines), s);
  }

  private NewEpisode memory(Args a, String defaultSession) {
    String session = a.has("session_id") ? a.str("session_id") : defaultSession;
    NewEpisode.Builder b = NewEpisode.builder(session, a.str("text"));
    if (a.has("tags")) {
      b.tags(a.strings("tags"));
    }
    if (a.has("metadata")) {
      b.metadata(a.obj("metadata"));
    }
    return b.build();
  }

  private ToolResult insert(Args a) {
    long id = episodes.store(memory(a, "default"));
    return ToolResult.success("✅ Inserted memory #" + id, Args.MAPPER.createObjectNode().put("id", id));
  }

  private ToolResult insertBatch(Args a) {
    List<NewEpisode> batch = new ArrayList<>();
    for (Args item : a.objects("items")) {
      if (!item.has("text")) {
        throw item.bad("text", "is required");
      }
      batch.add(memory(item, "default"));
    }
    return stored("memories", episodes.storeBatch(batch), "concise");
  }

  private ToolResult search(Args a) {
    Args f = a.object("filters");
    EpisodeFilter filter = EpisodeFilter.builder().sessionId(f.str("session_id")).tags(f.strings("tags"))
        .minReward(f.dbl("min_reward")).build();
    List<EpisodeHit> hits = episodes.search(a.str("query"), a.count("k", 10, 1, EpisodeStore.MAX_K),
        a.dbl("min_similarity", 0), a.bool("hybrid", true), filter);
    return hitsResult(hits);
  }

  private ToolResult get(Args a) {
    long id = a.id("id");
    Episode e = episodes.get(id);
    ObjectNode s = (ObjectNode) Args.json(e);
    String text = "📄 Memory #" + e.id() + "\nTask: " + e.task() + "\nSession: " + e.sessionId() + "\nReward: "
        + e.reward() + "\nSuccess: " + e.success() + (e.tags().isEmpty() ? "" : "\nTags: " + String.join(", ",
        e.tags()));
    if (a.bool("include_embedding", false)) {
      float[] v = episodes.embedding(id);
      ArrayNode arr = s.putArray("embedding");
      for (float x : v) {
        arr.add(x);
      }
      text += "\nEmbedding: " + v.length + " dimensions";
    }
    return ToolResult.success(text, s);
  }

  private ToolResult list(Args a) {
    EpisodeFilter f = EpisodeFilter.builder().sessionId(a.str("session_id")).build();
    EpisodePage page = episodes.list(f, a.count("limit", 50, 1, EpisodeStore.MAX_K),
        a.count("offset", 0, 0, Integer.MAX_VALUE), !"oldest".equals(a.str("order")));
    StringBuilder text = new StringBuilder("📋 " + page.episodes().size() + " of " + page.total() + " memories:\n");
    int i = 0;
    for (Episode e : page.episodes()) {
      text.append("\n").append(++i).append(". #").append(e.id()).append(" ").append(e.task());
    }
    ObjectNode s = Args.MAPPER.createObjectNode().put("total", page.total());
    s.set("episodes", Args.json(page.episodes()));
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult update(Args a) {
    long id = a.id("id");
    EpisodeUpdate.Builder u = EpisodeUpdate.builder().task(a.str("text")).tags(a.strings("tags"))
        .reward(a.dbl("reward")).success(a.bool("success"));
    if (a.has("metadata")) {
      u.metadata(a.obj("metadata"), a.bool("replace_metadata", false));
    }
    EpisodeUpdate update = u.build();
    if (update.isEmpty()) {
      throw a.bad("text", "nothing to update: give text, tags, metadata, reward or success");
    }
    Episode e = episodes.update(id, update);
    return ToolResult.success("✅ Updated memory #" + id, Args.json(e));
  }

  private ToolResult delete(Args a) {
    int n;
    if (a.has("id")) {
      episodes.delete(a.id("id"));
      n = 1;
    } else {
      Args f = a.object("filters");
      Long before = f.whole("before_timestamp");
      EpisodeFilter filter = EpisodeFilter.builder().sessionId(f.str("session_id")).until(before).build();
      if (filter.isEmpty()) {
        throw a.bad("id", "give id or filters (session_id, before_timestamp)");
      }
      n = episodes.deleteMatching(filter);
    }
    return ToolResult.success("✅ Deleted " + n + " memories", Args.MAPPER.createObjectNode().put("deleted", n));
  }

  private ToolResult deleteBatch(Args a) {
    List<Long> ids = a.ids("ids");
    int n;
    if ("reasoning_patterns".equals(a.str("table"))) {
      for (int i = 0; i < ids.size(); i++) {
        patterns.require(ids.get(i));
      }
      n = 0;
      for (long id : ids) {
        n += patterns.delete(id) ? 1 : 0;
      }
    } else {
      n = episodes.delete(ids);
    }
    return ToolResult.success("✅ Deleted " + n + " of " + ids.size() + " " + a.str("table"),
        Args.MAPPER.createObjectNode().put("deleted", n));
  }
}
