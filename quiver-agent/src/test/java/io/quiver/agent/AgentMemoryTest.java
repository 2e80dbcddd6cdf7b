package io.quiver.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.embed.TokenHashEmbedder;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.recall.RecallHit;
import io.quiver.agent.recall.RecallRequest;
import io.quiver.agent.recall.RecallResult;
import io.quiver.agent.skill.NewSkill;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMemoryTest extends RandomizedTest {
  @TempDir Path dir;

  @Test
  void statsCountEveryKindAndSurviveReopen() throws Exception {
    Random rnd = random();
    int n = 5 + rnd.nextInt(20);
    List<Long> ids = new ArrayList<>();
    try (AgentMemory m = AgentMemory.open(dir, null)) {
      for (int i = 0; i < n; i++) {
        ids.add(m.episodes().store(NewEpisode.builder("s" + rnd.nextInt(3), "task number " + i)
            .reward(rnd.nextDouble()).success(rnd.nextBoolean()).build()));
      }
      m.skills().create(NewSkill.builder("parse-json", "parse a JSON document").build());
      m.causal().add(CausalNode.event("tests written"), CausalNode.event("fewer bugs"), 0.3, 0.9, 40);
      AgentMemory.AgentStats s = m.stats();
      assertThat(s.episodes()).isEqualTo(n);
      assertThat(s.skills()).isEqualTo(1);
      assertThat(s.causalEdges()).isEqualTo(1);
      assertThat(s.embedder().name()).isEqualTo(TokenHashEmbedder.NAME);
    }
    try (AgentMemory m = AgentMemory.open(dir, null)) {
      AgentMemory.AgentStats s = m.stats();
      assertThat(s.episodes()).isEqualTo(n);
      assertThat(s.skills()).isEqualTo(1);
      assertThat(s.causalEdges()).isEqualTo(1);
    }
  }

  @Test
  void recallRanksByTheCausalGraphsUpliftOfEpisodes() throws Exception {
    try (AgentMemory m = AgentMemory.open(dir, null)) {
      long a = m.episodes().store(NewEpisode.builder("s", "deploy the service to staging").reward(0.5).build());
      long b = m.episodes().store(NewEpisode.builder("s", "deploy the service to production").reward(0.5).build());
      // b gets a strong positive uplift, a a negative one: with beta dominant b must come first
      m.causal().add(new CausalNode.Memory("episode", b), CausalNode.event("release ok"), 0.9, 1.0, 50);
      m.causal().add(new CausalNode.Memory("episode", a), CausalNode.event("release ok"), -0.9, 1.0, 50);
      RecallResult r = m.recall().recall(RecallRequest.of("deploy the service").withK(2).withWeights(0.1, 1.0, 0));
      assertThat(r.hits()).extracting(RecallHit::id).containsExactly(b, a);
      assertThat(r.hits().get(0).uplift()).isCloseTo(0.9, within(1e-9));
      RecallResult noUplift = m.recall().recall(RecallRequest.of("deploy the service to staging").withK(2)
          .withWeights(1.0, 0, 0));
      assertThat(noUplift.hits().get(0).id()).isEqualTo(a);
    }
  }
}
