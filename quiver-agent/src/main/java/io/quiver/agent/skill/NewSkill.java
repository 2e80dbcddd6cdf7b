package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.Inputs;
import java.util.List;

/**
 * A skill to create, with optional initial statistics (as {@code skill_create_batch} takes them). Build with
 * {@link #builder(String, String)}.
 */
public record NewSkill(String name, String description, String code, ObjectNode signature, ObjectNode metadata,
    List<String> tags, double successRate, long uses, double avgReward, double avgLatencyMs) {
  public NewSkill {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  public static Builder builder(String name, String description) {
    return new Builder(name, description);
  }

  /** Checks every field, naming {@code path} (e.g. {@code skills[3]}) in the error. */
  void validate(String path) {
    String p = path.isEmpty() ? "" : path + ".";
    Inputs.text(name, p + "name");
    Inputs.text(description, p + "description");
    Inputs.unit(successRate, p + "success_rate");
    Inputs.atLeast(uses, 0, p + "uses");
    Inputs.unit(avgReward, p + "avg_reward");
    Inputs.nonNegative(avgLatencyMs, p + "avg_latency_ms");
  }

  public static final class Builder {
    private final String name;
    private final String description;
    private String code;
    private ObjectNode signature;
    private ObjectNode metadata;
    private List<String> tags;
    private double successRate;
    private long uses;
    private double avgReward;
    private double avgLatencyMs;

    private Builder(String name, String description) {
      this.name = name;
      this.description = description;
    }

    public Builder code(String value) {
      code = value;
      return this;
    }

    public Builder signature(ObjectNode value) {
      signature = value;
      return this;
    }

    public Builder metadata(ObjectNode value) {
      metadata = value;
      return this;
    }

    public Builder tags(List<String> value) {
      tags = value;
      return this;
    }

    public Builder successRate(double value) {
      successRate = value;
      return this;
    }

    public Builder uses(long value) {
      uses = value;
      return this;
    }

    public Builder avgReward(double value) {
      avgReward = value;
      return this;
    }

    public Builder avgLatencyMs(double value) {
      avgLatencyMs = value;
      return this;
    }

    public NewSkill build() {
      return new NewSkill(name, description, code, signature, metadata, tags, successRate, uses, avgReward,
          avgLatencyMs);
    }
  }
}
