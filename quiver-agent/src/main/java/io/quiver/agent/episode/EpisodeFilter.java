package io.quiver.agent.episode;

import java.util.List;

/**
 * Which episodes a query, listing or bulk delete considers; every given condition must hold (null or false: no
 * condition). Built with {@link #builder()}; {@link #ALL} has none.
 *
 * @param sessionId only this session
 * @param onlySuccesses only {@code success = true}
 * @param onlyFailures only {@code success = false} (not together with {@code onlySuccesses})
 * @param minReward only {@code reward >= minReward}
 * @param since only {@code ts >= since} (epoch seconds)
 * @param until only {@code ts < until} (epoch seconds)
 * @param tags only episodes carrying every one of these tags
 * @param task only episodes whose task is exactly this text
 */
public record EpisodeFilter(String sessionId, boolean onlySuccesses, boolean onlyFailures, Double minReward,
    Long since, Long until, List<String> tags, String task) {
  public static final EpisodeFilter ALL = builder().build();

  public EpisodeFilter {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** Whether no condition is set. */
  public boolean isEmpty() {
    return sessionId == null && !onlySuccesses && !onlyFailures && minReward == null && since == null && until == null
        && tags.isEmpty() && task == null;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String sessionId;
    private boolean onlySuccesses;
    private boolean onlyFailures;
    private Double minReward;
    private Long since;
    private Long until;
    private List<String> tags = List.of();
    private String task;

    private Builder() {}

    public Builder sessionId(String v) {
      sessionId = v;
      return this;
    }

    public Builder onlySuccesses(boolean v) {
      onlySuccesses = v;
      return this;
    }

    public Builder onlyFailures(boolean v) {
      onlyFailures = v;
      return this;
    }

    public Builder minReward(Double v) {
      minReward = v;
      return this;
    }

    public Builder since(Long v) {
      since = v;
      return this;
    }

    public Builder until(Long v) {
      until = v;
      return this;
    }

    public Builder tags(List<String> v) {
      tags = v;
      return this;
    }

    public Builder task(String v) {
      task = v;
      return this;
    }

    public EpisodeFilter build() {
      return new EpisodeFilter(sessionId, onlySuccesses, onlyFailures, minReward, since, until, tags, task);
    }
  }
}
