package io.quiver.cli.agentdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.learning.Feedback;
import io.quiver.agent.learning.LearningConfig;
import io.quiver.agent.learning.SessionInfo;
import io.quiver.agent.learning.SessionType;
import io.quiver.agent.pattern.NewPattern;
import io.quiver.agent.skill.NewSkill;
import io.quiver.agent.skill.Skill;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Copies an AgentDB database into an agent memory through the memory's own APIs, so every record is validated and
 * stored durably as a tool call would store it. Ids are the memory's own: an AgentDB id is kept only in the mapping
 * the report returns, and causal edges between stored memories are re-pointed through it. Episode, skill and pattern
 * vectors are computed from their text by the memory's embedder; AgentDB's stored vectors are not read, as they come
 * from whatever embedder (often a hash mock) its process had.
 */
final class AgentDbImporter {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Episodes per durable write: one fsync per batch keeps a 100K-episode import to seconds. */
  private static final int EPISODE_BATCH = 1000;

  private final AgentDbSource source;
  private final AgentMemory memory;
  private final Map<Long, Long> episodeIds = new HashMap<>();
  private final Map<Long, Long> skillIds = new HashMap<>();
  private final Map<String, String> sessionIds = new LinkedHashMap<>();
  private final List<String> skipped = new ArrayList<>();

  AgentDbImporter(AgentDbSource source, AgentMemory memory) {
    this.source = source;
    this.memory = memory;
  }

  /**
   * What an import stored: counts per kind, AgentDB's learning-session ids with the new ones, and the records left
   * out with the reason.
   */
  record Report(int episodes, int skills, int causalEdges, int patterns, int learningSessions, int experiences,
      Map<String, String> sessionIds, List<String> skipped) {}

  Report run() throws IOException {
    int episodes = episodes();
    int skills = skills();
    int edges = causalEdges();
    int patterns = patterns();
    int[] learning = learning();
    return new Report(episodes, skills, edges, patterns, learning[0], learning[1], Map.copyOf(sessionIds),
        List.copyOf(skipped));
  }

  private int episodes() throws IOException {
    List<Map<String, Object>> rows = source.rows("episodes", "id");
    EpisodeStore store = memory.episodes();
    for (int from = 0; from < rows.size(); from += EPISODE_BATCH) {
      List<Map<String, Object>> chunk = rows.subList(from, Math.min(rows.size(), from + EPISODE_BATCH));
      List<NewEpisode> batch = new ArrayList<>(chunk.size());
      for (Map<String, Object> r : chunk) {
        NewEpisode.Builder b = NewEpisode.builder(text(r, "session_id"), text(r, "task")).input(text(r, "input"))
            .output(text(r, "output")).critique(text(r, "critique")).reward(number(r, "reward", 0))
            .success(number(r, "success", 0) != 0).latencyMs(number(r, "latency_ms", 0))
            .tokens((long) number(r, "tokens_used", 0)).tags(tags(r)).metadata(object(r, "metadata"));
        if (r.get("ts") instanceof Number ts) {
          b.ts(ts.longValue());
        }
        batch.add(b.build());
      }
      List<Long> ids = store.storeBatch(batch);
      for (int i = 0; i < chunk.size(); i++) {
        episodeIds.put(((Number) chunk.get(i).get("id")).longValue(), ids.get(i));
      }
    }
    return rows.size();
  }

  private int skills() throws IOException {
    int n = 0;
    for (Map<String, Object> r : source.rows("skills", "id")) {
      NewSkill.Builder b = NewSkill.builder(text(r, "name"), text(r, "description")).code(text(r, "code"))
          .successRate(number(r, "success_rate", 0)).uses((long) number(r, "uses", 0))
          .avgReward(number(r, "avg_reward", 0)).avgLatencyMs(number(r, "avg_latency_ms", 0));
      ObjectNode signature = object(r, "signature");
      if (signature != null) {
        b.signature(signature);
      }
      ObjectNode metadata = object(r, "metadata");
      if (metadata != null) {
        b.metadata(metadata);
      }
      Skill s;
      try {
        s = memory.skills().create(b.build());
      } catch (RuntimeException e) {
        // names are unique: with --force, a skill already in the memory is kept as it is
        skipped.add("skill #" + r.get("id") + " '" + text(r, "name") + "': " + e.getMessage());
        continue;
      }
      skillIds.put(((Number) r.get("id")).longValue(), s.id());
      n++;
    }
    return n;
  }

  private int causalEdges() throws IOException {
    int n = 0;
    for (Map<String, Object> r : source.rows("causal_edges", "id")) {
      CausalNode cause = node(r, "from_memory_id", "from_memory_type");
      CausalNode effect = node(r, "to_memory_id", "to_memory_type");
      memory.causal().add(cause, effect, number(r, "uplift", 0), number(r, "confidence", 0.5),
          (long) number(r, "sample_size", 0));
      n++;
    }
    return n;
  }

  /**
   * AgentDB's causal_add_edge stores a named event as {@code (id 0, type = the name)}; a non-zero id is a stored
   * memory of that type, re-pointed to its imported id when it is an episode or a skill.
   */
  private CausalNode node(Map<String, Object> r, String idColumn, String typeColumn) {
    long id = (long) number(r, idColumn, 0);
    String type = text(r, typeColumn);
    if (id == 0) {
      return new CausalNode.Event(type);
    }
    Map<Long, Long> ids = switch (type) {
      case "episode" -> episodeIds;
      case "skill" -> skillIds;
      default -> Map.of();
    };
    return new CausalNode.Memory(type, ids.getOrDefault(id, id));
  }

  private int patterns() throws IOException {
    int n = 0;
    for (Map<String, Object> r : source.rows("reasoning_patterns", "id")) {
      memory.patterns().store(new NewPattern(text(r, "task_type"), text(r, "approach"),
          number(r, "success_rate", 0), tags(r), object(r, "metadata")));
      if (number(r, "uses", 0) > 0) {
        skipped.add("pattern #" + r.get("id") + ": uses and avg_reward are not kept (the pattern store counts"
            + " its own feedback)");
      }
      n++;
    }
    return n;
  }

  /** Sessions are started anew and their experiences replayed as feedback in id order, then ended if AgentDB had. */
  private int[] learning() throws IOException {
    Map<String, List<Map<String, Object>>> experiences = new HashMap<>();
    for (Map<String, Object> r : source.rows("learning_experiences", "id")) {
      experiences.computeIfAbsent(text(r, "session_id"), k -> new ArrayList<>()).add(r);
    }
    int sessions = 0;
    int replayed = 0;
    for (Map<String, Object> r : source.rows("learning_sessions", "start_time, id")) {
      String oldId = text(r, "id");
      LearningConfig config;
      SessionInfo s;
      try {
        config = config(object(r, "config"));
        s = memory.learning().start(text(r, "user_id"), SessionType.parse(
            text(r, "session_type"), "session_type"), config);
      } catch (RuntimeException e) {
        skipped.add("learning session " + oldId + ": " + e.getMessage());
        continue;
      }
      sessionIds.put(oldId, s.sessionId());
      for (Map<String, Object> x : experiences.getOrDefault(oldId, List.of())) {
        memory.learning().feedback(new Feedback(s.sessionId(), text(x, "state"), text(x, "action"),
            number(x, "reward", 0), text(x, "next_state"), number(x, "success", 0) != 0));
        replayed++;
      }
      if (!"active".equals(text(r, "status"))) {
        memory.learning().end(s.sessionId());
      }
      sessions++;
    }
    return new int[] {sessions, replayed};
  }

  /** AgentDB stores the config camelCase ({@code learningRate}); the memory reads AgentDB's tool names. */
  private static LearningConfig config(ObjectNode camel) {
    Map<String, Object> snake = new HashMap<>();
    if (camel != null) {
      camel.properties().forEach(e -> {
        String key = e.getKey().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        JsonNode v = e.getValue();
        snake.put(key, v.isNumber() ? v.numberValue() : v.isArray() ? MAPPER.convertValue(v, List.class)
            : v.asText());
      });
    }
    return LearningConfig.fromMap(snake);
  }

  private static String text(Map<String, Object> r, String column) {
    Object v = r.get(column);
    return v == null ? null : v.toString();
  }

  private static double number(Map<String, Object> r, String column, double absent) {
    return r.get(column) instanceof Number n ? n.doubleValue() : absent;
  }

  private static List<String> tags(Map<String, Object> r) {
    JsonNode node = json(r, "tags");
    List<String> tags = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(t -> tags.add(t.asText()));
    }
    return tags;
  }

  private static ObjectNode object(Map<String, Object> r, String column) {
    return json(r, column) instanceof ObjectNode o ? o : null;
  }

  private static JsonNode json(Map<String, Object> r, String column) {
    String s = text(r, column);
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return MAPPER.readTree(s);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(column + " is not JSON: " + s, e);
    }
  }
}
