package io.quiver.agent.causal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Breadth-first search for the shortest causal chain, layer by layer. Within a layer each newly reached node keeps
 * only its best chain (greatest confidence product, then the lexicographically smallest edge ids): every shortest
 * chain to a node runs through nodes first reached one layer apart, so extending each node's best chain yields the
 * best shortest chain. Each node's outgoing edges are read once.
 */
final class ChainSearch {
  private final Function<CausalNode, List<CausalEdge>> outgoing;
  private final Map<String, List<CausalEdge>> cache = new HashMap<>();

  ChainSearch(Function<CausalNode, List<CausalEdge>> outgoing) {
    this.outgoing = outgoing;
  }

  private record Path(List<CausalEdge> edges, double confidence) {
    Path then(CausalEdge e) {
      List<CausalEdge> l = new ArrayList<>(edges);
      l.add(e);
      return new Path(l, confidence * e.confidence());
    }

    boolean betterThan(Path o) {
      if (confidence != o.confidence) {
        return confidence > o.confidence;
      }
      for (int i = 0; i < edges.size(); i++) {
        if (edges.get(i).id() != o.edges.get(i).id()) {
          return edges.get(i).id() < o.edges.get(i).id();
        }
      }
      return false;
    }
  }

  /** The best shortest chain of at most {@code maxDepth} hops, an empty chain when {@code from == to}, or null. */
  CausalChain shortest(CausalNode from, CausalNode to, int maxDepth) {
    if (from.equals(to)) {
      return CausalChain.of(List.of());
    }
    Map<String, Path> frontier = new TreeMap<>(Map.of(from.key(), new Path(List.of(), 1)));
    Set<String> seen = new HashSet<>(frontier.keySet());
    for (int depth = 1; depth <= maxDepth && !frontier.isEmpty(); depth++) {
      Map<String, Path> next = new TreeMap<>();
      for (var entry : frontier.entrySet()) {
        for (CausalEdge e : out(entry.getKey())) {
          String k = e.effect().key();
          if (seen.contains(k)) {
            continue;
          }
          Path p = entry.getValue().then(e);
          Path cur = next.get(k);
          if (cur == null || p.betterThan(cur)) {
            next.put(k, p);
          }
        }
      }
      Path hit = next.get(to.key());
      if (hit != null) {
        return CausalChain.of(hit.edges());
      }
      seen.addAll(next.keySet());
      frontier = next;
    }
    return null;
  }

  private List<CausalEdge> out(String key) {
    return cache.computeIfAbsent(key, k -> outgoing.apply(CausalNode.fromKey(k)));
  }
}
