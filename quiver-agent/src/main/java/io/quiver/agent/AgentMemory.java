package io.quiver.agent;

import io.quiver.Quiver;
import io.quiver.agent.causal.CausalGraph;
import io.quiver.agent.embed.Embedders;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.learning.LearningSessions;
import io.quiver.agent.pattern.PatternStore;
import io.quiver.agent.recall.CausalRecall;
import io.quiver.agent.recall.UpliftSource;
import io.quiver.agent.skill.SkillLibrary;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One agent memory: a Quiver data directory holding every kind of record (episodes, skills, reasoning patterns,
 * causal edges, learning sessions) as collections, all embedded by one {@link DenseTextModel}. The MCP server, the
 * REST namespace and the AgentDB importer all work through this class. The collections are created on first use;
 * opening a directory written with another embedder is refused by the stores that embed text.
 *
 * <p>Thread-safe as its stores are; {@link #close} closes the data directory when this memory opened it.
 */
public final class AgentMemory implements AutoCloseable {
  private final Quiver db;
  private final boolean ownsDb;
  private final DenseTextModel embedder;
  private final EpisodeStore episodes;
  private final SkillLibrary skills;
  private final PatternStore patterns;
  private final CausalGraph causal;
  private final LearningSessions learning;
  private final CausalRecall recall;

  private AgentMemory(Quiver db, boolean ownsDb, DenseTextModel embedder) throws IOException {
    this.db = db;
    this.ownsDb = ownsDb;
    this.embedder = embedder;
    this.episodes = EpisodeStore.open(db, embedder);
    try {
      this.skills = SkillLibrary.open(db, embedder);
      this.patterns = PatternStore.open(db, embedder);
      this.causal = CausalGraph.open(db);
      this.learning = new LearningSessions(db, embedder);
    } catch (IOException | RuntimeException e) {
      // the episode store holds an analyzer: a store failing after it must not leak it on every retry
      try {
        episodes.close();
      } catch (RuntimeException x) {
        e.addSuppressed(x);
      }
      throw e;
    }
    this.recall = new CausalRecall(episodes, new EpisodeUplift(causal));
  }

  /**
   * Opens (creating on first use) the agent memory in {@code dir} with the embedder called {@code embedderName}
   * ({@link Embedders#create}; null for the default).
   */
  public static AgentMemory open(Path dir, String embedderName) throws IOException {
    DenseTextModel embedder = Embedders.create(embedderName);
    Quiver db = Quiver.open(dir);
    try {
      return new AgentMemory(db, true, embedder);
    } catch (IOException | RuntimeException e) {
      try {
        db.close();
      } catch (IOException | RuntimeException x) {
        e.addSuppressed(x);
      }
      throw e;
    }
  }

  /** The agent memory inside an open database, which stays the caller's to close. */
  public static AgentMemory within(Quiver db, DenseTextModel embedder) throws IOException {
    return new AgentMemory(db, false, embedder);
  }

  public EpisodeStore episodes() {
    return episodes;
  }

  public SkillLibrary skills() {
    return skills;
  }

  public PatternStore patterns() {
    return patterns;
  }

  public CausalGraph causal() {
    return causal;
  }

  public LearningSessions learning() {
    return learning;
  }

  public CausalRecall recall() {
    return recall;
  }

  public DenseTextModel embedder() {
    return embedder;
  }

  /** Record counts and the active embedder. */
  public AgentStats stats() {
    return new AgentStats(episodes.count(), skills.count(), patterns.count(), causal.count(),
        learning.sessions().size(), Embedders.describe(embedder));
  }

  @Override
  public void close() throws IOException {
    try {
      episodes.close();
    } finally {
      if (ownsDb) {
        db.close();
      }
    }
  }

  /**
   * What {@code db_stats} and {@code agentdb_stats} report.
   *
   * @param learningSessions sessions started, active or ended
   */
  public record AgentStats(long episodes, long skills, long patterns, long causalEdges, long learningSessions,
      Embedders.Info embedder) {}

  /**
   * The causal graph's uplift of an episode ({@link CausalGraph#uplift}) for recall. Recall ranks on the reward
   * scale, where an uplift is a difference of success rates or mean rewards in [0, 1]: values outside [-1, 1] (an
   * edge added with a larger uplift) are clamped to it, which keeps recall's exactness bound.
   */
  private record EpisodeUplift(CausalGraph graph) implements UpliftSource {
    @Override
    public double uplift(long episodeId) {
      return Math.clamp(graph.uplift("episode", episodeId), -1.0, 1.0);
    }

    @Override
    public Map<Long, Double> nonZero() {
      Map<Long, Double> out = new HashMap<>();
      graph.uplifts("episode").forEach((id, u) -> out.put(id, Math.clamp(u, -1.0, 1.0)));
      return out;
    }
  }
}
