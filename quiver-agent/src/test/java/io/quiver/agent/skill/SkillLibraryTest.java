package io.quiver.agent.skill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.store.Outcome;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkillLibraryTest extends RandomizedTest {
  private static final String[] WORDS = {"parse", "json", "http", "retry", "cache", "sql", "query", "index", "sort",
      "merge", "file", "upload", "auth", "token", "refresh", "log", "metric", "alert", "deploy", "build", "test",
      "lint", "format", "schema", "migrate", "backup", "restore", "stream", "batch", "queue"};
  private final BagOfWordsEmbedder embedder = new BagOfWordsEmbedder(64);

  @TempDir Path dir;

  private String words(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  @Test
  void searchIsTheExactTopKOfTheCompositeScoreUnderTheFilter() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      int n = atLeast(150);
      List<NewSkill> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(NewSkill.builder("skill-" + i, words(r, 1 + r.nextInt(5))).successRate(r.nextDouble())
            .uses(r.nextInt(2000)).avgReward(r.nextDouble()).build());
        if (batch.size() == SkillLibrary.MAX_BATCH || i == n - 1) {
          lib.createBatch(batch);
          batch.clear();
        }
      }
      List<Skill> all = lib.list(null, n, 0);
      assertThat(all).hasSize(n);
      for (int q = 0; q < atLeast(30); q++) {
        String task = words(r, 1 + r.nextInt(3));
        int k = 1 + r.nextInt(20);
        Double min = r.nextBoolean() ? null : r.nextDouble();
        List<Skill> matching = all.stream().filter(s -> min == null || s.successRate() >= min).toList();
        List<Double> expected = matching.stream()
            .map(s -> SkillLibrary.score(embedder.cosine(task, s.name() + "\n" + s.description()), s))
            .sorted(Comparator.reverseOrder()).limit(k).toList();
        List<SkillHit> got = lib.search(task, k, min);
        assertThat(got).hasSize(Math.min(k, matching.size()));
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).score()).isCloseTo(expected.get(i), within(1e-5));
          assertThat(got.get(i).skill().successRate()).isGreaterThanOrEqualTo(min == null ? 0 : min);
        }
      }
    }
  }

  @Test
  void feedbackCountersAreExactRunningMeans() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      long id = lib.create(NewSkill.builder("s", "do things").build()).id();
      int uses = atLeast(40);
      int successes = 0;
      double rewardSum = 0;
      double latencySum = 0;
      int latencies = 0;
      for (int i = 0; i < uses; i++) {
        Boolean success = r.nextInt(3) == 0 ? null : r.nextBoolean();
        Double reward = success != null && r.nextBoolean() ? null : r.nextDouble();
        Double latency = r.nextBoolean() ? 100 * r.nextDouble() : null;
        Outcome o = Outcome.of(success, reward, latency);
        boolean s = success != null ? success : reward >= 0.5;
        successes += s ? 1 : 0;
        rewardSum += reward != null ? reward : (s ? 1 : 0);
        if (latency != null) {
          latencySum += latency;
          latencies++;
        }
        lib.feedback(id, o);
      }
      Skill s = lib.require(id);
      assertThat(s.uses()).isEqualTo(uses);
      assertThat(s.successRate()).isCloseTo((double) successes / uses, within(1e-12));
      assertThat(s.avgReward()).isCloseTo(rewardSum / uses, within(1e-12));
      assertThat(s.latencySamples()).isEqualTo(latencies);
      if (latencies > 0) {
        assertThat(s.avgLatencyMs()).isCloseTo(latencySum / latencies, within(1e-9));
      }
      assertThatThrownBy(() -> lib.feedback(id, Outcome.of(null, null, null))).hasMessageStartingWith("success:");
      assertThatThrownBy(() -> lib.feedback(id, Outcome.of(true, 1.5, null))).hasMessageStartingWith("reward:");
      assertThatThrownBy(() -> lib.feedback(999, Outcome.of(true, null, null)))
          .isInstanceOf(QuiverException.NotFound.class);
      assertThat(lib.require(id)).isEqualTo(s);
    }
  }

  @Test
  void reopenKeepsSkillsLinksAndIdsContinuePastDeletedOnes() throws Exception {
    long deleted;
    Skill kept;
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      ObjectNode sig = JsonNodeFactory.instance.objectNode();
      sig.putObject("inputs").put("path", "string");
      kept = lib.create(NewSkill.builder("read", "read a file").code("read()").signature(sig).build());
      Skill b = lib.create(NewSkill.builder("parse", "parse json").build());
      lib.link(kept.id(), b.id(), "prerequisite", 1.0);
      Skill c = lib.create(NewSkill.builder("tmp", "temporary").build());
      lib.link(c.id(), kept.id(), "composes", 0.5);
      deleted = c.id();
      assertThat(lib.delete(deleted)).isTrue();
      assertThat(lib.links(kept.id())).containsExactly(new SkillLink(kept.id(), b.id(), "prerequisite", 1.0));
    }
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      assertThat(lib.get(kept.id())).isEqualTo(kept);
      assertThat(lib.get(deleted)).isNull();
      assertThat(lib.links(kept.id())).hasSize(1);
      assertThat(lib.create(NewSkill.builder("next", "after reopen").build()).id()).isEqualTo(deleted + 1);
      assertThat(lib.count()).isEqualTo(3);
    }
  }

  @Test
  void badInputsAreRejectedAndChangeNothing() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      Skill a = lib.create(NewSkill.builder("a", "alpha").build());
      Skill b = lib.create(NewSkill.builder("b", "beta").build());
      assertThatThrownBy(() -> lib.createBatch(List.of(NewSkill.builder("c", "x").build(),
          NewSkill.builder("c", "y").build()))).hasMessageContaining("skills[1].name");
      assertThatThrownBy(() -> lib.createBatch(List.of(NewSkill.builder("d", "x").build(),
          NewSkill.builder("e", "y").successRate(2).build()))).hasMessageStartingWith("skills[1].success_rate");
      assertThatThrownBy(() -> lib.create(NewSkill.builder("a", "again").build()))
          .isInstanceOf(QuiverException.AlreadyExists.class);
      assertThatThrownBy(() -> lib.update(b.id(), new SkillUpdate("a", null, null, null, null, false)))
          .hasMessageStartingWith("name:");
      assertThatThrownBy(() -> lib.link(a.id(), a.id(), "composes", 1)).hasMessageStartingWith("child_id:");
      assertThat(lib.count()).isEqualTo(2);
      assertThat(lib.require(b.id())).isEqualTo(b);
      assertThat(lib.create(NewSkill.builder("f", "after").build()).id()).isEqualTo(b.id() + 1);
    }
  }

  @Test
  void updateReembedsOnTextChangesAndMergesMetadata() throws Exception {
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      ObjectNode meta = JsonNodeFactory.instance.objectNode().put("x", 1);
      Skill s = lib.create(NewSkill.builder("fetch", "http retry").metadata(meta).build());
      lib.create(NewSkill.builder("other", "sql query index").build());
      assertThat(lib.search("sql query", 1, null).get(0).skill().name()).isEqualTo("other");
      Skill u = lib.update(s.id(), new SkillUpdate(null, "sql query index sort", null, null,
          JsonNodeFactory.instance.objectNode().put("y", 2), false));
      assertThat(u.metadata()).isEqualTo(JsonNodeFactory.instance.objectNode().put("x", 1).put("y", 2));
      double sim = lib.search("sql query index sort", 2, null).stream().filter(h -> h.skill().id() == s.id())
          .findFirst().orElseThrow().similarity();
      assertThat(sim).isCloseTo(embedder.cosine("sql query index sort", "fetch\nsql query index sort"),
          within(1e-5));
    }
  }

  @Test
  void consolidationPromotesQualifyingTasksOnce() throws Exception {
    Random r = random();
    try (Quiver db = Quiver.open(dir)) {
      SkillLibrary lib = SkillLibrary.open(db, embedder);
      List<EpisodeOutcome> eps = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        eps.add(new EpisodeOutcome("deploy service", true, 0.9, "check health first", "kubectl apply " + i));
      }
      eps.add(new EpisodeOutcome("deploy service", false, 0.2, "forgot config", null));
      eps.add(new EpisodeOutcome("rare task", true, 1.0, null, "x"));
      for (int i = 0; i < 5; i++) {
        eps.add(new EpisodeOutcome("flaky task", r.nextInt(5) == 0, 0.3, null, null));
      }
      ConsolidationPolicy policy = new ConsolidationPolicy(3, 0.6, 0.7);
      ConsolidationReport first = lib.consolidate(eps, policy);
      assertThat(first.created()).isEqualTo(1);
      Skill s = lib.require(first.skillIds().get(0));
      assertThat(s.name()).isEqualTo("deploy service");
      assertThat(s.uses()).isEqualTo(5);
      assertThat(s.successRate()).isCloseTo(0.8, within(1e-12));
      assertThat(s.avgReward()).isCloseTo((4 * 0.9 + 0.2) / 5, within(1e-12));
      lib.feedback(s.id(), Outcome.of(true, null, null));
      ConsolidationReport second = lib.consolidate(eps, policy);
      assertThat(second.created()).isZero();
      assertThat(second.updated()).isEqualTo(1);
      assertThat(second.skillIds()).containsExactly(s.id());
      assertThat(lib.count()).isEqualTo(1);
      assertThat(lib.require(s.id()).uses()).isEqualTo(6);
    }
  }
}
