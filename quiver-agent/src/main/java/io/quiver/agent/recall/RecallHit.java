package io.quiver.agent.recall;

import io.quiver.agent.episode.Episode;

/**
 * One recalled memory with the terms of its utility.
 *
 * @param type the kind of memory: {@value #EPISODE}
 * @param latencyNorm the normalised latency the utility subtracts ({@link RecallRequest#latencyNorm})
 */
public record RecallHit(long id, String type, double similarity, double uplift, double latencyMs, double latencyNorm,
    double utility, Episode episode) {
  public static final String EPISODE = "episode";
}
