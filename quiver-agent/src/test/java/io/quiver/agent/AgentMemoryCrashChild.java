package io.quiver.agent;

import io.quiver.agent.causal.CausalEdge;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.skill.NewSkill;
import io.quiver.agent.skill.Skill;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link AgentMemoryCrashTest} kills: writes episodes (in batches), skills and causal edges, and deletes
 * episodes, through {@link AgentMemory} until killed. Prints {@code READY <episodes> <skills> <edges>} once open, then
 * one line per acknowledged write, after the call returned (so a line printed is a write made durable):
 * <ul>
 *   <li>{@code E <first> <count> <round> <op>}: episodes {@code first..first+count-1}, task {@link #task}</li>
 *   <li>{@code S <id> <round> <op>}: skill named {@link #skillName}</li>
 *   <li>{@code C <id> <round> <op>}: edge from event {@link #cause} to episode memory, or event to event</li>
 *   <li>{@code d <id>}: episode about to be deleted (printed before the call: the kill may land after the delete is
 *       durable and before its acknowledgement, so until {@code D} arrives the episode may be present or gone)</li>
 *   <li>{@code D <id>}: episode deleted</li>
 * </ul>
 * Arguments: data directory, round, seed.
 */
public final class AgentMemoryCrashChild {
  private AgentMemoryCrashChild() {}

  static String task(int round, int op, int i) {
    return "crash round " + round + " op " + op + " item " + i + " deploy service";
  }

  static String skillName(int round, int op) {
    return "skill-r" + round + "-o" + op;
  }

  static String cause(int round, int op) {
    return "cause r" + round + " o" + op;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int round = Integer.parseInt(args[1]);
    Random r = new Random(Long.parseLong(args[2]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (AgentMemory m = AgentMemory.open(dir, null)) {
      out.println("READY " + m.episodes().count() + " " + m.skills().count() + " " + m.causal().count());
      List<Long> mine = new ArrayList<>();
      for (int op = 0; ; op++) {
        int kind = r.nextInt(10);
        if (kind < 5) {
          int n = 1 + r.nextInt(r.nextBoolean() ? 5 : 200);
          List<NewEpisode> batch = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            batch.add(NewEpisode.builder("s" + r.nextInt(3), task(round, op, i)).reward(r.nextDouble())
                .success(r.nextBoolean()).latencyMs(r.nextInt(1000)).build());
          }
          List<Long> ids = m.episodes().storeBatch(batch);
          out.println("E " + ids.get(0) + " " + n + " " + round + " " + op + " ;");
          mine.addAll(ids);
        } else if (kind < 7) {
          Skill s = m.skills().create(NewSkill.builder(skillName(round, op), "skill made in round " + round).build());
          out.println("S " + s.id() + " " + round + " " + op + " ;");
        } else if (kind < 9 || mine.isEmpty()) {
          CausalNode effect = mine.isEmpty() ? CausalNode.event("effect")
              : new CausalNode.Memory("episode", mine.get(r.nextInt(mine.size())));
          CausalEdge e = m.causal().add(CausalNode.event(cause(round, op)), effect, r.nextDouble() - 0.5,
              r.nextDouble(), 1 + r.nextInt(100));
          out.println("C " + e.id() + " " + round + " " + op + " ;");
        } else {
          long id = mine.remove(r.nextInt(mine.size()));
          out.println("d " + id + " ;");
          m.episodes().delete(id);
          out.println("D " + id + " ;");
        }
      }
    }
  }
}
