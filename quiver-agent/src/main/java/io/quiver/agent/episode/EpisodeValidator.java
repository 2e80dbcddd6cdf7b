package io.quiver.agent.episode;

import io.quiver.QuiverException;
import io.quiver.agent.store.Inputs;
import java.util.List;

/**
 * The rules a stored episode obeys, checked before anything is written; a violation is a
 * {@link QuiverException.InvalidInput} naming the field's path (e.g. {@code episodes[3].reward}), made by
 * {@link Inputs} as every agent store's.
 *
 * <p>Reward is a number in [0, 1], as AgentDB's tool schemas describe it ("Task reward (0-1)"): recall's utility and
 * the statistics average it, and a reward outside that range is far more often a caller's mistake (a percentage, a
 * raw score) than a meaning. Latency and tokens are non-negative; session and task are non-blank.
 */
final class EpisodeValidator {
  /** Longest text field accepted, in chars: a task or critique is a paragraph, not a file. */
  static final int MAX_TEXT = 65_536;
  static final int MAX_TAGS = 64;

  private EpisodeValidator() {}

  static void check(NewEpisode e, String path) {
    nonBlank(e.sessionId(), path + "session_id");
    nonBlank(e.task(), path + "task");
    text(e.input(), path + "input");
    text(e.output(), path + "output");
    text(e.critique(), path + "critique");
    reward(e.reward(), path + "reward");
    latency(e.latencyMs(), path + "latency_ms");
    tokens(e.tokens(), path + "tokens");
    tags(e.tags(), path + "tags");
    if (e.ts() != null) {
      ts(e.ts(), path + "ts");
    }
  }

  static void check(EpisodeUpdate u) {
    if (u.task() != null) {
      nonBlank(u.task(), "task");
    }
    text(u.input(), "input");
    text(u.output(), "output");
    text(u.critique(), "critique");
    if (u.reward() != null) {
      reward(u.reward(), "reward");
    }
    if (u.latencyMs() != null) {
      latency(u.latencyMs(), "latency_ms");
    }
    if (u.tokens() != null) {
      tokens(u.tokens(), "tokens");
    }
    if (u.tags() != null) {
      tags(u.tags(), "tags");
    }
  }

  static void nonBlank(String s, String path) {
    if (s == null || s.isBlank()) {
      throw invalid(path, "must be a non-blank string");
    }
    text(s, path);
  }

  static void text(String s, String path) {
    if (s != null && s.length() > MAX_TEXT) {
      throw invalid(path, "must be at most " + MAX_TEXT + " characters, got " + s.length());
    }
  }

  static void reward(double r, String path) {
    Inputs.unit(r, path);
  }

  static void latency(double v, String path) {
    Inputs.nonNegative(v, path);
  }

  static void tokens(long v, String path) {
    Inputs.atLeast(v, 0, path);
  }

  static void ts(long v, String path) {
    if (v < 0) {
      throw invalid(path, "must be epoch seconds >= 0, got " + v);
    }
  }

  static void tags(List<String> tags, String path) {
    if (tags.size() > MAX_TAGS) {
      throw invalid(path, "must hold at most " + MAX_TAGS + " tags, got " + tags.size());
    }
    for (int i = 0; i < tags.size(); i++) {
      nonBlank(tags.get(i), path + "[" + i + "]");
    }
  }

  static void k(int k, int max, String path) {
    if (k < 1 || k > max) {
      throw invalid(path, "must be in 1.." + max + ", got " + k);
    }
  }

  static QuiverException.InvalidInput invalid(String path, String problem) {
    return Inputs.invalid(path, problem);
  }
}
