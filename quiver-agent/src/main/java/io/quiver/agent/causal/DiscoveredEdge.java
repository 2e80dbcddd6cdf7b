package io.quiver.agent.causal;

/**
 * A candidate edge found by discovery: the estimate from the episodes, its confidence after the multiplicity
 * adjustment, and the stored edge's id (null in a dry run).
 */
public record DiscoveredEdge(CausalNode cause, CausalNode effect, UpliftEstimate estimate, double confidence,
    Long edgeId) {}
