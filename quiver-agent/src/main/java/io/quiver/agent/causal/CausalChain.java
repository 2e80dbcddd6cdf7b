package io.quiver.agent.causal;

import java.util.List;

/**
 * A path of edges from one node to another, each link's effect the next link's cause. {@code confidence} is the
 * product of the links' confidences (the chance every link holds, were they independent); {@code totalUplift} the sum
 * of their uplifts, as AgentDB reports it.
 */
public record CausalChain(List<CausalEdge> links, double confidence, double totalUplift) {
  public CausalChain {
    links = List.copyOf(links);
  }

  static CausalChain of(List<CausalEdge> links) {
    double c = 1;
    double u = 0;
    for (CausalEdge e : links) {
      c *= e.confidence();
      u += e.uplift();
    }
    return new CausalChain(links, c, u);
  }

  public int hops() {
    return links.size();
  }
}
