package io.quiver.server;

/**
 * The routes of {@code /quiver/agent}: one shared agent memory for every client of the server. Literal paths are
 * registered before the {@code {id}} paths beside them ({@code GET /episodes/stats} is not episode "stats").
 * {@link AccessFilter#isRead} lists the POSTs here that only read (allowed to the read-only key).
 */
final class AgentRoutes {
  static final String PREFIX = "/quiver/agent";

  private AgentRoutes() {}

  static void register(Routes rt, Endpoints ep, AgentBackend agent) {
    String p = PREFIX;
    AgentEpisodeEndpoints episodes = new AgentEpisodeEndpoints(ep, agent);
    rt.post(p + "/episodes", ep.wrap(episodes::store));
    rt.get(p + "/episodes", ep.wrap(episodes::list));
    rt.post(p + "/episodes/retrieve", ep.wrap(episodes::retrieve));
    rt.post(p + "/episodes/search", ep.wrap(episodes::search));
    rt.post(p + "/episodes/delete", ep.wrap(episodes::deleteBatch));
    rt.get(p + "/episodes/stats", ep.wrap(episodes::taskStats));
    rt.get(p + "/episodes/critiques", ep.wrap(episodes::critiques));
    rt.get(p + "/episodes/{id}", ep.wrap(episodes::get));
    rt.patch(p + "/episodes/{id}", ep.wrap(episodes::update));
    rt.delete(p + "/episodes/{id}", ep.wrap(episodes::delete));

    AgentSkillEndpoints skills = new AgentSkillEndpoints(ep, agent);
    rt.post(p + "/skills", ep.wrap(skills::create));
    rt.get(p + "/skills", ep.wrap(skills::list));
    rt.post(p + "/skills/search", ep.wrap(skills::search));
    rt.get(p + "/skills/{id}", ep.wrap(skills::get));
    rt.patch(p + "/skills/{id}", ep.wrap(skills::update));
    rt.delete(p + "/skills/{id}", ep.wrap(skills::delete));
    rt.post(p + "/skills/{id}/feedback", ep.wrap(skills::feedback));
    rt.post(p + "/skills/{id}/links", ep.wrap(skills::link));
    rt.get(p + "/skills/{id}/links", ep.wrap(skills::links));

    AgentPatternEndpoints patterns = new AgentPatternEndpoints(ep, agent);
    rt.post(p + "/patterns", ep.wrap(patterns::store));
    rt.get(p + "/patterns", ep.wrap(patterns::list));
    rt.post(p + "/patterns/search", ep.wrap(patterns::search));
    rt.get(p + "/patterns/stats", ep.wrap(patterns::stats));
    rt.get(p + "/patterns/{id}", ep.wrap(patterns::get));
    rt.patch(p + "/patterns/{id}", ep.wrap(patterns::update));
    rt.delete(p + "/patterns/{id}", ep.wrap(patterns::delete));
    rt.post(p + "/patterns/{id}/feedback", ep.wrap(patterns::feedback));

    AgentCausalEndpoints causal = new AgentCausalEndpoints(ep, agent);
    rt.post(p + "/causal/edges", ep.wrap(causal::addEdge));
    rt.post(p + "/causal/edges/estimate", ep.wrap(causal::estimateAndStore));
    rt.get(p + "/causal/edges/{id}", ep.wrap(causal::getEdge));
    rt.delete(p + "/causal/edges/{id}", ep.wrap(causal::deleteEdge));
    rt.post(p + "/causal/query", ep.wrap(causal::query));
    rt.post(p + "/causal/traverse", ep.wrap(causal::traverse));
    rt.post(p + "/causal/experiments", ep.wrap(causal::record));
    rt.post(p + "/causal/estimate", ep.wrap(causal::estimate));
    rt.post(p + "/causal/discover", ep.wrap(causal::discover));

    AgentRecallEndpoints recall = new AgentRecallEndpoints(ep, agent);
    rt.post(p + "/recall", ep.wrap(recall::recall));
    rt.get(p + "/stats", ep.wrap(recall::stats));

    AgentLearningEndpoints learning = new AgentLearningEndpoints(ep, agent);
    rt.post(p + "/learning/sessions", ep.wrap(learning::start));
    rt.get(p + "/learning/sessions", ep.wrap(learning::sessions));
    rt.get(p + "/learning/sessions/{session_id}", ep.wrap(learning::session));
    rt.post(p + "/learning/end", ep.wrap(learning::end));
    rt.post(p + "/learning/predict", ep.wrap(learning::predict));
    rt.post(p + "/learning/feedback", ep.wrap(learning::feedback));
    rt.post(p + "/learning/train", ep.wrap(learning::train));
    rt.post(p + "/learning/metrics", ep.wrap(learning::metrics));
    rt.post(p + "/learning/transfer", ep.wrap(learning::transfer));
    rt.post(p + "/learning/explain", ep.wrap(learning::explain));
    rt.post(p + "/learning/experience", ep.wrap(learning::experience));
    rt.post(p + "/learning/reward", ep.wrap(learning::reward));
  }
}
