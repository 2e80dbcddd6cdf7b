package io.quiver.agent.learning;

import java.util.List;

/** For a query: the nearest learned states, each with its action values, visits and supporting transitions. */
public record Explanation(String query, List<StateEvidence> states) {
  /**
   * One learned state: {@code similarity} of its text to the query (1 for the same key), its actions best first,
   * the greedy action, and the latest transitions in it (newest first) as evidence.
   */
  public record StateEvidence(String sessionId, String state, double similarity, String recommended,
      List<ActionEstimate> actions, List<Transition> evidence) {
    public StateEvidence {
      actions = List.copyOf(actions);
      evidence = List.copyOf(evidence);
    }
  }

  public Explanation {
    states = List.copyOf(states);
  }
}
