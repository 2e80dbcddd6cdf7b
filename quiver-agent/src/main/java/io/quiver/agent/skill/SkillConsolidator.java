package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.store.Inputs;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Promotes repeated successful attempts at one task into a skill. Episodes are grouped by their exact task text; a
 * group qualifies with at least {@code minAttempts} attempts, success rate ≥ {@code minSuccessRate} and mean reward
 * ≥ {@code minAvgReward}. A qualifying task with no skill yet gets one (named {@code task}, or {@code task (2)},
 * ... when that name is taken), whose initial statistics are the group's: uses = attempts, success rate, mean
 * reward; its code is the output of the best-rewarded success. A task that already has its skill (found by
 * {@code source_task}) only has the episode summary in its description and {@code metadata.consolidation} refreshed,
 * keeping the usage statistics feedback has built, so running twice never duplicates a skill.
 */
final class SkillConsolidator {
  private static final int MAX_CRITIQUES = 3;

  private final SkillLibrary library;

  SkillConsolidator(SkillLibrary library) {
    this.library = library;
  }

  private record Group(List<EpisodeOutcome> episodes) {
    int attempts() {
      return episodes.size();
    }

    long successes() {
      return episodes.stream().filter(EpisodeOutcome::success).count();
    }

    double successRate() {
      return (double) successes() / attempts();
    }

    double avgReward() {
      return episodes.stream().mapToDouble(EpisodeOutcome::reward).average().orElse(0);
    }
  }

  ConsolidationReport run(List<EpisodeOutcome> episodes, ConsolidationPolicy policy) {
    Map<String, Group> groups = new TreeMap<>();
    for (int i = 0; i < episodes.size(); i++) {
      EpisodeOutcome e = episodes.get(i);
      Inputs.text(e.task(), "episodes[" + i + "].task");
      Inputs.finite(e.reward(), "episodes[" + i + "].reward");
      groups.computeIfAbsent(e.task(), t -> new Group(new ArrayList<>())).episodes().add(e);
    }
    List<Skill> fresh = new ArrayList<>();
    List<Skill> refreshed = new ArrayList<>();
    Set<String> namesTaken = new LinkedHashSet<>();
    for (var entry : groups.entrySet()) {
      String task = entry.getKey();
      Group g = entry.getValue();
      if (g.attempts() < policy.minAttempts() || g.successRate() < policy.minSuccessRate()
          || g.avgReward() < policy.minAvgReward()) {
        continue;
      }
      String description = describe(task, g);
      ObjectNode summary = summary(g);
      Skill existing = library.findBySourceTask(task);
      if (existing != null) {
        ObjectNode meta = existing.metadata().deepCopy();
        meta.set("consolidation", summary);
        refreshed.add(new Skill(existing.id(), existing.name(), description, existing.code(),
            existing.signature(), meta, existing.tags(), existing.createdAt(), existing.uses(),
            existing.successRate(), existing.avgReward(), existing.avgLatencyMs(), existing.latencySamples(), task));
      } else {
        String name = freeName(task, namesTaken);
        namesTaken.add(name);
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.set("consolidation", summary);
        fresh.add(new Skill(0, name, description, bestOutput(g), null, meta, List.of("consolidated"), 0,
            g.attempts(), g.successRate(), Math.min(1, Math.max(0, g.avgReward())), 0, 0, task));
      }
    }
    List<Long> ids = library.writeConsolidated(fresh, refreshed);
    return new ConsolidationReport(fresh.size(), refreshed.size(), ids);
  }

  private String freeName(String task, Set<String> taken) {
    String name = task;
    for (int i = 2; taken.contains(name) || library.findByName(name) != null; i++) {
      name = task + " (" + i + ")";
    }
    return name;
  }

  private static String describe(String task, Group g) {
    return String.format(Locale.ROOT, "%s (consolidated from %d episodes: success rate %.2f, mean reward %.3f)",
        task, g.attempts(), g.successRate(), g.avgReward());
  }

  private static ObjectNode summary(Group g) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("episodes", g.attempts()).put("successes", g.successes()).put("success_rate", g.successRate())
        .put("avg_reward", g.avgReward());
    ArrayNode critiques = s.putArray("critiques");
    g.episodes().stream().filter(EpisodeOutcome::success).map(EpisodeOutcome::critique)
        .filter(c -> c != null && !c.isBlank()).distinct().limit(MAX_CRITIQUES).forEach(critiques::add);
    return s;
  }

  private static String bestOutput(Group g) {
    EpisodeOutcome best = null;
    for (EpisodeOutcome e : g.episodes()) {
      if (e.success() && e.output() != null && !e.output().isBlank()
          && (best == null || e.reward() > best.reward())) {
        best = e;
      }
    }
    return best == null ? null : best.output();
  }
}
