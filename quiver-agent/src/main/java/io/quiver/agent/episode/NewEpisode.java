package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * An episode to store; the store allocates its id. Checked by {@link EpisodeValidator} before anything is written.
 * Build with {@link #builder(String, String)}.
 *
 * @param ts epoch seconds, or null for the time of the store call
 */
public record NewEpisode(String sessionId, String task, String input, String output, String critique, double reward,
    boolean success, double latencyMs, long tokens, List<String> tags, ObjectNode metadata, Long ts) {
  public NewEpisode {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(task, "task");
    input = input == null ? "" : input;
    output = output == null ? "" : output;
    critique = critique == null ? "" : critique;
    tags = tags == null ? List.of() : List.copyOf(tags);
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
  }

  public static Builder builder(String sessionId, String task) {
    return new Builder(sessionId, task);
  }

  /** Defaults: reward 0, failure, empty texts, latency 0, tokens 0, no tags, empty metadata, ts now. */
  public static final class Builder {
    private final String sessionId;
    private final String task;
    private String input = "";
    private String output = "";
    private String critique = "";
    private double reward;
    private boolean success;
    private double latencyMs;
    private long tokens;
    private List<String> tags = List.of();
    private ObjectNode metadata;
    private Long ts;

    private Builder(String sessionId, String task) {
      this.sessionId = sessionId;
      this.task = task;
    }

    public Builder input(String v) {
      input = v;
      return this;
    }

    public Builder output(String v) {
      output = v;
      return this;
    }

    public Builder critique(String v) {
      critique = v;
      return this;
    }

    public Builder reward(double v) {
      reward = v;
      return this;
    }

    public Builder success(boolean v) {
      success = v;
      return this;
    }

    public Builder latencyMs(double v) {
      latencyMs = v;
      return this;
    }

    public Builder tokens(long v) {
      tokens = v;
      return this;
    }

    public Builder tags(List<String> v) {
      tags = v;
      return this;
    }

    public Builder metadata(ObjectNode v) {
      metadata = v;
      return this;
    }

    public Builder ts(Long v) {
      ts = v;
      return this;
    }

    public NewEpisode build() {
      return new NewEpisode(sessionId, task, input, output, critique, reward, success, latencyMs, tokens, tags,
          metadata, ts);
    }
  }
}
