package io.quiver.agent.episode;

import java.util.List;

/** One page of a listing, and how many episodes match in all. */
public record EpisodePage(List<Episode> episodes, long total) {
  public EpisodePage {
    episodes = List.copyOf(episodes);
  }
}
