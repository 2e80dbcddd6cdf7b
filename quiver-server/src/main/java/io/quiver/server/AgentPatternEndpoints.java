package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.pattern.NewPattern;
import io.quiver.agent.pattern.PatternQuery;
import io.quiver.agent.pattern.PatternStore;
import io.quiver.agent.pattern.PatternUpdate;
import io.quiver.agent.store.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /quiver/agent/patterns}: reasoning patterns, with the arguments of AgentDB's {@code agentdb_pattern_*}
 * tools (which name a pattern's fields in camelCase: {@code taskType}, {@code approach}, {@code successRate}).
 */
final class AgentPatternEndpoints {
  /** Most patterns one request stores: the store's batch. */
  static final int MAX_BATCH = 500;

  private final Endpoints ep;
  private final AgentBackend agent;

  AgentPatternEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  private PatternStore patterns() {
    return agent.memory().patterns();
  }

  /** POST: one pattern (agentdb_pattern_store) or {@code {patterns: [...]}}; the stored patterns. */
  JsonNode store(ServerRequest req) {
    ObjectNode body = ep.body(req);
    List<NewPattern> batch = new ArrayList<>();
    if (body.has("patterns")) {
      Json.onlyFields(body, "body", "patterns", "batch_size", "format");
      JsonNode items = AgentArgs.array(body, "patterns", "body", Math.min(MAX_BATCH, ep.config.maxBatch()));
      for (int i = 0; i < items.size(); i++) {
        batch.add(pattern(items.get(i), "body.patterns[" + i + "]"));
      }
    } else {
      batch.add(pattern(body, "body"));
    }
    ObjectNode out = Json.NODES.objectNode();
    out.set("patterns", AgentJson.tree(AgentArgs.call("body", () -> patterns().storeBatch(batch))));
    return out;
  }

  private static NewPattern pattern(JsonNode n, String path) {
    Json.onlyFields(n, path, "taskType", "approach", "successRate", "tags", "metadata");
    return new NewPattern(AgentArgs.text(n, "taskType", path, true), AgentArgs.text(n, "approach", path, true),
        AgentArgs.unit(n, "successRate", path, 0.0), AgentArgs.strings(n, "tags", path),
        AgentArgs.object(n, "metadata", path));
  }

  JsonNode get(ServerRequest req) {
    return AgentJson.tree(patterns().require(AgentArgs.pathId(req, "id")));
  }

  /** GET a page, newest first: {@code ?task_type=&limit=50&offset=0}. */
  JsonNode list(ServerRequest req) {
    int limit = AgentArgs.queryInt(req, "limit", 50, 1, ep.config.maxLimit());
    int offset = AgentArgs.queryInt(req, "offset", 0, 0, Integer.MAX_VALUE);
    String taskType = AgentArgs.queryText(req, "task_type");
    ObjectNode out = Json.NODES.objectNode();
    out.set("patterns", AgentJson.tree(AgentArgs.call("query", () -> patterns().list(taskType, limit, offset))));
    return out;
  }

  /** PATCH (agentdb_pattern_update). */
  JsonNode update(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "pattern_id", "taskType", "approach", "tags", "metadata", "replace_metadata");
    AgentSkillEndpoints.sameId(body, "pattern_id", id);
    PatternUpdate u = new PatternUpdate(AgentArgs.text(body, "taskType", "body", false),
        AgentArgs.text(body, "approach", "body", false), AgentArgs.strings(body, "tags", "body"),
        AgentArgs.object(body, "metadata", "body"), AgentArgs.bool(body, "replace_metadata", "body", false));
    return AgentJson.tree(AgentArgs.call("body", () -> patterns().update(id, u)));
  }

  JsonNode delete(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    if (!patterns().delete(id)) {
      throw new ApiError(404, "Not found: no pattern with id " + id);
    }
    return Json.NODES.objectNode().put("deleted", 1);
  }

  /** POST search (agentdb_pattern_search): task, k, threshold, filters {taskType, minSuccessRate, tags}. */
  JsonNode search(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "task", "k", "threshold", "filters");
    String task = AgentArgs.text(body, "task", "body", true);
    int k = AgentArgs.count(body, "k", "body", 10, 1, ep.config.maxLimit());
    double threshold = AgentArgs.number(body, "threshold", "body", 0.0);
    ObjectNode f = AgentArgs.object(body, "filters", "body");
    if (f == null) {
      f = Json.NODES.objectNode();
    }
    Json.onlyFields(f, "body.filters", "taskType", "minSuccessRate", "tags");
    String taskType = AgentArgs.text(f, "taskType", "body.filters", false);
    Double min = AgentArgs.unit(f, "minSuccessRate", "body.filters", null);
    List<String> tags = AgentArgs.strings(f, "tags", "body.filters");
    ObjectNode out = Json.NODES.objectNode();
    out.set("hits", AgentJson.tree(AgentArgs.call("body",
        () -> patterns().search(new PatternQuery(task, k, threshold, taskType, min, tags)))));
    return out;
  }

  /** POST feedback (agentdb_pattern_feedback): success and/or reward; the updated pattern. */
  JsonNode feedback(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "pattern_id", "success", "reward");
    AgentSkillEndpoints.sameId(body, "pattern_id", id);
    Outcome o = AgentArgs.call("body", () -> Outcome.of(AgentArgs.bool(body, "success", "body", null),
        AgentArgs.unit(body, "reward", "body", null), null));
    return AgentJson.tree(AgentArgs.call("body", () -> patterns().feedback(id, o)));
  }

  /** GET stats (agentdb_pattern_stats). */
  JsonNode stats(ServerRequest req) {
    return AgentJson.tree(patterns().stats());
  }
}
