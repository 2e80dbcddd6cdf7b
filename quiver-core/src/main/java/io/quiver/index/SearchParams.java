package io.quiver.index;

import java.util.Objects;

/**
 * Per-query knobs.
 *
 * @param ef the HNSW search breadth (candidate list size); 0 means the index default. Exact indexes ignore it.
 * @param traversal how a filtered graph search moves through points the filter rejects
 * @param visitLimit most distance computations a graph search may spend before giving up with
 *     {@link SearchResult#complete()} false (the caller then scans exactly); 0 for no limit
 */
public record SearchParams(int ef, Traversal traversal, long visitLimit) {
  public static final SearchParams DEFAULT = new SearchParams(0, Traversal.ROUTE_THROUGH, 0);

  /** How a filtered graph search treats nodes that fail the filter. */
  public enum Traversal {
    /**
     * Rejected nodes still route the search (they are scored and expanded) but never enter the results: cheap per
     * step and fine for permissive filters; a selective filter makes it visit about ef / selectivity nodes.
     */
    ROUTE_THROUGH,
    /**
     * ACORN-1: only accepted nodes are scored and expanded; a rejected neighbour is looked through to its own
     * neighbours (two hops), so the subgraph of accepted nodes stays connected without extra graph edges.
     */
    ACORN
  }

  public SearchParams {
    if (ef < 0) {
      throw new IllegalArgumentException("ef must be >= 0, got " + ef);
    }
    if (visitLimit < 0) {
      throw new IllegalArgumentException("visitLimit must be >= 0, got " + visitLimit);
    }
    Objects.requireNonNull(traversal, "traversal");
  }

  public static SearchParams ef(int ef) {
    return new SearchParams(ef, Traversal.ROUTE_THROUGH, 0);
  }

  public SearchParams withTraversal(Traversal t) {
    return new SearchParams(ef, t, visitLimit);
  }

  public SearchParams withVisitLimit(long limit) {
    return new SearchParams(ef, traversal, limit);
  }
}
