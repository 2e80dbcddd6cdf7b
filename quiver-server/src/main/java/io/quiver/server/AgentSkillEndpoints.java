package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.skill.NewSkill;
import io.quiver.agent.store.Outcome;
import io.quiver.agent.skill.SkillLibrary;
import io.quiver.agent.skill.SkillUpdate;
import java.util.ArrayList;
import java.util.List;

/** {@code /quiver/agent/skills}: the skill library, with the arguments of AgentDB's {@code skill_*} tools. */
final class AgentSkillEndpoints {
  /** Most skills one request creates: the library's batch, as AgentDB's skill_create_batch (maxItems 100). */
  static final int MAX_BATCH = 100;

  private final Endpoints ep;
  private final AgentBackend agent;

  AgentSkillEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  private SkillLibrary skills() {
    return agent.memory().skills();
  }

  /** POST: one skill (skill_create) or {@code {skills: [...]}} (skill_create_batch); the created skills. */
  JsonNode create(ServerRequest req) {
    ObjectNode body = ep.body(req);
    List<NewSkill> batch = new ArrayList<>();
    boolean many = body.has("skills");
    if (many) {
      Json.onlyFields(body, "body", "skills", "batch_size", "format");
      JsonNode items = AgentArgs.array(body, "skills", "body", Math.min(MAX_BATCH, ep.config.maxBatch()));
      for (int i = 0; i < items.size(); i++) {
        batch.add(skill(items.get(i), "body.skills[" + i + "]"));
      }
    } else {
      batch.add(skill(body, "body"));
    }
    ObjectNode out = Json.NODES.objectNode();
    out.set("skills", AgentJson.tree(AgentArgs.call("body", () -> skills().createBatch(batch))));
    return out;
  }

  private static NewSkill skill(JsonNode n, String path) {
    Json.onlyFields(n, path, "name", "description", "code", "signature", "metadata", "tags", "success_rate", "uses",
        "avg_reward", "avg_latency_ms");
    NewSkill.Builder b = NewSkill.builder(AgentArgs.text(n, "name", path, true),
            AgentArgs.text(n, "description", path, true))
        .code(AgentArgs.text(n, "code", path, false))
        .signature(AgentArgs.object(n, "signature", path))
        .metadata(AgentArgs.object(n, "metadata", path))
        .tags(AgentArgs.strings(n, "tags", path))
        .successRate(AgentArgs.unit(n, "success_rate", path, 0.0))
        .uses(AgentArgs.integer(n, "uses", path, 0L, 0, Long.MAX_VALUE))
        .avgReward(AgentArgs.unit(n, "avg_reward", path, 0.0));
    double latency = AgentArgs.number(n, "avg_latency_ms", path, 0.0);
    if (latency < 0) {
      throw ApiError.badRequest(path + ".avg_latency_ms: must be >= 0, got " + n.get("avg_latency_ms"));
    }
    return b.avgLatencyMs(latency).build();
  }

  /** GET one skill; 404 when there is none. */
  JsonNode get(ServerRequest req) {
    return AgentJson.tree(skills().require(AgentArgs.pathId(req, "id")));
  }

  /** GET a page, newest first: {@code ?min_success_rate=&limit=50&offset=0}. */
  JsonNode list(ServerRequest req) {
    Double min = AgentArgs.queryNumber(req, "min_success_rate");
    int limit = AgentArgs.queryInt(req, "limit", 50, 1, ep.config.maxLimit());
    int offset = AgentArgs.queryInt(req, "offset", 0, 0, Integer.MAX_VALUE);
    ObjectNode out = Json.NODES.objectNode();
    out.set("skills", AgentJson.tree(AgentArgs.call("query", () -> skills().list(min, limit, offset))));
    out.put("total", skills().count());
    return out;
  }

  /** PATCH (skill_update): name, description, code, signature, metadata with replace_metadata. */
  JsonNode update(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "name", "description", "code", "signature", "metadata", "replace_metadata");
    SkillUpdate u = new SkillUpdate(AgentArgs.text(body, "name", "body", false),
        AgentArgs.text(body, "description", "body", false), AgentArgs.text(body, "code", "body", false),
        AgentArgs.object(body, "signature", "body"), AgentArgs.object(body, "metadata", "body"),
        AgentArgs.bool(body, "replace_metadata", "body", false));
    return AgentJson.tree(AgentArgs.call("body", () -> skills().update(id, u)));
  }

  /** DELETE one skill with its links; 404 when there is none. */
  JsonNode delete(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    if (!skills().delete(id)) {
      throw new ApiError(404, "Not found: no skill with id " + id);
    }
    return Json.NODES.objectNode().put("deleted", 1);
  }

  /** POST search (skill_search): the best k skills for a task with success rate >= min_success_rate. */
  JsonNode search(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "task", "k", "min_success_rate");
    String task = AgentArgs.text(body, "task", "body", true);
    int k = AgentArgs.count(body, "k", "body", 10, 1, ep.config.maxLimit());
    Double min = AgentArgs.unit(body, "min_success_rate", "body", null);
    ObjectNode out = Json.NODES.objectNode();
    out.set("hits", AgentJson.tree(AgentArgs.call("body", () -> skills().search(task, k, min))));
    return out;
  }

  /** POST feedback (agentdb_skill_feedback): success and/or reward, latency_ms; the updated skill. */
  JsonNode feedback(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "skill_id", "success", "reward", "latency_ms");
    sameId(body, "skill_id", id);
    Outcome o = AgentArgs.call("body", () -> Outcome.of(AgentArgs.bool(body, "success", "body", null),
        AgentArgs.unit(body, "reward", "body", null), AgentArgs.number(body, "latency_ms", "body", null)));
    return AgentJson.tree(AgentArgs.call("body", () -> skills().feedback(id, o)));
  }

  /** POST links: links this skill (the parent) to {@code child_id} with a relationship and weight. */
  JsonNode link(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "child_id", "relationship", "weight");
    long child = AgentArgs.requiredId(body, "child_id", "body");
    String rel = AgentArgs.text(body, "relationship", "body", true);
    double weight = AgentArgs.number(body, "weight", "body", 1.0);
    return AgentJson.tree(AgentArgs.call("body", () -> skills().link(id, child, rel, weight)));
  }

  /** GET links: the links from or to this skill; 404 when there is no such skill. */
  JsonNode links(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    skills().require(id);
    ObjectNode out = Json.NODES.objectNode();
    out.set("links", AgentJson.tree(skills().links(id)));
    return out;
  }

  /** 400 when the body repeats the path's id with another value (the MCP argument object carries it too). */
  static void sameId(JsonNode body, String field, long id) {
    Long given = AgentArgs.integer(body, field, "body", null, 0, Long.MAX_VALUE);
    if (given != null && given != id) {
      throw ApiError.badRequest("body." + field + ": " + given + " differs from the id " + id + " in the path");
    }
  }
}
