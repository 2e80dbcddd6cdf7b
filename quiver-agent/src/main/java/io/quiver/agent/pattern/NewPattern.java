package io.quiver.agent.pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.Inputs;
import java.util.List;

/** A pattern to store, as {@code agentdb_pattern_store} takes it. */
public record NewPattern(String taskType, String approach, double successRate, List<String> tags,
    ObjectNode metadata) {
  public NewPattern {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  void validate(String path) {
    String p = path.isEmpty() ? "" : path + ".";
    Inputs.text(taskType, p + "taskType");
    Inputs.text(approach, p + "approach");
    Inputs.unit(successRate, p + "successRate");
    for (int i = 0; i < tags.size(); i++) {
      Inputs.text(tags.get(i), p + "tags[" + i + "]");
    }
  }
}
