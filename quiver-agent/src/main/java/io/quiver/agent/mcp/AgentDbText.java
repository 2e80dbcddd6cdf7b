package io.quiver.agent.mcp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.function.Function;

/**
 * The text AgentDB 3.3.0's tools answer with, line for line where a line carries data (ids as {@code #<integer>},
 * {@code N. Episode <id>} blocks, {@code Success: <percent>%}, {@code Uplift: <x> (confidence: <y>)},
 * {@code Certificate ID:}, {@code Session ID:}, {@code Recommended Action:}), so agents and prompts written for
 * AgentDB read Quiver's answers unchanged. The wording and decimals are AgentDB's as recorded from its MCP server
 * (test resource agentdb/replies.json); the emoji headings are kept because prompts quote them.
 */
public final class AgentDbText {
  private AgentDbText() {}

  /** One retrieved episode. */
  public record EpisodeLine(long id, String task, double reward, double similarity) {}

  /** One skill found. */
  public record SkillLine(String name, String description, double successRate) {}

  /** One causal edge found. */
  public record EdgeLine(String cause, String effect, double uplift, double confidence) {}

  /** One recalled memory: its kind ("episode", "skill", ...) and id. */
  public record RecallLine(String type, String id, double similarity, double uplift) {}

  /** The counts db_stats reports. */
  public record DbStats(long causalEdges, long experiments, long observations, long episodes, long episodeEmbeddings,
      long skills) {}

  /** reflexion_store's answer. */
  public static String episodeStored(long id, String task, double reward, boolean success) {
    return "✅ Stored episode #" + id + "\nTask: " + task + "\nReward: " + jsNumber(reward) + "\nSuccess: " + success;
  }

  /** skill_create's answer. */
  public static String skillCreated(long id, String name) {
    return "✅ Created skill #" + id + ": " + name;
  }

  /** causal_add_edge's answer (AgentDB prints "#[object Promise]" for the id; this prints the id). */
  public static String edgeAdded(long id, String cause, String effect, double uplift) {
    return "✅ Added causal edge #" + id + "\n" + cause + " → " + effect + "\nUplift: " + jsNumber(uplift);
  }

  /** reflexion_retrieve's answer. */
  public static String episodes(List<EpisodeLine> hits) {
    return list("🔍 Retrieved " + hits.size() + " episodes:", hits, e -> "Episode " + e.id() + "\n   Task: " + e.task()
        + "\n   Reward: " + fixed(e.reward(), 2) + "\n   Similarity: " + fixed(e.similarity(), 3));
  }

  /** skill_search's answer. */
  public static String skills(List<SkillLine> hits) {
    return list("🔍 Found " + hits.size() + " skills:", hits, s -> s.name() + "\n   " + s.description()
        + "\n   Success: " + fixed(s.successRate() * 100, 1) + "%");
  }

  /** causal_query's answer. */
  public static String edges(List<EdgeLine> hits) {
    return list("🔍 Found " + hits.size() + " causal edges:", hits, e -> e.cause() + " → " + e.effect()
        + "\n   Uplift: " + fixed(e.uplift(), 3) + " (confidence: " + fixed(e.confidence(), 2) + ")");
  }

  /** recall_with_certificate's answer. */
  public static String recall(List<RecallLine> hits, String certificateId) {
    return list("🔍 Retrieved " + hits.size() + " results:", hits, r -> r.type() + " " + r.id()
        + "\n   Similarity: " + fixed(r.similarity(), 3) + "\n   Uplift: " + fixed(r.uplift(), 3))
        + "\n\n📜 Certificate ID: " + certificateId;
  }

  /** db_stats's answer. */
  public static String dbStats(DbStats s) {
    return "📊 Database Statistics:\n\nCausal Edges: " + s.causalEdges() + "\nExperiments: " + s.experiments()
        + "\nObservations: " + s.observations() + "\nEpisodes (Vectors): " + s.episodes() + "\nEpisode Embeddings: "
        + s.episodeEmbeddings() + "\nSkills: " + s.skills();
  }

  /** learning_start_session's answer. */
  public static String sessionStarted(String sessionId, String userId, String algorithm) {
    return "✅ Learning session started!\n\n🆔 Session ID: " + sessionId + "\n👤 User: " + userId + "\n🧠 Algorithm: "
        + algorithm + "\n\n📝 Use this session ID for predictions and feedback.";
  }

  /** learning_predict's answer: the action and its confidence (a fraction, printed as a percentage). */
  public static String prediction(String state, String action, double confidence, double qValue) {
    return "🎯 AI Recommendation:\n\n📍 State: " + state + "\n✨ Recommended Action: " + action + "\n💯 Confidence: "
        + fixed(confidence * 100, 1) + "%\n📊 Q-Value: " + fixed(qValue, 3);
  }

  /** A heading, a blank line, then numbered blocks separated by blank lines (AgentDB's list layout). */
  private static <T> String list(String heading, List<T> items, Function<T, String> block) {
    StringBuilder sb = new StringBuilder(heading).append("\n");
    for (int i = 0; i < items.size(); i++) {
      sb.append("\n").append(i + 1).append(". ").append(block.apply(items.get(i))).append("\n");
    }
    return sb.toString().stripTrailing();
  }

  /**
   * JavaScript's toFixed: the exact binary value rounded half away from zero, so 1.005 (stored as 1.00499...) gives
   * "1.00" where String.format would give "1.01".
   */
  static String fixed(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return jsNumber(v);
    }
    return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }

  /** JavaScript's Number#toString for the values tools echo: 0.9, 1, 0.25, 1e-7. */
  static String jsNumber(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
    double a = Math.abs(v);
    if (a == 0 || (a >= 1e-6 && a < 1e21)) {
      return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
    return Double.toString(v).replace("E", "e").replace("e", a >= 1 ? "e+" : "e").replace(".0e", "e");
  }
}
