package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.quiver.agent.learning.Experience;
import io.quiver.agent.learning.Feedback;
import io.quiver.agent.learning.LearningSessions;
import io.quiver.agent.learning.RewardFunction;
import io.quiver.agent.learning.TransferRequest;
import java.util.Map;

/**
 * {@code /quiver/agent/learning}: learning sessions (tabular Q-learning, SARSA, UCB1 bandit), experiences and
 * rewards. Except for reading sessions by path, every endpoint takes the argument object of the AgentDB tool of the
 * same name ({@code learning_predict} → {@code POST /learning/predict}), session id included.
 */
final class AgentLearningEndpoints {
  private final Endpoints ep;
  private final AgentBackend agent;

  AgentLearningEndpoints(Endpoints ep, AgentBackend agent) {
    this.ep = ep;
    this.agent = agent;
  }

  private LearningSessions learning() {
    return agent.memory().learning();
  }

  /** POST sessions (learning_start_session): user_id, session_type, config; the session. */
  JsonNode start(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "user_id", "session_type", "config");
    String user = AgentArgs.text(body, "user_id", "body", true);
    String type = AgentArgs.text(body, "session_type", "body", true);
    ObjectNode config = AgentArgs.object(body, "config", "body");
    Map<String, Object> c = config == null ? Map.of() : AgentJson.map(config);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().start(user, type, c)));
  }

  JsonNode sessions(ServerRequest req) {
    ObjectNode out = Json.NODES.objectNode();
    out.set("sessions", AgentJson.tree(learning().sessions()));
    return out;
  }

  /** GET one session with its greedy policy; 404 when there is none. */
  JsonNode session(ServerRequest req) {
    String id = req.path().pathParameters().get("session_id");
    ObjectNode out = Json.NODES.objectNode();
    out.set("session", AgentJson.tree(learning().session(id)));
    out.set("policy", AgentJson.tree(learning().policy(id)));
    return out;
  }

  /** POST end (learning_end_session): freezes the policy; the final policy. */
  JsonNode end(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id");
    String id = AgentArgs.text(body, "session_id", "body", true);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().end(id)));
  }

  /** POST predict (learning_predict): the recommended action with its conformal interval. */
  JsonNode predict(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "state");
    String id = AgentArgs.text(body, "session_id", "body", true);
    String state = AgentArgs.text(body, "state", "body", true);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().predict(id, state)));
  }

  /** POST feedback (learning_feedback): state, action, reward, next_state, success (next_action for SARSA). */
  JsonNode feedback(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "state", "action", "reward", "next_state", "success", "next_action");
    Feedback f = new Feedback(AgentArgs.text(body, "session_id", "body", true),
        AgentArgs.text(body, "state", "body", true), AgentArgs.text(body, "action", "body", true),
        required(body, "reward"), AgentArgs.text(body, "next_state", "body", false),
        AgentArgs.requiredBool(body, "success", "body"), AgentArgs.text(body, "next_action", "body", false));
    return AgentJson.tree(AgentArgs.call("body", () -> learning().feedback(f)));
  }

  private static double required(ObjectNode body, String field) {
    if (!Json.present(body.get(field))) {
      throw ApiError.badRequest("body." + field + ": required, a number");
    }
    return AgentArgs.number(body, field, "body", null);
  }

  /** POST train (learning_train): experience replay; epochs, batch_size, learning_rate. */
  JsonNode train(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "epochs", "batch_size", "learning_rate");
    String id = AgentArgs.text(body, "session_id", "body", true);
    Long epochs = AgentArgs.integer(body, "epochs", "body", null, 1, 100_000);
    Long batch = AgentArgs.integer(body, "batch_size", "body", null, 1, 1_000_000);
    Double rate = AgentArgs.number(body, "learning_rate", "body", null);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().train(id,
        epochs == null ? null : epochs.intValue(), batch == null ? null : batch.intValue(), rate)));
  }

  /** POST metrics (learning_metrics): over one session or all, in the last time_window_days. */
  JsonNode metrics(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "time_window_days", "include_trends", "group_by");
    String id = AgentArgs.text(body, "session_id", "body", false);
    Double days = AgentArgs.number(body, "time_window_days", "body", 7.0);
    boolean trends = AgentArgs.bool(body, "include_trends", "body", true);
    String groupBy = AgentArgs.text(body, "group_by", "body", false);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().metrics(id, days, trends, groupBy)));
  }

  /** POST transfer (learning_transfer): Q-values from source_session into target_session. */
  JsonNode transfer(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "source_session", "target_session", "source_task", "target_task",
        "min_similarity", "transfer_type", "max_transfers", "blend");
    if (Json.present(body.get("source_task")) || Json.present(body.get("target_task"))) {
      throw ApiError.badRequest("body.source_task: transfer between tasks is not offered; give source_session and "
          + "target_session");
    }
    String type = AgentArgs.text(body, "transfer_type", "body", false);
    if (type != null && !type.equals("all")) {
      throw ApiError.badRequest("body.transfer_type: only 'all' (Q-values) is offered, got '" + type + "'");
    }
    TransferRequest d = TransferRequest.of("a", "b");
    String source = AgentArgs.text(body, "source_session", "body", false);
    String target = AgentArgs.text(body, "target_session", "body", false);
    double min = AgentArgs.number(body, "min_similarity", "body", d.minSimilarity());
    int max = AgentArgs.count(body, "max_transfers", "body", d.maxTransfers(), 1, Integer.MAX_VALUE);
    double blend = AgentArgs.number(body, "blend", "body", d.blend());
    return AgentJson.tree(AgentArgs.call("body",
        () -> learning().transfer(new TransferRequest(source, target, min, max, blend))));
  }

  /**
   * POST explain (learning_explain): action values and supporting transitions for the states nearest to
   * {@code query}, in {@code session_id} or every session; {@code evidence} transitions per state (3; 0 when
   * {@code include_evidence} is false).
   */
  JsonNode explain(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "query", "k", "evidence", "explain_depth", "include_confidence",
        "include_evidence", "include_causal");
    String id = AgentArgs.text(body, "session_id", "body", false);
    String query = AgentArgs.text(body, "query", "body", true);
    int k = AgentArgs.count(body, "k", "body", 5, 1, 100);
    boolean withEvidence = AgentArgs.bool(body, "include_evidence", "body", true);
    int evidence = AgentArgs.count(body, "evidence", "body", withEvidence ? 3 : 0, 0, 1000);
    AgentArgs.text(body, "explain_depth", "body", false);
    AgentArgs.bool(body, "include_confidence", "body", true);
    AgentArgs.bool(body, "include_causal", "body", true);
    return AgentJson.tree(AgentArgs.call("body", () -> learning().explain(id, query, k, evidence)));
  }

  /** POST experience (experience_record): a tool execution recorded as a transition of the session. */
  JsonNode experience(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "session_id", "tool_name", "action", "state_before", "state_after", "outcome",
        "reward", "success", "latency_ms", "metadata");
    Experience e = new Experience(AgentArgs.text(body, "session_id", "body", true),
        AgentArgs.text(body, "tool_name", "body", true), AgentArgs.text(body, "action", "body", true),
        AgentArgs.object(body, "state_before", "body"), AgentArgs.object(body, "state_after", "body"),
        AgentArgs.text(body, "outcome", "body", true), AgentArgs.requiredUnit(body, "reward", "body"),
        AgentArgs.requiredBool(body, "success", "body"), AgentArgs.number(body, "latency_ms", "body", null),
        AgentArgs.object(body, "metadata", "body"));
    return AgentJson.tree(AgentArgs.call("body", () -> learning().recordExperience(e)));
  }

  /** POST reward (reward_signal): a reward in [0, 1] computed from the outcome's parts; stores nothing. */
  JsonNode reward(ServerRequest req) {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "episode_id", "success", "target_achieved", "efficiency_score", "quality_score",
        "time_taken_ms", "expected_time_ms", "include_causal", "reward_function");
    Long episode = AgentArgs.integer(body, "episode_id", "body", null, 0, Long.MAX_VALUE);
    boolean success = AgentArgs.requiredBool(body, "success", "body");
    Boolean target = AgentArgs.bool(body, "target_achieved", "body", null);
    Double efficiency = AgentArgs.unit(body, "efficiency_score", "body", null);
    Double quality = AgentArgs.unit(body, "quality_score", "body", null);
    Double taken = AgentArgs.number(body, "time_taken_ms", "body", null);
    Double expected = AgentArgs.number(body, "expected_time_ms", "body", null);
    AgentArgs.bool(body, "include_causal", "body", true);
    String function = AgentArgs.text(body, "reward_function", "body", false);
    return AgentJson.tree(AgentArgs.call("body", () -> RewardFunction.compute(episode, success, target, efficiency,
        quality, taken, expected, function)));
  }
}
