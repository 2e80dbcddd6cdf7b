package io.quiver.server;

import io.helidon.http.Method;
import java.util.Map;

/**
 * Which MCP tools the read-only API key may call, decided as for the REST API: each tool is paired with the
 * {@code /quiver/agent} route that does the same thing, and a tool reads exactly when {@link AccessFilter#isRead}
 * says that route reads. The few tools without a route are listed as reads or writes here. A tool missing from the
 * table writes: a new tool stays closed to the read-only key until it is classified.
 */
final class McpToolAccess {
  private record Route(Method method, String path) {
    boolean reads() {
      return AccessFilter.isRead(method, AgentRoutes.PREFIX + path);
    }
  }

  private static final Route READS = new Route(Method.GET, "/stats");
  /** Any POST outside AccessFilter's read list. */
  private static final Route WRITES = new Route(Method.POST, "/-");

  private static final Map<String, Route> ROUTES = Map.ofEntries(
      Map.entry("agentdb_init", WRITES),
      Map.entry("agentdb_insert", post("/episodes")),
      Map.entry("agentdb_insert_batch", post("/episodes")),
      Map.entry("agentdb_search", post("/episodes/search")),
      Map.entry("agentdb_delete", post("/episodes/delete")),
      Map.entry("agentdb_delete_batch", post("/episodes/delete")),
      Map.entry("agentdb_get", get("/episodes/1")),
      Map.entry("agentdb_list", get("/episodes")),
      Map.entry("agentdb_update", new Route(Method.PATCH, "/episodes/1")),
      Map.entry("reflexion_store", post("/episodes")),
      Map.entry("reflexion_store_batch", post("/episodes")),
      Map.entry("reflexion_retrieve", post("/episodes/retrieve")),
      Map.entry("agentdb_pattern_get", get("/patterns/1")),
      Map.entry("agentdb_pattern_list", get("/patterns")),
      Map.entry("agentdb_pattern_update", new Route(Method.PATCH, "/patterns/1")),
      Map.entry("agentdb_pattern_delete", new Route(Method.DELETE, "/patterns/1")),
      Map.entry("agentdb_pattern_store", post("/patterns")),
      Map.entry("agentdb_pattern_store_batch", post("/patterns")),
      Map.entry("agentdb_pattern_search", post("/patterns/search")),
      Map.entry("agentdb_pattern_stats", get("/patterns/stats")),
      Map.entry("agentdb_pattern_feedback", post("/patterns/1/feedback")),
      Map.entry("skill_get", get("/skills/1")),
      Map.entry("skill_list", get("/skills")),
      Map.entry("skill_update", new Route(Method.PATCH, "/skills/1")),
      Map.entry("skill_delete", new Route(Method.DELETE, "/skills/1")),
      Map.entry("skill_create", post("/skills")),
      Map.entry("skill_create_batch", post("/skills")),
      Map.entry("skill_search", post("/skills/search")),
      Map.entry("agentdb_skill_feedback", post("/skills/1/feedback")),
      Map.entry("causal_add_edge", post("/causal/edges")),
      Map.entry("causal_query", post("/causal/query")),
      Map.entry("causal_traverse", post("/causal/traverse")),
      Map.entry("learner_discover", post("/causal/discover")),
      Map.entry("recall_with_certificate", post("/recall")),
      Map.entry("db_stats", get("/stats")),
      Map.entry("agentdb_stats", get("/stats")),
      Map.entry("agentdb_capabilities", READS), // reports the runtime and embedder; stores nothing
      Map.entry("agentdb_clear_cache", WRITES),
      Map.entry("consolidate_now", WRITES), // creates skills and edges
      Map.entry("learning_start_session", post("/learning/sessions")),
      Map.entry("learning_end_session", post("/learning/end")),
      Map.entry("learning_predict", post("/learning/predict")),
      Map.entry("learning_feedback", post("/learning/feedback")),
      Map.entry("learning_train", post("/learning/train")),
      Map.entry("learning_metrics", post("/learning/metrics")),
      Map.entry("learning_transfer", post("/learning/transfer")),
      Map.entry("learning_explain", post("/learning/explain")),
      Map.entry("experience_record", post("/learning/experience")),
      Map.entry("reward_signal", post("/learning/reward")));

  private McpToolAccess() {}

  private static Route post(String path) {
    return new Route(Method.POST, path);
  }

  private static Route get(String path) {
    return new Route(Method.GET, path);
  }

  /** Whether {@code tool} only reads, so the read-only key may call it. */
  static boolean reads(String tool) {
    Route r = ROUTES.get(tool);
    return r != null && r.reads();
  }

  /** Whether {@code tool} is classified at all (tests check every catalogued tool is). */
  static boolean classified(String tool) {
    return ROUTES.containsKey(tool);
  }
}
