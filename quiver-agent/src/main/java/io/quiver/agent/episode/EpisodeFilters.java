package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.List;

/** Turns an {@link EpisodeFilter} into a collection filter over indexed payload fields only. */
final class EpisodeFilters {
  private EpisodeFilters() {}

  /** The collection filter, or null for no condition; rejects contradictory or non-finite bounds. */
  static Filter toFilter(EpisodeFilter f) {
    if (f == null || f.isEmpty()) {
      return null;
    }
    if (f.onlySuccesses() && f.onlyFailures()) {
      throw EpisodeValidator.invalid("only_successes", "and only_failures cannot both be true");
    }
    List<Condition> must = new ArrayList<>();
    if (f.sessionId() != null) {
      must.add(new Condition.Match(EpisodeSchema.SESSION, TextNode.valueOf(f.sessionId())));
    }
    if (f.onlySuccesses() || f.onlyFailures()) {
      must.add(new Condition.Match(EpisodeSchema.SUCCESS, BooleanNode.valueOf(f.onlySuccesses())));
    }
    if (f.minReward() != null) {
      if (f.minReward().isNaN()) {
        throw EpisodeValidator.invalid("min_reward", "must be a number, got NaN");
      }
      must.add(new Condition.Range(EpisodeSchema.REWARD, null, f.minReward(), null, null));
    }
    if (f.since() != null || f.until() != null) {
      if (f.since() != null && f.until() != null && f.since() > f.until()) {
        throw EpisodeValidator.invalid("since", "must not be after until: " + f.since() + " > " + f.until());
      }
      must.add(new Condition.Range(EpisodeSchema.TS, null, f.since() == null ? null : f.since().doubleValue(),
          f.until() == null ? null : f.until().doubleValue(), null));
    }
    for (String tag : f.tags()) {
      must.add(new Condition.Match(EpisodeSchema.TAGS, TextNode.valueOf(tag)));
    }
    if (f.task() != null) {
      must.add(new Condition.Match(EpisodeSchema.TASK, TextNode.valueOf(f.task())));
    }
    return new Filter(must, List.of(), List.of(), null);
  }
}
