package io.quiver.agent.episode;

import io.quiver.text.DenseTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random episodes over a small vocabulary (so tasks share words and rankings are not trivial), and brute force. */
public final class EpisodeFixtures {
  static final String[] WORDS = {"parse", "json", "file", "fix", "bug", "test", "deploy", "server", "cache", "query",
      "index", "vector", "build", "maven", "java", "timeout", "retry", "network", "auth", "token", "user", "login",
      "schema", "migrate", "database", "refactor", "class", "method", "null", "pointer", "thread", "lock", "race",
      "memory", "leak", "profile", "latency", "log", "error", "config"};
  static final String[] SESSIONS = {"s1", "s2", "s3", "s4", "s5"};
  static final String[] TAGS = {"red", "green", "blue", "fast", "slow"};

  private EpisodeFixtures() {}

  public static String task(Random r) {
    int n = 2 + r.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  public static NewEpisode episode(Random r, long baseTs) {
    List<String> tags = new ArrayList<>();
    for (String t : TAGS) {
      if (r.nextInt(3) == 0) {
        tags.add(t);
      }
    }
    boolean success = r.nextBoolean();
    return NewEpisode.builder(SESSIONS[r.nextInt(SESSIONS.length)], task(r))
        .reward(r.nextInt(5) == 0 ? r.nextInt(2) : r.nextDouble()).success(success)
        .critique(r.nextInt(4) == 0 ? "" : (success ? "worked: " : "failed: ") + task(r))
        .latencyMs(r.nextInt(5000)).tokens(r.nextInt(2000)).tags(tags).ts(baseTs + r.nextInt(10_000)).build();
  }

  public static List<NewEpisode> episodes(Random r, int n, long baseTs) {
    List<NewEpisode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(episode(r, baseTs));
    }
    return out;
  }

  public static EpisodeFilter filter(Random r, long baseTs) {
    EpisodeFilter.Builder b = EpisodeFilter.builder();
    if (r.nextInt(3) == 0) {
      b.sessionId(SESSIONS[r.nextInt(SESSIONS.length)]);
    }
    int outcome = r.nextInt(3);
    b.onlySuccesses(outcome == 1).onlyFailures(outcome == 2);
    if (r.nextInt(3) == 0) {
      b.minReward(r.nextInt(4) == 0 ? 1.0 : r.nextDouble());
    }
    if (r.nextInt(3) == 0) {
      long since = baseTs + r.nextInt(10_000);
      b.since(since);
      if (r.nextBoolean()) {
        b.until(since + r.nextInt(5_000));
      }
    } else if (r.nextInt(4) == 0) {
      b.until(baseTs + r.nextInt(10_000));
    }
    if (r.nextInt(4) == 0) {
      b.tags(List.of(TAGS[r.nextInt(TAGS.length)]));
    }
    return b.build();
  }

  public static boolean admits(EpisodeFilter f, Episode e) {
    return (f.sessionId() == null || f.sessionId().equals(e.sessionId()))
        && (!f.onlySuccesses() || e.success()) && (!f.onlyFailures() || !e.success())
        && (f.minReward() == null || e.reward() >= f.minReward())
        && (f.since() == null || e.ts() >= f.since()) && (f.until() == null || e.ts() < f.until())
        && e.tags().containsAll(f.tags()) && (f.task() == null || f.task().equals(e.task()));
  }

  /** Cosine of two vectors. */
  public static double cos(float[] a, float[] b) {
    double d = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      d += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return d / Math.sqrt(na * nb);
  }

  /** A scored episode of a brute-force ranking. */
  public record Scored(Episode episode, double score) {}

  /** Every admitted episode with its cosine to {@code query}, best first (ties by id). */
  public static List<Scored> bruteForce(List<Episode> all, DenseTextModel embedder, String query, EpisodeFilter f) {
    float[] q = embedder.embed(List.of(query)).get(0);
    List<Scored> out = new ArrayList<>();
    for (Episode e : all) {
      if (admits(f, e)) {
        out.add(new Scored(e, cos(q, embedder.embed(List.of(e.task())).get(0))));
      }
    }
    out.sort((a, b) -> a.score() != b.score() ? Double.compare(b.score(), a.score())
        : Long.compare(a.episode().id(), b.episode().id()));
    return out;
  }
}
