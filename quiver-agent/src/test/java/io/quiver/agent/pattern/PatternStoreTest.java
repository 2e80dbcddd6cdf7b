package io.quiver.agent.pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.Quiver;
import io.quiver.agent.skill.BagOfWordsEmbedder;
import io.quiver.agent.store.Outcome;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatternStoreTest extends RandomizedTest {
  private static final String[] WORDS = {"review", "diff", "style", "bug", "null", "check", "test", "coverage",
      "refactor", "rename", "extract", "profile", "memory", "latency", "query", "plan", "index", "split"};
  private static final String[] TYPES = {"code_review", "debugging", "perf", "data_analysis"};
  private static final String[] TAGS = {"fast", "safe", "deep"};
  private final BagOfWordsEmbedder embedder = new BagOfWordsEmbedder(48);

  @TempDir Path dir;

  private String words(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  private List<String> tags(Random r) {
    List<String> t = new ArrayList<>();
    for (String tag : TAGS) {
      if (r.nextBoolean()) {
        t.add(tag);
      }
    }
    return t;
  }

  @Test
  void searchMatchesBruteForceUnderEveryFilter() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      PatternStore store = PatternStore.open(db, embedder);
      int n = atLeast(200);
      List<NewPattern> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(new NewPattern(TYPES[r.nextInt(TYPES.length)], words(r, 1 + r.nextInt(6)), r.nextDouble(),
            tags(r), null));
      }
      store.storeBatch(batch);
      for (int i = 0; i < n / 3; i++) {
        store.feedback(1 + r.nextInt(n), Outcome.of(null, r.nextDouble(), null));
      }
      List<Pattern> all = store.list(null, n, 0);
      assertThat(all).hasSize(n);
      for (int q = 0; q < atLeast(40); q++) {
        String task = words(r, 1 + r.nextInt(3));
        String type = r.nextBoolean() ? TYPES[r.nextInt(TYPES.length)] : null;
        Double min = r.nextBoolean() ? r.nextDouble() : null;
        List<String> tags = r.nextInt(3) == 0 ? tags(r) : List.of();
        double threshold = r.nextInt(3) == 0 ? 0.3 * r.nextDouble() : 0;
        int k = 1 + r.nextInt(15);
        List<Double> expected = all.stream()
            .filter(p -> (type == null || p.taskType().equals(type)) && (min == null || p.successRate() >= min)
                && p.tags().containsAll(tags)
                && embedder.cosine(task, p.taskType() + "\n" + p.approach()) >= threshold)
            .map(p -> PatternStore.score(embedder.cosine(task, p.taskType() + "\n" + p.approach()), p))
            .sorted(Comparator.reverseOrder()).limit(k).toList();
        List<PatternHit> got = store.search(new PatternQuery(task, k, threshold, type, min, tags));
        // word-count cosines are exactly 0 or far from a random threshold, so float rounding cannot move one across
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
          assertThat(got.get(i).score()).isCloseTo(expected.get(i), within(1e-5));
          Pattern p = got.get(i).pattern();
          assertThat(type == null || p.taskType().equals(type)).isTrue();
          assertThat(p.tags()).containsAll(tags);
        }
      }
    }
  }

  @Test
  void updateFeedbackStatsDeleteAndReopen() throws Exception {
    Pattern a;
    try (Quiver db = Quiver.open(dir)) {
      PatternStore store = PatternStore.open(db, embedder);
      a = store.store(new NewPattern("code_review", "check null handling", 0.5, List.of("safe"), null));
      Pattern b = store.store(new NewPattern("code_review", "read the diff twice", 1.0, List.of(), null));
      store.store(new NewPattern("perf", "profile memory", 0.0, List.of(), null));
      a = store.feedback(a.id(), Outcome.of(true, null, null));
      a = store.feedback(a.id(), Outcome.of(false, 0.25, null));
      assertThat(a.uses()).isEqualTo(2);
      assertThat(a.successRate()).isCloseTo(0.5, within(1e-12));
      assertThat(a.avgReward()).isCloseTo(0.625, within(1e-12));
      PatternStats stats = store.stats();
      assertThat(stats.total()).isEqualTo(3);
      assertThat(stats.avgSuccessRate()).isCloseTo(0.5, within(1e-12));
      assertThat(stats.topTaskTypes().get(0)).isEqualTo(new PatternStats.TaskTypeCount("code_review", 2, 0.75));
      assertThat(store.list("code_review", 10, 0)).extracting(Pattern::id).containsExactly(b.id(), a.id());
      Pattern moved = store.update(b.id(), new PatternUpdate("perf", null, null, null, false));
      assertThat(store.search(new PatternQuery("perf read diff twice", 1, 0, "perf", null, null)).get(0).similarity())
          .isCloseTo(embedder.cosine("perf read diff twice", "perf\nread the diff twice"), within(1e-5));
      assertThat(store.delete(moved.id())).isTrue();
      assertThat(store.delete(moved.id())).isFalse();
      assertThatThrownBy(() -> store.store(new NewPattern("x", "y", 1.5, null, null)))
          .hasMessageStartingWith("successRate:");
      assertThatThrownBy(() -> store.storeBatch(List.of(new NewPattern("x", "y", 0.5, null, null),
          new NewPattern("x", " ", 0.5, null, null)))).hasMessageStartingWith("patterns[1].approach:");
      assertThat(store.count()).isEqualTo(2);
    }
    try (Quiver db = Quiver.open(dir)) {
      PatternStore store = PatternStore.open(db, embedder);
      assertThat(store.get(a.id())).isEqualTo(a);
      assertThat(store.count()).isEqualTo(2);
      assertThat(store.store(new NewPattern("t", "after reopen", 0, null, null)).id()).isEqualTo(4);
    }
  }
}
