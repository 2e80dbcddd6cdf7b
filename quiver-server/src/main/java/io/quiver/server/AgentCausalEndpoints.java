package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.causal.CausalChain;
import io.quiver.agent.causal.CausalGraph;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.causal.DiscoveryPolicy;
import io.quiver.agent.causal.EdgeQuery;
import io.quiver.agent.causal.EpisodeEvent;
import io.quiver.agent.causal.Observation;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodePage;
import io.quiver.agent.episode.EpisodeStore;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /quiver/agent/causal}: the causal graph, with the arguments of AgentDB's {@code causal_*} and
 * {@code learner_discover} tools. A node is an event's name (a string) or a stored memory {@code {type, id}}.
 */
final class AgentCausalEndpoints {
  /** Most observations one request records. */
  static final int MAX_OBSERVATIONS = 10_000;

  private final Endpoints ep;
  private final AgentBackend agent;

  AgentCausalEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  private CausalGraph graph() {
    return agent.memory().causal();
  }

  /** A node: a string (an event) or {@code {type, id}} (a stored memory); null when absent and not required. */
  static CausalNode node(JsonNode body, String field, String path, boolean required) {
    JsonNode n = body.get(field);
    String p = path + "." + field;
    if (!Json.present(n)) {
      if (required) {
        throw ApiError.badRequest(p + ": required, an event name or {type, id} of a stored memory");
      }
      return null;
    }
    if (n.isTextual()) {
      return AgentArgs.call(p, () -> CausalNode.event(n.textValue()));
    }
    if (n.isObject()) {
      Json.onlyFields(n, p, "type", "id");
      String type = AgentArgs.text(n, "type", p, true);
      long id = AgentArgs.requiredId(n, "id", p);
      return AgentArgs.call(p, () -> CausalNode.memory(type, id));
    }
    throw ApiError.badRequest(p + ": expected an event name or {type, id}, got " + n);
  }

  /** POST edges (causal_add_edge): cause, effect, uplift, confidence (0.95), sample_size (0); the stored edge. */
  JsonNode addEdge(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "cause", "effect", "uplift", "confidence", "sample_size");
    CausalNode cause = node(body, "cause", "body", true);
    CausalNode effect = node(body, "effect", "body", true);
    if (!Json.present(body.get("uplift"))) {
      throw ApiError.badRequest("body.uplift: required, a number");
    }
    double uplift = AgentArgs.number(body, "uplift", "body", null);
    double confidence = AgentArgs.unit(body, "confidence", "body", 0.95);
    long n = AgentArgs.integer(body, "sample_size", "body", 0L, 0, Long.MAX_VALUE);
    return AgentJson.tree(AgentArgs.call("body", () -> graph().add(cause, effect, uplift, confidence, n)));
  }

  JsonNode getEdge(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    return AgentJson.tree(AgentArgs.call("body", () -> graph().require(id)));
  }

  JsonNode deleteEdge(ServerRequest req) {
    long id = AgentArgs.pathId(req, "id");
    if (!graph().delete(id)) {
      throw new ApiError(404, "Not found: no causal edge with id " + id);
    }
    return Json.NODES.objectNode().put("deleted", 1);
  }

  /** POST query (causal_query): edges from cause and/or to effect above the thresholds, strongest first. */
  JsonNode query(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "cause", "effect", "min_confidence", "min_uplift", "limit");
    CausalNode cause = node(body, "cause", "body", false);
    CausalNode effect = node(body, "effect", "body", false);
    double minConfidence = AgentArgs.unit(body, "min_confidence", "body", 0.5);
    double minUplift = AgentArgs.number(body, "min_uplift", "body", 0.0);
    int limit = AgentArgs.count(body, "limit", "body", 10, 1, ep.config.maxLimit());
    ObjectNode out = Json.NODES.objectNode();
    out.set("edges", AgentJson.tree(AgentArgs.call("body",
        () -> graph().query(new EdgeQuery(cause, effect, minConfidence, minUplift, limit)))));
    return out;
  }

  /**
   * POST traverse (causal_traverse): the shortest chain from {@code from_memory_id} to {@code to_memory_id}
   * (episodes), or between any nodes {@code from} and {@code to}; {@code {chain: null}} when there is none.
   */
  JsonNode traverse(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "from_memory_id", "to_memory_id", "from", "to", "max_depth");
    CausalNode from = endpoint(body, "from");
    CausalNode to = endpoint(body, "to");
    int depth = AgentArgs.count(body, "max_depth", "body", 5, 1, CausalGraph.MAX_DEPTH);
    CausalChain chain = AgentArgs.call("body", () -> graph().traverse(from, to, depth));
    ObjectNode out = Json.NODES.objectNode();
    out.set("chain", chain == null ? Json.NODES.nullNode() : AgentJson.tree(chain));
    return out;
  }

  private static CausalNode endpoint(ObjectNode body, String end) {
    String memoryField = end + "_memory_id";
    boolean byId = Json.present(body.get(memoryField));
    if (byId == Json.present(body.get(end))) {
      throw ApiError.badRequest("body." + memoryField + ": give " + memoryField + " (an episode id) or " + end
          + " (a node), exactly one");
    }
    if (byId) {
      long id = AgentArgs.requiredId(body, memoryField, "body");
      return CausalNode.memory("episode", id);
    }
    return node(body, end, "body", true);
  }

  /**
   * POST experiments: records observations of an experiment on cause → effect, each {@code {treated, success}} or
   * {@code {treated, outcome}} (a number), in one durable write.
   */
  JsonNode record(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "cause", "effect", "observations");
    CausalNode cause = node(body, "cause", "body", true);
    CausalNode effect = node(body, "effect", "body", true);
    JsonNode items = AgentArgs.array(body, "observations", "body",
        Math.min(MAX_OBSERVATIONS, ep.config.maxBatch()));
    List<Observation> obs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonNode o = items.get(i);
      String p = "body.observations[" + i + "]";
      Json.onlyFields(o, p, "treated", "success", "outcome");
      boolean treated = AgentArgs.requiredBool(o, "treated", p);
      boolean hasSuccess = Json.present(o.get("success"));
      if (hasSuccess == Json.present(o.get("outcome"))) {
        throw ApiError.badRequest(p + ".outcome: give success (a boolean) or outcome (a number), exactly one");
      }
      obs.add(hasSuccess ? Observation.success(treated, AgentArgs.requiredBool(o, "success", p))
          : AgentArgs.call(p, () -> Observation.numeric(treated, AgentArgs.number(o, "outcome", p, null))));
    }
    AgentArgs.call("body", () -> {
      graph().record(cause, effect, obs);
      return null;
    });
    return Json.NODES.objectNode().put("recorded", obs.size());
  }

  /** POST estimate: the uplift of cause on effect from the recorded observations, with a {@code level} interval. */
  JsonNode estimate(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "cause", "effect", "level");
    CausalNode cause = node(body, "cause", "body", true);
    CausalNode effect = node(body, "effect", "body", true);
    double level = level(body);
    return AgentJson.tree(AgentArgs.call("body", () -> graph().estimate(cause, effect, level)));
  }

  /** POST edges/estimate: the estimate stored as the pair's {@code estimated} edge; the edge. */
  JsonNode estimateAndStore(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "cause", "effect", "level");
    CausalNode cause = node(body, "cause", "body", true);
    CausalNode effect = node(body, "effect", "body", true);
    double level = level(body);
    return AgentJson.tree(AgentArgs.call("body", () -> graph().estimateAndStore(cause, effect, level)));
  }

  private static double level(ObjectNode body) {
    double level = AgentArgs.number(body, "level", "body", 0.95);
    if (!(level > 0 && level < 1)) {
      throw ApiError.badRequest("body.level: must be in (0, 1), got " + body.get("level"));
    }
    return level;
  }

  /** POST discover (learner_discover): candidate edges between tasks of the stored episodes; stored unless dry_run. */
  JsonNode discover(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "min_attempts", "min_success_rate", "min_confidence", "dry_run");
    DiscoveryPolicy d = DiscoveryPolicy.DEFAULT;
    int attempts = AgentArgs.count(body, "min_attempts", "body", d.minAttempts(), 1, Integer.MAX_VALUE);
    double rate = AgentArgs.unit(body, "min_success_rate", "body", d.minSuccessRate());
    double confidence = AgentArgs.unit(body, "min_confidence", "body", d.minConfidence());
    boolean dryRun = AgentArgs.bool(body, "dry_run", "body", false);
    DiscoveryPolicy policy = new DiscoveryPolicy(attempts, rate, confidence, dryRun);
    List<EpisodeEvent> events = events(agent.memory().episodes());
    ObjectNode out = Json.NODES.objectNode();
    out.put("episodes", events.size());
    out.set("edges", AgentJson.tree(AgentArgs.call("body", () -> graph().discover(events, policy))));
    return out;
  }

  /** Every stored episode as discovery reads it, oldest first. */
  private static List<EpisodeEvent> events(EpisodeStore store) {
    List<EpisodeEvent> out = new ArrayList<>();
    int page = EpisodeStore.MAX_K;
    for (int offset = 0; ; offset += page) {
      EpisodePage p = store.list(EpisodeFilter.ALL, page, offset, false);
      for (Episode e : p.episodes()) {
        out.add(new EpisodeEvent(e.task(), e.success(), e.reward(), e.sessionId(), e.ts() * 1000));
      }
      if (p.episodes().size() < page) {
        return out;
      }
    }
  }
}
