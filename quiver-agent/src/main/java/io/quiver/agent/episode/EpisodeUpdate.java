package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Changes to one stored episode; null fields stay as they are. A new {@code task} is embedded again; a new task or
 * critique is re-encoded for keyword search. {@code tags} replaces the list; {@code metadata} is merged into the
 * stored object key by key (a JSON null value removes the key), or replaces it with {@code replaceMetadata}.
 */
public record EpisodeUpdate(String task, String input, String output, String critique, Double reward, Boolean success,
    Double latencyMs, Long tokens, List<String> tags, ObjectNode metadata, boolean replaceMetadata) {
  public static Builder builder() {
    return new Builder();
  }

  /** Whether nothing would change. */
  public boolean isEmpty() {
    return task == null && input == null && output == null && critique == null && reward == null && success == null
        && latencyMs == null && tokens == null && tags == null && metadata == null;
  }

  public static final class Builder {
    private String task;
    private String input;
    private String output;
    private String critique;
    private Double reward;
    private Boolean success;
    private Double latencyMs;
    private Long tokens;
    private List<String> tags;
    private ObjectNode metadata;
    private boolean replaceMetadata;

    private Builder() {}

    public Builder task(String v) {
      task = v;
      return this;
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

    public Builder reward(Double v) {
      reward = v;
      return this;
    }

    public Builder success(Boolean v) {
      success = v;
      return this;
    }

    public Builder latencyMs(Double v) {
      latencyMs = v;
      return this;
    }

    public Builder tokens(Long v) {
      tokens = v;
      return this;
    }

    public Builder tags(List<String> v) {
      tags = v;
      return this;
    }

    public Builder metadata(ObjectNode v, boolean replace) {
      metadata = v;
      replaceMetadata = replace;
      return this;
    }

    public EpisodeUpdate build() {
      return new EpisodeUpdate(task, input, output, critique, reward, success, latencyMs, tokens, tags, metadata,
          replaceMetadata);
    }
  }
}
