package io.quiver.agent.pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A stored reasoning pattern: an approach that worked for a type of task. {@code successRate} and {@code avgReward}
 * are running means over its uses (the stored success rate counts for the initial uses, 0).
 *
 * @param createdAt epoch milliseconds
 */
public record Pattern(long id, String taskType, String approach, double successRate, long uses, double avgReward,
    List<String> tags, ObjectNode metadata, long createdAt) {
  public Pattern {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
