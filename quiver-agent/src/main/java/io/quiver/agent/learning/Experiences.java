package io.quiver.agent.learning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.QuiverException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records tool executions as transitions. Into an active learning session it is a feedback (learned from); into
 * any other session id it is stored only (no policy changes); into an ended learning session it is refused.
 */
final class Experiences {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Experiences() {}

  static ExperienceResult record(LearningSessions sessions, LearningStore store, Clock clock, Experience e) {
    if (e.sessionId() == null || e.sessionId().isBlank()) {
      throw new QuiverException.InvalidInput("session_id is required");
    }
    String tool = StateKeys.action(e.toolName(), "tool_name");
    String action = StateKeys.action(e.action(), "action");
    if (e.outcome() == null) {
      throw new QuiverException.InvalidInput("outcome is required");
    }
    if (!(e.reward() >= 0 && e.reward() <= 1)) {
      throw new QuiverException.InvalidInput("reward must be in [0, 1], got " + e.reward());
    }
    if (e.latencyMs() != null && !(e.latencyMs() >= 0 && Double.isFinite(e.latencyMs()))) {
      throw new QuiverException.InvalidInput("latency_ms must be a finite number >= 0, got " + e.latencyMs());
    }
    String state = tool + " " + canonical(e.stateBefore());
    String next = e.stateAfter() == null ? null : tool + " " + canonical(e.stateAfter());
    ObjectNode details = JSON.createObjectNode();
    details.put("tool_name", tool);
    details.put("outcome", e.outcome());
    if (e.latencyMs() != null) {
      details.put("latency_ms", e.latencyMs());
    }
    if (e.stateBefore() != null) {
      details.set("state_before", e.stateBefore());
    }
    if (e.stateAfter() != null) {
      details.set("state_after", e.stateAfter());
    }
    if (e.metadata() != null) {
      details.set("metadata", e.metadata());
    }
    if (sessions.exists(e.sessionId())) {
      FeedbackResult r = sessions.feedback(new Feedback(e.sessionId(), state, action, e.reward(), next, e.success()),
          details);
      return new ExperienceResult(e.sessionId(), r.seq(), true, state, next);
    }
    long seq = store.maxSeq(e.sessionId()) + 1;
    store.writeTransition(new Transition(e.sessionId(), seq, clock.millis(), StateKeys.key(state, "state_before"),
        state, action, e.reward(), next == null ? null : StateKeys.key(next, "state_after"), next, null,
        e.success(), Double.NaN, false, details));
    return new ExperienceResult(e.sessionId(), seq, false, state, next);
  }

  /** {@code node} as JSON with object keys sorted at every depth ({@code {}} for null). */
  static String canonical(JsonNode node) {
    return node == null ? "{}" : JSON.valueToTree(sorted(node)).toString();
  }

  private static Object sorted(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> m = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        m.put(e.getKey(), sorted(e.getValue()));
      }
      return m;
    }
    if (node.isArray()) {
      List<Object> l = new ArrayList<>();
      node.forEach(x -> l.add(sorted(x)));
      return l;
    }
    return node;
  }
}
