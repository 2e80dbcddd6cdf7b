package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A stored skill. Statistics are running means over its uses: {@code successRate} and {@code avgReward} over every
 * use (the initial values count for the initial {@code uses}), {@code avgLatencyMs} over the uses that reported a
 * latency ({@code latencySamples} of them).
 *
 * @param createdAt epoch milliseconds
 * @param sourceTask the task whose episodes consolidation promoted into this skill, or null
 */
public record Skill(long id, String name, String description, String code, ObjectNode signature,
    ObjectNode metadata, List<String> tags, long createdAt, long uses, double successRate, double avgReward,
    double avgLatencyMs, long latencySamples, String sourceTask) {
  public Skill {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
