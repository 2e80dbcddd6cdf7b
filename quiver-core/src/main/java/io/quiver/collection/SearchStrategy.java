package io.quiver.collection;

/**
 * How a search finds the nearest points among those a filter accepts, in one segment. {@link #AUTO} lets the planner
 * choose per segment from the filter's estimated cardinality (see {@link PlannerConfig}); the others force one, for
 * tests, benchmarks and users who know their data.
 */
public enum SearchStrategy {
  /** The planner's choice. */
  AUTO,
  /** Score every accepted point: exact, and the cheapest when few points match. */
  EXACT,
  /** Graph search over accepted points only, looking through rejected neighbours two hops (ACORN-1). */
  ACORN,
  /** Graph search through every point, keeping accepted ones (post-filtering inside the beam). */
  ROUTE_THROUGH
}
