package io.quiver.cli.bench.agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the counts of a db_stats answer's text lines (AgentDB's wording, which Quiver's answer repeats). */
final class StatsText {
  private static final Pattern EPISODES = Pattern.compile("(?m)^\\s*Episodes \\(Vectors\\): (\\d+)\\s*$");

  private StatsText() {}

  /** The {@code Episodes (Vectors): n} count, or -1 when the text has no such line. */
  static long episodes(String text) {
    Matcher m = EPISODES.matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
