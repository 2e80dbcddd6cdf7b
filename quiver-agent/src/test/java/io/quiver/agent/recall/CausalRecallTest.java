package io.quiver.agent.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.embed.TokenHashEmbedder;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeFixtures;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.testing.RandomizedTest;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalRecallTest extends RandomizedTest {
  @TempDir Path dir;
  final DenseTextModel embedder = TokenHashEmbedder.create();

  record Expected(long id, double utility) {}

  @Test
  void rankingIsTheExactTopKOfTheUtilityOverAllEpisodes() throws IOException {
    checkExactRanking(false);
  }

  @Test
  void listedUpliftsGiveTheExactTopKWithoutAnUpliftTermInTheBound() throws IOException {
    checkExactRanking(true);
  }

  /**
   * Recall against brute force. With {@code listed}, a tenth of the episodes have a non-zero uplift and the source
   * lists them ({@link UpliftSource#nonZero}); otherwise every episode has one and the source only bounds them.
   */
  private void checkExactRanking(boolean listed) throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      Random r = random();
      int n = 1500 + r.nextInt(500); // above the size below which every episode is a candidate
      for (int i = 0; i < n; i += 500) {
        store.storeBatch(EpisodeFixtures.episodes(r, Math.min(500, n - i), 1_700_000_000L));
      }
      Map<Long, Double> uplifts = new HashMap<>();
      List<Episode> all = store.list(EpisodeFilter.ALL, EpisodeStore.MAX_K, 0, false).episodes();
      Map<Long, Double> nonZero = new HashMap<>();
      for (Episode e : all) {
        double u = !listed || r.nextInt(10) == 0 ? r.nextDouble() * 2 - 1 : 0;
        uplifts.put(e.id(), u);
        if (u != 0) {
          nonZero.put(e.id(), u);
        }
      }
      UpliftSource source = !listed ? uplifts::get : new UpliftSource() {
        @Override
        public double uplift(long episodeId) {
          throw new AssertionError("a listing source is not asked episode by episode");
        }

        @Override
        public Map<Long, Double> nonZero() {
          return nonZero;
        }
      };
      CausalRecall recall = new CausalRecall(store, source);
      for (int q = 0; q < atLeast(30); q++) {
        String query = EpisodeFixtures.task(r);
        RecallRequest req = RecallRequest.of(query).withK(1 + r.nextInt(15))
            .withWeights(r.nextDouble(), r.nextDouble() * (q % 3 == 0 ? 5 : 0.5), r.nextDouble() * 2 - 0.5);
        float[] qv = embedder.embed(List.of(query)).get(0);
        List<Expected> expected = new ArrayList<>();
        for (Episode e : all) {
          double sim = EpisodeFixtures.cos(qv, embedder.embed(List.of(e.task())).get(0));
          expected.add(new Expected(e.id(), req.alpha() * sim + req.beta() * uplifts.get(e.id())
              - req.gamma() * req.latencyNorm(e.latencyMs())));
        }
        expected.sort((a, b) -> Double.compare(b.utility(), a.utility()));
        RecallResult result = recall.recall(req);
        assertThat(result.hits()).hasSize(req.k());
        for (int i = 0; i < req.k(); i++) {
          assertThat(result.hits().get(i).utility()).as("query %d rank %d", q, i)
              .isCloseTo(expected.get(i).utility(), within(1e-5));
        }
        assertThat(result.certificate().exact()).isTrue();
        assertThat(result.certificate().ids()).containsExactlyElementsOf(
            result.hits().stream().map(RecallHit::id).toList());
        assertThat(result.certificate().stored()).isEqualTo(n);
        if (listed) {
          assertThat(result.certificate().upliftBound()).isZero();
        }
      }
    }
  }

  @Test
  void weightsFlipTheOrder() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      long close = store.store(NewEpisode.builder("s", "rotate the api keys every week").latencyMs(100).build());
      long far = store.store(NewEpisode.builder("s", "rotate the logs").latencyMs(100).build());
      long slow = store.store(NewEpisode.builder("s", "rotate the api keys every week").latencyMs(60_000).build());
      Map<Long, Double> uplift = Map.of(close, 0.0, far, 1.0, slow, 0.0);
      CausalRecall recall = new CausalRecall(store, uplift::get);
      RecallRequest base = RecallRequest.of("rotate the api keys every week").withK(3);
      assertThat(ids(recall.recall(base.withWeights(1, 0, 0.1)))).containsExactly(close, slow, far);
      assertThat(ids(recall.recall(base.withWeights(1, 5, 0.1)))).containsExactly(far, close, slow);
      assertThat(ids(recall.recall(base.withWeights(1, 0, 5)))).containsExactly(close, far, slow);
      RecallResult r = recall.recall(base);
      RecallHit first = r.hits().get(0);
      assertThat(first.type()).isEqualTo("episode");
      assertThat(first.utility()).isCloseTo(0.7 * first.similarity() + 0.2 * first.uplift()
          - 0.1 * first.latencyNorm(), within(1e-12));
      assertThat(recall.recall(base).certificate().id()).isEqualTo(r.certificate().id()).hasSize(32);
      assertThat(recall.recall(base.withWeights(0.7, 0.2, 0.2)).certificate().id())
          .isNotEqualTo(r.certificate().id());
    }
  }

  @Test
  void badArgumentsAreRejected() throws IOException {
    try (Quiver db = Quiver.open(dir); EpisodeStore store = EpisodeStore.open(db, embedder)) {
      store.store(NewEpisode.builder("s", "a task").build());
      CausalRecall recall = new CausalRecall(store, UpliftSource.NONE);
      assertThatThrownBy(() -> recall.recall(RecallRequest.of("x").withK(0)))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> recall.recall(RecallRequest.of(" ")))
          .isInstanceOf(QuiverException.InvalidInput.class);
      assertThatThrownBy(() -> recall.recall(RecallRequest.of("x").withWeights(Double.NaN, 0, 0)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("alpha");
      assertThatThrownBy(() -> recall.recall(RecallRequest.of("x").withWeights(1, Double.POSITIVE_INFINITY, 0)))
          .isInstanceOf(QuiverException.InvalidInput.class).hasMessageContaining("beta");
      CausalRecall lying = new CausalRecall(store, id -> 7.0);
      assertThatThrownBy(() -> lying.recall(RecallRequest.of("a task"))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bound");
    }
  }

  private static List<Long> ids(RecallResult r) {
    return r.hits().stream().map(RecallHit::id).toList();
  }
}
