package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.recall.CausalRecall;
import io.quiver.agent.recall.RecallRequest;

/**
 * {@code POST /quiver/agent/recall} (recall_with_certificate): the k episodes of highest utility
 * {@code alpha·similarity + beta·uplift − gamma·latency} over every stored episode, with the certificate that
 * justifies the answer; and {@code GET /quiver/agent/stats} (db_stats): record counts and the active embedder.
 */
final class AgentRecallEndpoints {
  private final Endpoints ep;
  private final AgentBackend agent;

  AgentRecallEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  JsonNode recall(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "query", "k", "alpha", "beta", "gamma", "latency_scale_ms");
    String query = AgentArgs.text(body, "query", "body", true);
    int k = AgentArgs.count(body, "k", "body", RecallRequest.DEFAULT_K, 1, CausalRecall.MAX_K);
    double alpha = AgentArgs.number(body, "alpha", "body", RecallRequest.DEFAULT_ALPHA);
    double beta = AgentArgs.number(body, "beta", "body", RecallRequest.DEFAULT_BETA);
    double gamma = AgentArgs.number(body, "gamma", "body", RecallRequest.DEFAULT_GAMMA);
    double scale = AgentArgs.number(body, "latency_scale_ms", "body", RecallRequest.DEFAULT_LATENCY_SCALE_MS);
    if (!(scale > 0)) {
      throw ApiError.badRequest("body.latency_scale_ms: must be > 0, got " + body.get("latency_scale_ms"));
    }
    RecallRequest r = new RecallRequest(query, k, alpha, beta, gamma, scale);
    return AgentJson.tree(AgentArgs.call("body", () -> agent.memory().recall().recall(r)));
  }

  JsonNode stats(ServerRequest req) {
    AgentMemory m = agent.memory();
    ObjectNode out = (ObjectNode) AgentJson.tree(m.stats());
    out.set("episode_outcomes", AgentJson.tree(m.episodes().counts()));
    return out;
  }
}
