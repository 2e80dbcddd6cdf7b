package io.quiver.agent.mcp.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.causal.CausalChain;
import io.quiver.agent.causal.CausalEdge;
import io.quiver.agent.causal.CausalGraph;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.causal.DiscoveredEdge;
import io.quiver.agent.causal.DiscoveryPolicy;
import io.quiver.agent.causal.EdgeQuery;
import io.quiver.agent.causal.EpisodeEvent;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodePage;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.mcp.AgentDbText;
import io.quiver.agent.mcp.ToolGroup;
import io.quiver.agent.mcp.ToolRegistry;
import io.quiver.agent.mcp.ToolResult;
import io.quiver.agent.recall.CausalRecall;
import io.quiver.agent.recall.RecallHit;
import io.quiver.agent.recall.RecallRequest;
import io.quiver.agent.recall.RecallResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The causal tools: edges between named events ({@code causal_add_edge}, {@code causal_query}), chains between
 * episodes ({@code causal_traverse}), discovery of edges from the stored episodes ({@code learner_discover}) and
 * recall ranked by utility with a certificate ({@code recall_with_certificate}).
 */
public final class CausalTools implements ToolGroup {
  /** Episodes read per page when discovery scans the store. */
  private static final int PAGE = 1000;
  /** causal_traverse's ids are episode ids, as AgentDB's memory ids in its causal tables default to episodes. */
  private static final String EPISODE = "episode";

  private final CausalGraph graph;
  private final EpisodeStore episodes;
  private final CausalRecall recall;

  public CausalTools(CausalGraph graph, EpisodeStore episodes, CausalRecall recall) {
    this.graph = graph;
    this.episodes = episodes;
    this.recall = recall;
  }

  @Override
  public void register(ToolRegistry.Builder tools) {
    tools.handle("causal_add_edge", a -> addEdge(Args.of(a)))
        .handle("causal_query", a -> query(Args.of(a)))
        .handle("causal_traverse", a -> traverse(Args.of(a)))
        .handle("learner_discover", a -> discover(Args.of(a)))
        .handle("recall_with_certificate", a -> recall(Args.of(a)));
  }

  private ToolResult addEdge(Args a) {
    CausalEdge e = graph.add(new CausalNode.Event(a.str("cause")), new CausalNode.Event(a.str("effect")),
        a.dbl("uplift"), a.dbl("confidence", 0.95), a.whole("sample_size") == null ? 0 : a.whole("sample_size"));
    return ToolResult.success(AgentDbText.edgeAdded(e.id(), a.str("cause"), a.str("effect"), e.uplift()),
        edgeJson(e));
  }

  private static ObjectNode edgeJson(CausalEdge e) {
    ObjectNode o = (ObjectNode) Args.json(e);
    o.put("cause", e.cause().display()).put("effect", e.effect().display());
    return o;
  }

  private ToolResult query(Args a) {
    CausalNode cause = a.has("cause") ? new CausalNode.Event(a.str("cause")) : null;
    CausalNode effect = a.has("effect") ? new CausalNode.Event(a.str("effect")) : null;
    List<CausalEdge> edges = graph.query(new EdgeQuery(cause, effect, a.dbl("min_confidence", 0.5),
        a.dbl("min_uplift", 0), a.count("limit", 10, 1, 10_000)));
    ObjectNode s = Args.MAPPER.createObjectNode();
    var arr = s.putArray("edges");
    edges.forEach(e -> arr.add(edgeJson(e)));
    return ToolResult.success(AgentDbText.edges(edges.stream().map(e -> new AgentDbText.EdgeLine(e.cause().display(),
        e.effect().display(), e.uplift(), e.confidence())).toList()), s);
  }

  private ToolResult traverse(Args a) {
    long from = a.id("from_memory_id");
    long to = a.id("to_memory_id");
    CausalChain chain = graph.traverse(new CausalNode.Memory(EPISODE, from), new CausalNode.Memory(EPISODE, to),
        a.count("max_depth", 5, 1, CausalGraph.MAX_DEPTH));
    if (chain == null) {
      return ToolResult.success("🔗 No causal chain from episode #" + from + " to episode #" + to,
          Args.MAPPER.createObjectNode().putNull("chain"));
    }
    StringBuilder text = new StringBuilder("🔗 Causal chain of " + chain.hops() + " hops (confidence "
        + AgentDbTextNumbers.fixed(chain.confidence(), 3) + ", total uplift "
        + AgentDbTextNumbers.fixed(chain.totalUplift(), 3) + "):\n");
    int i = 0;
    for (CausalEdge e : chain.links()) {
      text.append("\n").append(++i).append(". ").append(e.cause().display()).append(" → ")
          .append(e.effect().display()).append("\n   Uplift: ").append(AgentDbTextNumbers.fixed(e.uplift(), 3))
          .append(" (confidence: ").append(AgentDbTextNumbers.fixed(e.confidence(), 2)).append(")\n");
    }
    ObjectNode s = Args.MAPPER.createObjectNode();
    s.put("hops", chain.hops()).put("confidence", chain.confidence()).put("totalUplift", chain.totalUplift());
    var arr = s.putArray("links");
    chain.links().forEach(e -> arr.add(edgeJson(e)));
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult discover(Args a) {
    DiscoveryPolicy policy = new DiscoveryPolicy(a.count("min_attempts", 3, 1, Integer.MAX_VALUE),
        a.dbl("min_success_rate", 0.6), a.dbl("min_confidence", 0.7), a.bool("dry_run", false));
    List<EpisodeEvent> events = new ArrayList<>();
    for (int offset = 0; ; offset += PAGE) {
      EpisodePage page = episodes.list(EpisodeFilter.ALL, PAGE, offset, false);
      for (Episode e : page.episodes()) {
        events.add(new EpisodeEvent(e.task(), e.success(), e.reward(), e.sessionId(), e.ts() * 1000));
      }
      if (page.episodes().size() < PAGE) {
        break;
      }
    }
    List<DiscoveredEdge> found = graph.discover(events, policy);
    StringBuilder text = new StringBuilder("🔬 Discovered " + found.size() + " causal edges from " + events.size()
        + " episodes" + (policy.dryRun() ? " (dry run: nothing stored)" : "") + ":\n");
    int i = 0;
    for (DiscoveredEdge d : found) {
      text.append("\n").append(++i).append(". ").append(d.cause().display()).append(" → ")
          .append(d.effect().display()).append("\n   Uplift: ")
          .append(AgentDbTextNumbers.fixed(d.estimate().uplift(), 3)).append(" (confidence: ")
          .append(AgentDbTextNumbers.fixed(d.confidence(), 2)).append(")\n");
    }
    ObjectNode s = Args.MAPPER.createObjectNode().put("episodes", events.size());
    s.set("edges", Args.json(found));
    return ToolResult.success(text.toString().stripTrailing(), s);
  }

  private ToolResult recall(Args a) {
    RecallRequest r = RecallRequest.of(a.str("query")).withK(a.count("k", 12, 1, CausalRecall.MAX_K))
        .withWeights(a.dbl("alpha", 0.7), a.dbl("beta", 0.2), a.dbl("gamma", 0.1));
    RecallResult res = recall.recall(r);
    List<AgentDbText.RecallLine> lines = res.hits().stream().map(h -> new AgentDbText.RecallLine(h.type(),
        Long.toString(h.id()), h.similarity(), h.uplift())).toList();
    ObjectNode s = Args.MAPPER.createObjectNode();
    var arr = s.putArray("results");
    for (RecallHit h : res.hits()) {
      arr.addObject().put("id", h.id()).put("type", h.type()).put("similarity", h.similarity())
          .put("uplift", h.uplift()).put("latencyMs", h.latencyMs()).put("utility", h.utility())
          .put("task", h.episode().task());
    }
    s.set("certificate", Args.json(res.certificate()));
    return ToolResult.success(AgentDbText.recall(lines, res.certificate().id()), s);
  }
}
