package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.learning.Experience;
import io.quiver.agent.learning.ExperienceResult;
import io.quiver.agent.learning.Explanation;
import io.quiver.agent.learning.Feedback;
import io.quiver.agent.learning.FeedbackResult;
import io.quiver.agent.learning.LearningSessions;
import io.quiver.agent.learning.MetricsReport;
import io.quiver.agent.learning.PolicySummary;
import io.quiver.agent.learning.Prediction;
import io.quiver.agent.learning.RewardFunction;
import io.quiver.agent.learning.RewardSignal;
import io.quiver.agent.learning.SessionInfo;
import io.quiver.agent.learning.TrainReport;
import io.quiver.agent.learning.TransferReport;
import io.quiver.agent.learning.TransferRequest;
import io.quiver.agent.mcp.AgentDbText;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import java.util.Map;

/**
 * The reinforcement-learning tools: sessions (start, predict, feedback, train, end), metrics, transfer between
 * sessions, explanations, tool experiences and reward signals.
 */
public final class LearningTools implements ToolGroup {
  /** Transitions shown per state by learning_explain with include_evidence. */
  private static final int EVIDENCE = 3;

  private final LearningSessions learning;

  public LearningTools(LearningSessions learning) {
    this.learning = learning;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("learning_start_session", a -> start(Args.of(a)))
        .handle("learning_end_session", a -> end(Args.of(a)))
        .handle("learning_predict", a -> predict(Args.of(a)))
        .handle("learning_feedback", a -> feedback(Args.of(a)))
        .handle("learning_train", a -> train(Args.of(a)))
        .handle("learning_metrics", a -> metrics(Args.of(a)))
        .handle("learning_transfer", a -> transfer(Args.of(a)))
        .handle("learning_explain", a -> explain(Args.of(a)))
        .handle("experience_record", a -> experience(Args.of(a)))
        .handle("reward_signal", a -> reward(Args.of(a)));
  }

  @SuppressWarnings("unchecked")
  private ToolResult start(Args a) {
    ObjectNode config = a.obj("config");
    Map<String, ?> map = config == null ? Map.of() : Args.MAPPER.convertValue(config, Map.class);
    SessionInfo s = learning.start(a.str("user_id"), a.str("session_type"), map);
    return ToolResult.success(AgentDbText.sessionStarted(s.sessionId(), s.userId(), s.type().wireName()),
        Args.json(s));
  }

  private ToolResult end(Args a) {
    PolicySummary p = learning.end(a.str("session_id"));
    return ToolResult.success("✅ Learning session ended\n\n🆔 Session ID: " + p.sessionId() + "\n📈 Feedback: "
        + p.feedbackCount(), Args.json(p));
  }

  private ToolResult predict(Args a) {
    Prediction p = learning.predict(a.str("session_id"), a.str("state"));
    String text = p.action() == null ? "🎯 AI Recommendation:\n\n📍 State: " + p.state() + "\n✨ Recommended Action: none"
        + (p.reason() == null ? "" : " (" + p.reason() + ")")
        : AgentDbText.prediction(p.state(), p.action(), p.confidence(), p.value());
    return ToolResult.success(text, Args.json(p));
  }

  private ToolResult feedback(Args a) {
    FeedbackResult r = learning.feedback(new Feedback(a.str("session_id"), a.str("state"), a.str("action"),
        a.dbl("reward"), a.str("next_state"), a.bool("success", false)));
    return ToolResult.success("✅ Feedback recorded\n\n🆔 Session ID: " + r.sessionId() + "\n📊 Q-Value: "
        + AgentDbTextNumbers.fixed(r.value(), 3), Args.json(r));
  }

  private ToolResult train(Args a) {
    TrainReport r = learning.train(a.str("session_id"), a.count("epochs", 50, 1, 100_000),
        a.count("batch_size", 32, 1, 100_000), a.dbl("learning_rate"));
    return ToolResult.success("🎓 Training complete\n\n🆔 Session ID: " + r.sessionId() + "\n🔁 Epochs: " + r.epochs()
        + "\n📚 Transitions: " + r.transitions() + "\n📉 Loss: " + AgentDbTextNumbers.fixed(r.loss(), 4)
        + "\n🏆 Average reward: " + AgentDbTextNumbers.fixed(r.averageReward(), 3), Args.json(r));
  }

  private ToolResult metrics(Args a) {
    MetricsReport m = learning.metrics(a.str("session_id"), a.dbl("time_window_days"),
        a.bool("include_trends", true), a.str("group_by"));
    StringBuilder text = new StringBuilder("📊 Learning metrics (last " + AgentDbTextNumbers.fixed(m.timeWindowDays(),
        0) + " days)\n\nTransitions: " + m.overall().count() + "\nSuccess: "
        + AgentDbTextNumbers.percent(m.overall().successRate()) + "\nMean reward: "
        + AgentDbTextNumbers.fixed(m.overall().meanReward(), 3));
    if (m.trend() != null) {
      text.append("\nTrend: ").append(m.trend());
    }
    for (MetricsReport.Group g : m.groups()) {
      text.append("\n   ").append(g.key()).append(": ").append(g.stats().count()).append(" (")
          .append(AgentDbTextNumbers.percent(g.stats().successRate())).append(")");
    }
    return ToolResult.success(text.toString(), Args.json(m));
  }

  private ToolResult transfer(Args a) {
    if (!a.has("source_session") || !a.has("target_session")) {
      throw a.bad(a.has("source_session") ? "target_session" : "source_session",
          "is required: this build transfers between learning sessions (source_task/target_task are not supported)");
    }
    TransferRequest d = TransferRequest.of(a.str("source_session"), a.str("target_session"));
    TransferReport r = learning.transfer(new TransferRequest(d.sourceSession(), d.targetSession(),
        a.dbl("min_similarity", d.minSimilarity()), a.count("max_transfers", d.maxTransfers(), 1, 100_000),
        d.blend()));
    return ToolResult.success("✅ Transferred " + r.items().size() + " states from " + r.sourceSession() + " to "
        + r.targetSession(), Args.json(r));
  }

  private ToolResult explain(Args a) {
    Explanation e = learning.explain(null, a.str("query"), a.count("k", 5, 1, 10_000),
        a.bool("include_evidence", true) ? EVIDENCE : 0);
    StringBuilder text = new StringBuilder("💡 Explanation for: " + e.query() + "\n");
    int i = 0;
    for (Explanation.StateEvidence s : e.states()) {
      text.append("\n").append(++i).append(". ").append(s.state()).append(" (session ").append(s.sessionId())
          .append(")\n   Recommended Action: ").append(s.recommended()).append("\n   Similarity: ")
          .append(AgentDbTextNumbers.fixed(s.similarity(), 3)).append("\n");
    }
    return ToolResult.success(text.toString().stripTrailing(), Args.json(e));
  }

  private ToolResult experience(Args a) {
    ExperienceResult r = learning.recordExperience(new Experience(a.str("session_id"), a.str("tool_name"),
        a.str("action"), a.obj("state_before"), a.obj("state_after"), a.str("outcome"), a.dbl("reward"),
        a.bool("success", false), a.dbl("latency_ms"), a.obj("metadata")));
    return ToolResult.success("✅ Experience recorded\n\n🆔 Session ID: " + r.sessionId() + "\n🔢 Seq: " + r.seq(),
        Args.json(r));
  }

  private ToolResult reward(Args a) {
    RewardSignal r = RewardFunction.compute(a.whole("episode_id"), a.bool("success", false),
        a.bool("target_achieved"), a.dbl("efficiency_score"), a.dbl("quality_score"), a.dbl("time_taken_ms"),
        a.dbl("expected_time_ms"), a.str("reward_function"));
    StringBuilder text = new StringBuilder("🎁 Reward: " + AgentDbTextNumbers.fixed(r.reward(), 3) + " ("
        + r.function() + ")");
    r.components().forEach((k, v) -> text.append("\n   ").append(k).append(": ")
        .append(AgentDbTextNumbers.fixed(v, 3)));
    return ToolResult.success(text.toString(), Args.json(r));
  }
}
