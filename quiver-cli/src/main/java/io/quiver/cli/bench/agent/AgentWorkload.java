package io.quiver.cli.bench.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded workload of bench-agent: episodes whose task texts are drawn from a vocabulary of topics (each topic
 * has its own nouns, so texts of one topic share words and both keyword and embedding similarity mean something),
 * and retrieval queries written the same way with a random filter combination each. Rewards have two decimals, so the
 * {@code Reward: 0.xx} line of an answer is the stored reward exactly and {@code min_reward} checks are unambiguous.
 */
record AgentWorkload(List<EpisodeSpec> episodes, List<QuerySpec> queries, List<String> skills,
    List<String[]> edges) {
  private static final String[] VERBS = {"fix", "refactor", "test", "document", "optimise", "debug", "migrate",
      "review", "deploy", "profile", "rewrite", "validate", "cache", "parallelise", "secure", "log"};
  private static final String[] ADJECTIVES = {"failing", "flaky", "slow", "legacy", "broken", "new", "async",
      "nested", "large", "concurrent", "stale", "missing"};
  private static final String[][] TOPICS = {
      {"login", "session", "cookie", "password", "token", "redirect"},
      {"http", "client", "retry", "timeout", "request", "header"},
      {"csv", "parser", "column", "delimiter", "quote", "row"},
      {"database", "query", "index", "transaction", "schema", "migration"},
      {"cache", "eviction", "ttl", "entry", "hit", "warmup"},
      {"build", "maven", "plugin", "dependency", "artifact", "version"},
      {"vector", "embedding", "cosine", "quantizer", "graph", "neighbour"},
      {"thread", "lock", "pool", "deadlock", "executor", "queue"},
      {"json", "serializer", "field", "mapper", "schema", "array"},
      {"image", "thumbnail", "resize", "pixel", "codec", "format"},
      {"payment", "invoice", "refund", "currency", "ledger", "charge"},
      {"search", "ranking", "bm25", "tokenizer", "stemmer", "snippet"},
      {"kafka", "consumer", "offset", "partition", "topic", "broker"},
      {"docker", "container", "volume", "network", "image", "compose"},
      {"metrics", "histogram", "counter", "gauge", "exporter", "dashboard"},
      {"email", "template", "smtp", "bounce", "attachment", "queue"},
      {"scheduler", "cron", "job", "trigger", "backoff", "lease"},
      {"file", "upload", "chunk", "checksum", "stream", "buffer"},
      {"auth", "oauth", "scope", "refresh", "jwt", "claim"},
      {"ui", "button", "modal", "form", "layout", "theme"}};
  private static final String[] MODULES = {"api", "core", "worker", "gateway", "frontend", "cli", "storage", "sdk"};
  /** min_reward thresholds a query may carry. */
  private static final double[] MIN_REWARDS = {0.3, 0.5, 0.7, 0.9};

  /** One episode as reflexion_store_batch receives it. */
  record EpisodeSpec(String sessionId, String task, double reward, boolean success, int latencyMs) {}

  /** One reflexion_retrieve call: null {@code minReward} means no threshold. */
  record QuerySpec(String task, boolean onlySuccesses, boolean onlyFailures, Double minReward) {
    boolean accepts(EpisodeSpec e) {
      return (!onlySuccesses || e.success()) && (!onlyFailures || !e.success())
          && (minReward == null || e.reward() >= minReward);
    }

    String filterLabel() {
      String s = onlySuccesses ? "succ" : onlyFailures ? "fail" : "";
      String r = minReward == null ? "" : ">=" + minReward;
      return s.isEmpty() && r.isEmpty() ? "none" : s.isEmpty() ? r : r.isEmpty() ? s : s + "," + r;
    }
  }

  static AgentWorkload generate(long seed, int episodes, int queries, int skills, int edges) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int sessions = Math.max(1, episodes / 25);
    List<EpisodeSpec> eps = new ArrayList<>(episodes);
    for (int i = 0; i < episodes; i++) {
      boolean success = rnd.nextDouble() < 0.6;
      double r = success ? 0.5 + 0.5 * rnd.nextDouble() : 0.6 * rnd.nextDouble();
      eps.add(new EpisodeSpec("session-" + rnd.nextInt(sessions), task(rnd), Math.round(r * 100) / 100.0, success,
          50 + rnd.nextInt(4950)));
    }
    List<QuerySpec> qs = new ArrayList<>(queries);
    for (int i = 0; i < queries; i++) {
      int combo = rnd.nextInt(6);
      Double min = combo >= 3 ? MIN_REWARDS[rnd.nextInt(MIN_REWARDS.length)] : null;
      boolean succ = combo == 1 || combo == 4;
      boolean fail = combo == 2 || combo == 5;
      if (fail && min != null) {
        min = 0.3; // failures have rewards below 0.6: a higher threshold would leave almost nothing to rank
      }
      qs.add(new QuerySpec(task(rnd), succ, fail, min));
    }
    List<String> sk = new ArrayList<>(skills);
    for (int i = 0; i < skills; i++) {
      sk.add(task(rnd));
    }
    List<String[]> ed = new ArrayList<>(edges);
    for (int i = 0; i < edges; i++) {
      String[] topic = TOPICS[rnd.nextInt(TOPICS.length)];
      ed.add(new String[] {VERBS[rnd.nextInt(VERBS.length)] + " " + topic[rnd.nextInt(topic.length)],
          "fewer " + topic[rnd.nextInt(topic.length)] + " errors"});
    }
    return new AgentWorkload(List.copyOf(eps), List.copyOf(qs), List.copyOf(sk), List.copyOf(ed));
  }

  /** "verb the adjective noun noun in the module": two nouns of one topic, so same-topic texts share words. */
  static String task(SplittableRandom rnd) {
    String[] topic = TOPICS[rnd.nextInt(TOPICS.length)];
    return VERBS[rnd.nextInt(VERBS.length)] + " the " + ADJECTIVES[rnd.nextInt(ADJECTIVES.length)] + " "
        + topic[rnd.nextInt(topic.length)] + " " + topic[rnd.nextInt(topic.length)] + " in the "
        + MODULES[rnd.nextInt(MODULES.length)] + " module";
  }
}
