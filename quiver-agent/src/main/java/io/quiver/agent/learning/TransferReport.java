package io.quiver.agent.learning;

import java.util.List;

/** What a transfer moved: per source state, the target state it went to, the similarity and the actions. */
public record TransferReport(String sourceSession, String targetSession, List<Item> items) {
  /** One transferred state; {@code created}: the target had no such state and got a copy. */
  public record Item(String sourceState, String targetState, double similarity, boolean created,
      List<String> actions) {}

  public TransferReport {
    items = List.copyOf(items);
  }
}
