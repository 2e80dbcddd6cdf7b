package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.episode.EpisodeUpdate;
import io.quiver.agent.episode.NewEpisode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /quiver/agent/episodes}: reflexion episodes. Bodies are the arguments of AgentDB's {@code reflexion_*} and
 * {@code agentdb_*} tools (snake_case), so one argument object works over MCP and here.
 */
final class AgentEpisodeEndpoints {
  private static final String[] EPISODE_FIELDS = {"session_id", "task", "reward", "success", "critique", "input",
      "output", "latency_ms", "tokens", "tags", "metadata", "ts"};
  private static final String[] FILTER_FIELDS = {"session_id", "only_successes", "only_failures", "min_reward",
      "since", "until", "tags", "task"};

  private final Endpoints ep;
  private final AgentBackend agent;

  AgentEpisodeEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  private EpisodeStore store() {
    return agent.memory().episodes();
  }

  /** POST: one episode (reflexion_store) or {@code {episodes: [...]}} (reflexion_store_batch); {@code {ids}}. */
  JsonNode store(ServerRequest req) {
    ObjectNode body = ep.body(req);
    List<NewEpisode> batch = new ArrayList<>();
    boolean many = body.has("episodes");
    if (many) {
      Json.onlyFields(body, "body", "episodes", "batch_size", "format");
      JsonNode items = AgentArgs.array(body, "episodes", "body",
          Math.min(EpisodeStore.MAX_BATCH, ep.config.maxBatch()));
      for (int i = 0; i < items.size(); i++) {
        batch.add(episode(items.get(i), "body.episodes[" + i + "]"));
      }
    } else {
      batch.add(episode(body, "body"));
    }
    List<Long> ids = AgentArgs.call("body", () -> store().storeBatch(batch));
    ObjectNode out = ep.json.createObjectNode();
    out.putArray("ids").addAll(ids.stream().map(Json.NODES::numberNode).toList());
    return out;
  }

  private static NewEpisode episode(JsonNode n, String path) {
    Json.onlyFields(n, path, EPISODE_FIELDS);
    return NewEpisode.builder(AgentArgs.text(n, "session_id", path, true), AgentArgs.text(n, "task", path, true))
        .reward(AgentArgs.requiredUnit(n, "reward", path))
        .success(AgentArgs.requiredBool(n, "success", path))
        .critique(AgentArgs.text(n, "critique", path, false))
        .input(AgentArgs.text(n, "input", path, false))
        .output(AgentArgs.text(n, "output", path, false))
        .latencyMs(nonNegative(n, "latency_ms", path))
        .tokens(AgentArgs.integer(n, "tokens", path, 0L, 0, Long.MAX_VALUE))
        .tags(AgentArgs.strings(n, "tags", path))
        .metadata(AgentArgs.object(n, "metadata", path))
        .ts(AgentArgs.integer(n, "ts", path, null, 0, Long.MAX_VALUE))
        .build();
  }

  private static double nonNegative(JsonNode n, String field, String path) {
    double v = AgentArgs.number(n, field, path, 0.0);
    if (v < 0) {
      throw ApiError.badRequest(path + "." + field + ": must be >= 0, got " + n.get(field));
    }
    return v;
  }

  /** POST retrieve (reflexion_retrieve): the exact top k by task similarity under the filters. */
  JsonNode retrieve(ServerRequest req) {
    ObjectNode body = ep.body(req);
    List<String> allowed = new ArrayList<>(List.of(FILTER_FIELDS));
    allowed.add("k");
    Json.onlyFields(body, "body", allowed.toArray(String[]::new));
    String task = AgentArgs.text(body, "task", "body", true);
    int k = AgentArgs.count(body, "k", "body", 5, 1, EpisodeStore.MAX_K);
    EpisodeFilter f = filter(body, "body", "task");
    return hits(AgentArgs.call("body", () -> store().retrieve(task, k, f)));
  }

  /** POST search (agentdb_search): hybrid keyword + vector by default, {@code filters} as in retrieve. */
  JsonNode search(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "query", "k", "min_similarity", "hybrid", "rerank", "filters");
    String query = AgentArgs.text(body, "query", "body", true);
    int k = AgentArgs.count(body, "k", "body", 10, 1, EpisodeStore.MAX_K);
    double min = AgentArgs.number(body, "min_similarity", "body", 0.0);
    boolean hybrid = AgentArgs.bool(body, "hybrid", "body", true);
    if (AgentArgs.bool(body, "rerank", "body", false)) {
      throw ApiError.badRequest("body.rerank: reranking with a cross-encoder is not offered; omit it or pass false");
    }
    ObjectNode filters = AgentArgs.object(body, "filters", "body");
    EpisodeFilter f = filters == null ? EpisodeFilter.ALL : filterObject(filters, "body.filters");
    return hits(AgentArgs.call("body", () -> store().search(query, k, min, hybrid, f)));
  }

  private static EpisodeFilter filterObject(ObjectNode n, String path) {
    Json.onlyFields(n, path, FILTER_FIELDS);
    return filter(n, path, null);
  }

  /** The filter fields of {@code n} (all but {@code skip}, which the request uses otherwise). */
  private static EpisodeFilter filter(JsonNode n, String path, String skip) {
    EpisodeFilter.Builder b = EpisodeFilter.builder()
        .sessionId(AgentArgs.text(n, "session_id", path, false))
        .onlySuccesses(AgentArgs.bool(n, "only_successes", path, false))
        .onlyFailures(AgentArgs.bool(n, "only_failures", path, false))
        .minReward(AgentArgs.number(n, "min_reward", path, null))
        .since(AgentArgs.integer(n, "since", path, null, 0, Long.MAX_VALUE))
        .until(AgentArgs.integer(n, "until", path, null, 0, Long.MAX_VALUE))
        .tags(AgentArgs.strings(n, "tags", path));
    if (!"task".equals(skip)) {
      b.task(AgentArgs.text(n, "task", path, false));
    }
    EpisodeFilter f = b.build();
    if (f.onlySuccesses() && f.onlyFailures()) {
      throw ApiError.badRequest(path + ".only_failures: cannot be combined with only_successes");
    }
    return f;
  }

  private static JsonNode hits(Object hits) {
    ObjectNode out = Json.NODES.objectNode();
    out.set("hits", AgentJson.tree(hits));
    return out;
  }

  /** GET one episode ({@code ?include_embedding=true} adds its task vector). */
  JsonNode get(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode out = (ObjectNode) AgentJson.tree(store().get(id));
    if ("true".equalsIgnoreCase(AgentArgs.queryText(req, "include_embedding"))) {
      out.set("embedding", Json.floats(store().embedding(id)));
    }
    return out;
  }

  /** GET a page: {@code ?session_id=&task=&limit=50&offset=0&order=newest|oldest}; {@code {episodes, total}}. */
  JsonNode list(ServerRequest req) {
    int limit = AgentArgs.queryInt(req, "limit", 50, 1, EpisodeStore.MAX_K);
    int offset = AgentArgs.queryInt(req, "offset", 0, 0, Integer.MAX_VALUE);
    String order = req.query().contains("order") ? req.query().get("order") : "newest";
    if (!order.equals("newest") && !order.equals("oldest")) {
      throw ApiError.badRequest("order: expected newest or oldest, got '" + order + "'");
    }
    EpisodeFilter f = EpisodeFilter.builder().sessionId(AgentArgs.queryText(req, "session_id"))
        .task(AgentArgs.queryText(req, "task")).build();
    return AgentJson.tree(store().list(f, limit, offset, order.equals("newest")));
  }

  /** PATCH (agentdb_update): the fields given change; {@code text} is AgentDB's name for the task. */
  JsonNode update(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "task", "text", "input", "output", "critique", "reward", "success", "latency_ms",
        "tokens", "tags", "metadata", "replace_metadata");
    String task = AgentArgs.text(body, "task", "body", false);
    String text = AgentArgs.text(body, "text", "body", false);
    if (task != null && text != null) {
      throw ApiError.badRequest("body.text: give task or text (the same field), not both");
    }
    Double latency = body.has("latency_ms") ? nonNegative(body, "latency_ms", "body") : null;
    EpisodeUpdate u = EpisodeUpdate.builder()
        .task(task != null ? task : text)
        .input(AgentArgs.text(body, "input", "body", false))
        .output(AgentArgs.text(body, "output", "body", false))
        .critique(AgentArgs.text(body, "critique", "body", false))
        .reward(AgentArgs.unit(body, "reward", "body", null))
        .success(AgentArgs.bool(body, "success", "body", null))
        .latencyMs(latency)
        .tokens(AgentArgs.integer(body, "tokens", "body", null, 0, Long.MAX_VALUE))
        .tags(AgentArgs.strings(body, "tags", "body"))
        .metadata(AgentArgs.object(body, "metadata", "body"), AgentArgs.bool(body, "replace_metadata", "body", false))
        .build();
    return AgentJson.tree(AgentArgs.call("body", () -> store().update(id, u)));
  }

  /** DELETE one episode; 404 when there is none. */
  JsonNode delete(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    store().delete(id);
    return deleted(1);
  }

  /** POST delete (agentdb_delete_batch): {@code {ids: [...]}}, all or nothing (404 naming an unknown id). */
  JsonNode deleteBatch(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "ids", "table");
    String table = AgentArgs.text(body, "table", "body", false);
    if (table != null && !table.equals("episodes")) {
      throw ApiError.badRequest("body.table: only episodes are deleted here (skills and patterns by their own "
          + "DELETE), got '" + table + "'");
    }
    JsonNode ids = body.get("ids");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      throw ApiError.badRequest("body.ids: required, a non-empty array of episode ids");
    }
    List<Long> list = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode n = ids.get(i);
      if (!n.canConvertToLong() || !n.isIntegralNumber() || n.longValue() < 0) {
        throw ApiError.badRequest("body.ids[" + i + "]: expected a non-negative integer id, got " + n);
      }
      list.add(n.longValue());
    }
    return deleted(AgentArgs.call("body", () -> store().delete(list)));
  }

  private static JsonNode deleted(int n) {
    return Json.NODES.objectNode().put("deleted", n);
  }

  /** GET stats: outcomes per task ({@code ?task=} one task; else the {@code ?limit=20} most attempted). */
  JsonNode taskStats(ServerRequest req) {
    int limit = AgentArgs.queryInt(req, "limit", 20, 1, EpisodeStore.MAX_K);
    ObjectNode out = Json.NODES.objectNode();
    out.set("tasks", AgentJson.tree(store().taskStats(AgentArgs.queryText(req, "task"), limit)));
    return out;
  }

  /** GET critiques: the critiques of the {@code ?k=5} failures and successes most similar to {@code ?task=}. */
  JsonNode critiques(ServerRequest req) {
    String task = AgentArgs.queryText(req, "task");
    if (task == null || task.isBlank()) {
      throw ApiError.badRequest("task: required, the task to summarise critiques for");
    }
    int k = AgentArgs.queryInt(req, "k", 5, 1, EpisodeStore.MAX_K);
    return AgentJson.tree(AgentArgs.call("query", () -> store().critiqueSummary(task, k)));
  }
}
