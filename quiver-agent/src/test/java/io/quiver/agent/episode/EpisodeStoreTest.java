package io.quiver.agent.episode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.embed.TokenHashEmbedder;
import io.quiver.agent.episode.EpisodeFixtures.Scored;
import io.quiver.testing.RandomizedTest;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpisodeStoreTest extends RandomizedTest {
  static final long BASE_TS = 1_700_000_000L;
  @TempDir Path dir;
  final DenseTextModel embedder = TokenHashEmbedder.create();

  private List<Episode> all(EpisodeStore store) {
    return store.list(EpisodeFilter.ALL, EpisodeStore.MAX_K, 0, false).episodes();
  }

  /** Asserts {@code actual} is a correct top k of the brute-force ranking (ties may trade places). */
  static void assertTopK(List<EpisodeHit> actual, List<Scored> expected, int k, String what) {
    assertThat(actual).as("%s: size", what).hasSize(Math.min(k, expected.size()));
    if (actual.isEmpty()) {
      return;
    }
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i).similarity()).as("%s: score %d", what, i)
          .isCloseTo(expected.get(i).score(), within(1e-5));
    }
    double kth = expected.get(actual.size() - 1).score();
    Set<Long> eligible = expected.stream().filter(s -> s.score() >= kth - 1e-5).map(s -> s.episode().id())
        .collect(Collectors.toSet());
    Set<Long> sure = expected.stream().filter(s -> s.score() > kth + 1e-5).map(s -> s.episode().id())
        .collect(Collectors.toSet());
    Set<Long> got = actual.stream().map(h -> h.episode().id()).collect(Collectors.toSet());
    assertThat(got).as("%s: ids", what).hasSize(actual.size());
    assertThat(eligible).as("%s: ids", what).containsAll(got);
    assertThat(got).as("%s: ids", what).containsAll(sure);
  }

  @Test
  void filteredRetrievalIsTheBruteForceTopKAndNeverShort() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      Random r = random();
      int n = atLeast(600);
      for (int i = 0; i < n; i += 200) {
        store.storeBatch(EpisodeFixtures.episodes(r, Math.min(200, n - i), BASE_TS));
      }
      List<Episode> all = all(store);
      assertThat(all).hasSize(n);
      int queries = atLeast(150);
      int nonEmpty = 0;
      for (int q = 0; q < queries; q++) {
        String query = EpisodeFixtures.task(r);
        EpisodeFilter f = q % 5 == 0 ? EpisodeFilter.ALL : EpisodeFixtures.filter(r, BASE_TS);
        int k = 1 + r.nextInt(q % 7 == 0 ? 300 : 20);
        List<Scored> expected = EpisodeFixtures.bruteForce(all, embedder, query, f);
        List<EpisodeHit> hits = store.retrieve(query, k, f);
        assertTopK(hits, expected, k, "query " + q + " '" + query + "' k " + k + " " + f);
        for (EpisodeHit h : hits) {
          assertThat(EpisodeFixtures.admits(f, h.episode())).isTrue();
        }
        nonEmpty += hits.isEmpty() ? 0 : 1;
      }
      assertThat(nonEmpty).isGreaterThan(queries / 2);
    }
  }

  @Test
  void batchesSurviveReopenAndIdsContinueWithoutReuse() throws IOException {
    Random r = random();
    List<Long> ids = new ArrayList<>();
    List<Episode> before;
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      for (int b = 0; b < 3; b++) {
        ids.addAll(store.storeBatch(EpisodeFixtures.episodes(r, 100 + r.nextInt(100), BASE_TS)));
      }
      for (int i = 1; i < ids.size(); i++) {
        assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
      }
      store.delete(ids.get(ids.size() - 1)); // the newest: its id must not come back
      before = all(store);
    }
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      assertThat(all(store)).isEqualTo(before);
      long next = store.store(EpisodeFixtures.episode(r, BASE_TS));
      assertThat(next).isEqualTo(ids.get(ids.size() - 1) + 1);
      Episode e = before.get(r.nextInt(before.size()));
      assertThat(store.retrieve(e.task(), 1, EpisodeFilter.builder().task(e.task()).build()).get(0).similarity())
          .isCloseTo(1.0, within(1e-5));
    }
    try (Quiver db = Quiver.open(dir)) {
      assertThatThrownBy(() -> EpisodeStore.open(db, TokenHashEmbedder.builder().dimension(128).build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("quiver/token-hash");
    }
  }

  @Test
  void updateReembedsAndMergesMetadata() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      store.storeBatch(EpisodeFixtures.episodes(random(), 50, BASE_TS));
      ObjectNode meta = JsonNodeFactory.instance.objectNode().put("a", 1).put("b", 2);
      long id = store.store(NewEpisode.builder("s9", "compile the kotlin module").metadata(meta).reward(0.2).build());
      float[] old = store.embedding(id);
      ObjectNode patch = JsonNodeFactory.instance.objectNode().put("b", 3).putNull("a").put("c", "x");
      Episode e = store.update(id, EpisodeUpdate.builder().task("translate the swahili poem").reward(0.9)
          .success(true).tags(List.of("t")).metadata(patch, false).build());
      assertThat(e.task()).isEqualTo("translate the swahili poem");
      assertThat(store.get(id)).isEqualTo(e);
      assertThat(e.metadata().toString()).isEqualTo("{\"b\":3,\"c\":\"x\"}");
      float[] expected = embedder.embed(List.of("translate the swahili poem")).get(0);
      assertThat(EpisodeFixtures.cos(store.embedding(id), expected)).isCloseTo(1.0, within(1e-6));
      assertThat(EpisodeFixtures.cos(old, expected)).isLessThan(0.5);
      EpisodeHit top = store.retrieve("swahili poem", 1, EpisodeFilter.ALL).get(0);
      assertThat(top.episode().id()).isEqualTo(id);
      assertThat(store.search("swahili", 1, 0, true, EpisodeFilter.ALL).get(0).episode().id()).isEqualTo(id);
      Episode replaced = store.update(id, EpisodeUpdate.builder()
          .metadata(JsonNodeFactory.instance.objectNode().put("z", true), true).build());
      assertThat(replaced.metadata().toString()).isEqualTo("{\"z\":true}");
      assertThat(EpisodeFixtures.cos(store.embedding(id), expected)).isCloseTo(1.0, within(1e-6));
    }
  }

  @Test
  void deleteByIdBatchAndFilter() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      List<Long> ids = store.storeBatch(EpisodeFixtures.episodes(random(), 300, BASE_TS));
      store.delete(ids.get(0));
      assertThatThrownBy(() -> store.get(ids.get(0))).isInstanceOf(QuiverException.NotFound.class);
      assertThat(store.count()).isEqualTo(299);
      assertThatThrownBy(() -> store.delete(List.of(ids.get(1), 999_999L)))
          .isInstanceOf(QuiverException.NotFound.class).hasMessageContaining("#999999");
      assertThat(store.count()).isEqualTo(299);
      assertThat(store.delete(List.of(ids.get(1), ids.get(2), ids.get(2)))).isEqualTo(2);
      List<Episode> all = all(store);
      long inS1 = all.stream().filter(e -> e.sessionId().equals("s1")).count();
      assertThat(store.deleteMatching(EpisodeFilter.builder().sessionId("s1").build())).isEqualTo((int) inS1);
      assertThat(store.count()).isEqualTo(297 - inS1);
      assertThatThrownBy(() -> store.deleteMatching(EpisodeFilter.ALL))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThat(store.count()).isEqualTo(297 - inS1);
    }
  }

  @Test
  void hybridFindsAKeywordOnlyMatchThatDenseMisses() throws IOException {
    DenseTextModel noise = new RandomTextModel(32);
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, noise)) {
      store.storeBatch(EpisodeFixtures.episodes(random(), 400, BASE_TS));
      long target = store.store(NewEpisode.builder("s1", "investigate the flaky zookeeper handshake").build());
      String query = "zookeeper";
      List<EpisodeHit> dense = store.search(query, 5, -1, false, EpisodeFilter.ALL);
      List<EpisodeHit> hybrid = store.search(query, 5, -1, true, EpisodeFilter.ALL);
      assertThat(dense).extracting(h -> h.episode().id()).doesNotContain(target);
      // the only keyword match ranks first of the BM25 list, so RRF puts it level with the dense list's first
      EpisodeHit found = hybrid.stream().filter(h -> h.episode().id() == target).findFirst().orElseThrow();
      assertThat(hybrid.indexOf(found)).isLessThanOrEqualTo(1);
      assertThat(found.keywordScore()).isPositive();
      assertThat(found.similarity()).isCloseTo(EpisodeFixtures.cos(noise.embed(List.of(query)).get(0),
          store.embedding(target)), within(1e-5));
      // the keyword match is kept by a filter that admits it and dropped by one that does not
      assertThat(store.search(query, 5, -1, true, EpisodeFilter.builder().sessionId("s2").build()))
          .extracting(h -> h.episode().id()).doesNotContain(target);
    }
  }

  @Test
  void listStatsCritiquesAndPrune() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder, () -> BASE_TS)) {
      List<Long> ids = store.storeBatch(EpisodeFixtures.episodes(random(), 250, BASE_TS));
      EpisodePage page = store.list(EpisodeFilter.builder().sessionId("s2").build(), 10, 3, true);
      List<Episode> s2 = all(store).stream().filter(e -> e.sessionId().equals("s2")).toList();
      assertThat(page.total()).isEqualTo(s2.size());
      List<Long> expected = s2.stream().map(Episode::id).sorted((a, b) -> Long.compare(b, a)).skip(3).limit(10)
          .toList();
      assertThat(page.episodes()).extracting(Episode::id).containsExactlyElementsOf(expected);

      List<Long> sortIds = store.storeBatch(List.of(
          NewEpisode.builder("s1", "sort the list").success(true).reward(1).latencyMs(100).build(),
          NewEpisode.builder("s1", "sort the list").success(false).reward(0).latencyMs(300)
              .critique("forgot the comparator").build(),
          NewEpisode.builder("s1", "sort the list").success(true).reward(0.5).latencyMs(200)
              .critique("used a stable sort").build()));
      TaskStats st = store.taskStats("sort the list", 10).get(0);
      assertThat(st.attempts()).isEqualTo(3);
      assertThat(st.successRate()).isCloseTo(2 / 3.0, within(1e-9));
      assertThat(st.avgReward()).isCloseTo(0.5, within(1e-9));
      assertThat(st.avgLatencyMs()).isCloseTo(200, within(1e-9));
      CritiqueSummary cs = store.critiqueSummary("sort the list", 1);
      assertThat(cs.failures()).extracting(h -> h.episode().critique()).containsExactly("forgot the comparator");
      assertThat(cs.successes()).extracting(h -> h.episode().critique()).containsExactly("used a stable sort");

      long lowReward = all(store).stream().filter(e -> e.reward() < 0.3 && e.ts() < BASE_TS + 5000).count();
      long total = store.count();
      int pruned = store.prune(new PruneRequest(BASE_TS + 5000, 0.3, 0));
      assertThat(pruned).isEqualTo((int) lowReward);
      assertThat(store.count()).isEqualTo(total - lowReward);
      List<Long> remaining = all(store).stream().map(Episode::id).toList();
      assertThat(store.prune(new PruneRequest(null, null, 20))).isEqualTo((int) (total - lowReward - 20));
      assertThat(all(store)).extracting(Episode::id)
          .containsExactlyElementsOf(remaining.subList(remaining.size() - 20, remaining.size()));
      assertThat(remaining).contains(sortIds.get(2));
    }
  }

  @Test
  void badInputsAreRejectedAndChangeNothing() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      long id = store.store(NewEpisode.builder("s", "task one").reward(0.5).build());
      List<NewEpisode> batch = new ArrayList<>(EpisodeFixtures.episodes(random(), 5, BASE_TS));
      batch.add(NewEpisode.builder("s", "bad").reward(1.5).build());
      assertThatThrownBy(() -> store.storeBatch(batch)).isInstanceOf(QuiverException.InvalidInput.class)
          .hasMessageContaining("episodes[5].reward");
      assertThatThrownBy(() -> store.store(NewEpisode.builder("s", "x").reward(Double.NaN).build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("reward");
      assertThatThrownBy(() -> store.store(NewEpisode.builder("s", "  ").build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("task");
      assertThatThrownBy(() -> store.store(NewEpisode.builder("s", "x").latencyMs(-1).build()))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("latency_ms");
      assertThatThrownBy(() -> store.retrieve("x", 0, EpisodeFilter.ALL))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("k");
      assertThatThrownBy(() -> store.retrieve("x", 3, EpisodeFilter.builder().onlyFailures(true)
          .onlySuccesses(true).build())).isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> store.retrieve("x", 3, EpisodeFilter.builder().minReward(Double.NaN).build()))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> store.search("x", 3, 2, true, EpisodeFilter.ALL))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("min_similarity");
      assertThatThrownBy(() -> store.update(id + 100, EpisodeUpdate.builder().reward(0.1).build()))
          .isInstanceOf(QuiverException.NotFound.class);
      assertThatThrownBy(() -> store.update(id, EpisodeUpdate.builder().reward(-0.1).build()))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> store.delete(id + 100)).isInstanceOf(QuiverException.NotFound.class);
      assertThatThrownBy(() -> store.prune(new PruneRequest(null, null, 0)))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.get(id).reward()).isEqualTo(0.5);
      assertThat(store.store(NewEpisode.builder("s", "task two").build())).isEqualTo(id + 1);
    }
  }
}
