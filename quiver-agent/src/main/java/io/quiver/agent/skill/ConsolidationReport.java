package io.quiver.agent.skill;

import java.util.List;

/** What a consolidation pass did: skills created, skills it had made before and refreshed, and their ids. */
public record ConsolidationReport(int created, int updated, List<Long> skillIds) {
  public ConsolidationReport {
    skillIds = List.copyOf(skillIds);
  }
}
