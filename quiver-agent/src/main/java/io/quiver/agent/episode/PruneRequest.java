package io.quiver.agent.episode;

/**
 * What {@link EpisodeStore#prune} deletes: every episode that meets all the given criteria, except the
 * {@code keepNewest} most recently stored episodes of the whole store, which are always kept.
 *
 * @param before delete only episodes with {@code ts < before} (epoch seconds), or null for any age
 * @param belowReward delete only episodes with {@code reward < belowReward}, or null for any reward
 * @param keepNewest never delete the newest this many episodes (by id, i.e. store order); 0 keeps none
 */
public record PruneRequest(Long before, Double belowReward, int keepNewest) {}
