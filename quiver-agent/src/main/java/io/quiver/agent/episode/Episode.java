package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A stored reflexion episode: one attempt at a task, with its outcome and self-critique.
 *
 * @param id allocated by the store, increasing in store order, never reused (AgentDB prints it as {@code #id})
 * @param ts when the attempt happened, epoch seconds
 * @param reward in [0, 1]
 * @param latencyMs how long the attempt took, milliseconds (0 when not given)
 * @param tokens tokens used (0 when not given)
 * @param metadata a JSON object (a copy; changing it changes nothing stored)
 */
public record Episode(long id, long ts, String sessionId, String task, String input, String output, String critique,
    double reward, boolean success, double latencyMs, long tokens, List<String> tags, ObjectNode metadata) {
  public Episode {
    tags = List.copyOf(tags);
    metadata = metadata.deepCopy();
  }
}
