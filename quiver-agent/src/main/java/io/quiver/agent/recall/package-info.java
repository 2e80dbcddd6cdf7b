/**
 * Causal recall with certificates: {@link io.quiver.agent.recall.CausalRecall} ranks every stored episode by
 * {@code U = alpha·similarity + beta·uplift − gamma·latency/(latency + scale)} with the weights of each call
 * (AgentDB's defaults 0.7, 0.2, 0.1), taking uplift from an {@link io.quiver.agent.recall.UpliftSource} (the causal
 * graph; {@link io.quiver.agent.recall.UpliftSource#NONE} gives 0). It scores the exact top N by similarity and grows
 * N until a bound proves no other episode can enter the top k, so the answer is exact over all episodes, not a
 * recent window; the {@link io.quiver.agent.recall.Certificate} carries the ids, utilities, parameters and bound.
 */
package io.quiver.agent.recall;
