package io.quiver.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.QuiverException;
import io.quiver.agent.causal.CausalEdge;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.episode.Episode;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.skill.NewSkill;
import io.quiver.agent.skill.Skill;
import io.quiver.testing.RandomizedTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM writing through {@link AgentMemory} ({@link AgentMemoryCrashChild}) with SIGKILL at a random
 * moment, several rounds over one data directory, and checks after each crash that every acknowledged episode, skill
 * and causal edge is there with what was written, that every acknowledged delete holds, and that ids continue: each
 * kind's next id is above every id it ever acknowledged (a deleted episode's id is never handed out again). The one
 * delete in flight when the kill lands may have happened or not; its episode is then checked to be either intact or
 * gone, and forgotten.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class AgentMemoryCrashTest extends RandomizedTest {
  @TempDir Path dir;

  /** What the acknowledged lines promised: episode id to task, skill id to name, edge id to cause event. */
  private final Map<Long, String> episodes = new HashMap<>();
  private final Set<Long> deleted = new HashSet<>();
  /** Deletes begun and not acknowledged: at most one per round, the one the kill interrupted. */
  private final Set<Long> deleting = new HashSet<>();
  private final Map<Long, String> skills = new HashMap<>();
  private final Map<Long, String> edges = new HashMap<>();
  private long maxEpisode;
  private long maxSkill;
  private long maxEdge;

  @Test
  void acknowledgedRecordsSurviveSigkillAndIdsAreNeverReused() throws Exception {
    Random rnd = random();
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    int rounds = atLeast(4);
    int acknowledged = 0;
    for (int round = 1; round <= rounds; round++) {
      Process child = new ProcessBuilder(java, "-cp", cp, AgentMemoryCrashChild.class.getName(), dir.toString(),
          Integer.toString(round), Long.toString(rnd.nextLong())).redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("child of round %d started", round).startsWith("READY");
      Thread.sleep(300 + rnd.nextInt(1500));
      child.toHandle().destroyForcibly(); // SIGKILL; the pipe stays readable
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String line;
      while ((line = out.readLine()) != null) {
        acknowledged += record(line, round);
      }
      try (AgentMemory m = AgentMemory.open(dir, null)) {
        assertAcknowledgedPresent(m, round);
        assertIdsContinue(m, round);
      }
    }
    assertThat(acknowledged).as("writes acknowledged over all rounds").isGreaterThan(rounds);
    assertThat(episodes).as("episodes acknowledged").isNotEmpty();
  }

  /** Notes one acknowledged line; returns 1 for a complete line, 0 for the torn last line of a killed child. */
  private int record(String line, int round) {
    String[] f = line.split(" ");
    if (!f[f.length - 1].equals(";")) {
      return 0; // the child died while printing: the line is cut short, its numbers cannot be trusted
    }
    try {
      switch (f[0]) {
        case "E" -> {
          long first = Long.parseLong(f[1]);
          int n = Integer.parseInt(f[2]);
          int op = Integer.parseInt(f[4]);
          for (int i = 0; i < n; i++) {
            assertThat(episodes).as("episode id %d handed out twice", first + i).doesNotContainKey(first + i);
            episodes.put(first + i, AgentMemoryCrashChild.task(round, op, i));
            maxEpisode = Math.max(maxEpisode, first + i);
          }
        }
        case "S" -> {
          long id = Long.parseLong(f[1]);
          assertThat(skills).as("skill id %d handed out twice", id).doesNotContainKey(id);
          skills.put(id, AgentMemoryCrashChild.skillName(round, Integer.parseInt(f[3])));
          maxSkill = Math.max(maxSkill, id);
        }
        case "C" -> {
          long id = Long.parseLong(f[1]);
          assertThat(edges).as("edge id %d handed out twice", id).doesNotContainKey(id);
          edges.put(id, AgentMemoryCrashChild.cause(round, Integer.parseInt(f[3])));
          maxEdge = Math.max(maxEdge, id);
        }
        case "d" -> deleting.add(Long.parseLong(f[1]));
        case "D" -> {
          long id = Long.parseLong(f[1]);
          deleting.remove(id);
          deleted.add(id);
        }
        default -> {
          return 0;
        }
      }
      return 1;
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException torn) {
      return 0; // the child died while printing: that write was not acknowledged
    }
  }

  private void assertAcknowledgedPresent(AgentMemory m, int round) {
    assertThat(deleting).as("round %d: deletes in flight at the kill", round).hasSizeLessThanOrEqualTo(1);
    for (long id : deleting) {
      if (catchNotFound(() -> m.episodes().get(id))) {
        deleted.add(id); // the delete was durable before its acknowledgement could be printed
      } else {
        assertThat(m.episodes().get(id).task()).as("round %d: episode %d, delete in flight", round, id)
            .isEqualTo(episodes.get(id));
      }
    }
    deleting.clear();
    for (Map.Entry<Long, String> e : episodes.entrySet()) {
      if (deleted.contains(e.getKey())) {
        continue;
      }
      Episode ep = m.episodes().get(e.getKey());
      assertThat(ep.task()).as("round %d: episode %d", round, e.getKey()).isEqualTo(e.getValue());
    }
    for (long id : deleted) {
      assertThat(catchNotFound(() -> m.episodes().get(id))).as("round %d: deleted episode %d is gone", round, id)
          .isTrue();
    }
    for (Map.Entry<Long, String> e : skills.entrySet()) {
      Skill s = m.skills().get(e.getKey());
      assertThat(s).as("round %d: skill %d", round, e.getKey()).isNotNull();
      assertThat(s.name()).isEqualTo(e.getValue());
    }
    for (Map.Entry<Long, String> e : edges.entrySet()) {
      CausalEdge edge = m.causal().get(e.getKey());
      assertThat(edge).as("round %d: edge %d", round, e.getKey()).isNotNull();
      assertThat(edge.cause()).isEqualTo(CausalNode.event(e.getValue()));
    }
  }

  /** A write after the reopen gets an id above every id acknowledged so far, of each kind. */
  private void assertIdsContinue(AgentMemory m, int round) {
    long e = m.episodes().store(NewEpisode.builder("parent", "parent probe " + round).build());
    assertThat(e).as("round %d: next episode id", round).isGreaterThan(maxEpisode);
    episodes.put(e, "parent probe " + round);
    maxEpisode = e;
    Skill s = m.skills().create(NewSkill.builder("parent-probe-" + round, "probe").build());
    assertThat(s.id()).as("round %d: next skill id", round).isGreaterThan(maxSkill);
    skills.put(s.id(), s.name());
    maxSkill = s.id();
    CausalEdge c = m.causal().add(CausalNode.event("parent " + round), CausalNode.event("effect"), 0.1, 0.5, 3);
    assertThat(c.id()).as("round %d: next edge id", round).isGreaterThan(maxEdge);
    edges.put(c.id(), "parent " + round);
    maxEdge = c.id();
  }

  private static boolean catchNotFound(Runnable r) {
    try {
      r.run();
      return false;
    } catch (QuiverException.NotFound expected) {
      return true;
    }
  }
}
