package io.quiver.agent.skill;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.store.CompositeSearch;
import io.quiver.agent.store.Inputs;
import io.quiver.agent.store.Outcome;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import io.quiver.text.DenseTextModel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The skill library: reusable skills with usage statistics, kept in the collection {@value #COLLECTION} (indexes on
 * name, success_rate, created_at, source_task) and their links in {@link SkillLinks}.
 *
 * <p>Search ranks as AgentDB's SkillLibrary does ({@code agentdb_skill_feedback} says search ranks by the usage
 * statistics): {@code 0.4·similarity + 0.3·success_rate + 0.1·min(uses/1000, 1) + 0.2·avg_reward}, similarity the
 * cosine of task and skill text. The top k under {@code min_success_rate} is exact ({@link CompositeSearch}).
 *
 * <p>Writes are serialized on the library; each is one durable upsert (a batch included), so a crash leaves all or
 * none of it. Names are unique, compared exactly.
 */
public final class SkillLibrary {
  public static final String COLLECTION = "agent_skills";
  static final double W_SIM = 0.4;
  static final double W_SUCCESS = 0.3;
  static final double W_USES = 0.1;
  static final double W_REWARD = 0.2;
  static final int MAX_BATCH = 100;

  private final RecordCollection store;
  private final SkillLinks links;
  private final DenseTextModel embedder;
  private final Clock clock;

  private SkillLibrary(RecordCollection store, SkillLinks links, DenseTextModel embedder, Clock clock) {
    this.store = store;
    this.links = links;
    this.embedder = embedder;
    this.clock = clock;
  }

  /** Opens (creating on first use) the skill library of {@code db}; {@code db} stays the caller's to close. */
  public static SkillLibrary open(Quiver db, DenseTextModel embedder) {
    return open(db, embedder, Clock.systemUTC());
  }

  public static SkillLibrary open(Quiver db, DenseTextModel embedder, Clock clock) {
    CollectionConfig config = RecordCollection.dense(embedder.dimension())
        .payloadIndex(SkillPayloads.NAME, FieldSchema.KEYWORD)
        .payloadIndex(SkillPayloads.SUCCESS_RATE, FieldSchema.FLOAT)
        .payloadIndex(SkillPayloads.CREATED_AT, FieldSchema.INTEGER)
        .payloadIndex(SkillPayloads.SOURCE_TASK, FieldSchema.KEYWORD).build();
    return new SkillLibrary(RecordCollection.open(db, COLLECTION, "skill", config), SkillLinks.open(db),
        embedder, clock);
  }

  public DenseTextModel embedder() {
    return embedder;
  }

  // ------------------------------------------------------------------ create

  public Skill create(NewSkill skill) {
    return createBatch(List.of(skill)).get(0);
  }

  /** Creates up to {@value #MAX_BATCH} skills in one durable write; any invalid or duplicate name rejects all. */
  public synchronized List<Skill> createBatch(List<NewSkill> skills) {
    if (skills.isEmpty() || skills.size() > MAX_BATCH) {
      throw Inputs.invalid("skills", "give 1 to " + MAX_BATCH + " skills, got " + skills.size());
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < skills.size(); i++) {
      String path = skills.size() == 1 ? "" : "skills[" + i + "]";
      NewSkill s = skills.get(i);
      s.validate(path);
      if (!names.add(s.name()) || findByName(s.name()) != null) {
        throw new QuiverException.AlreadyExists((path.isEmpty() ? "" : path + ".") + "name: a skill named '"
            + s.name() + "' already exists");
      }
    }
    List<float[]> vectors = embedder.embed(skills.stream()
        .map(s -> SkillPayloads.embeddingText(s.name(), s.description(), s.signature())).toList());
    long now = clock.millis();
    long first = store.reserve(skills.size());
    List<Skill> created = new ArrayList<>();
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < skills.size(); i++) {
      NewSkill n = skills.get(i);
      Skill s = new Skill(first + i, n.name(), n.description(), n.code(), n.signature(),
          n.metadata() == null ? JsonNodeFactory.instance.objectNode() : n.metadata(), n.tags(), now, n.uses(),
          n.successRate(), n.avgReward(), n.avgLatencyMs(), n.avgLatencyMs() > 0 ? n.uses() : 0, null);
      created.add(s);
      points.add(point(s, vectors.get(i)));
    }
    writeOrRelease(points, first, skills.size());
    return created;
  }

  private void writeOrRelease(List<Point> points, long first, int n) {
    try {
      store.write(points);
    } catch (RuntimeException e) {
      store.release(first, n);
      throw e;
    }
  }

  private static Point point(Skill s, float[] vector) {
    return new Point(PointId.of(s.id()), Map.of(RecordCollection.VECTOR, vector), SkillPayloads.toPayload(s));
  }

  // ------------------------------------------------------------------ read

  /** The skill {@code id}, or null. */
  public Skill get(long id) {
    PointRecord r = store.get(id);
    return r == null ? null : SkillPayloads.fromRecord(r);
  }

  /** The skill {@code id}, or {@link QuiverException.NotFound} naming {@code skill_id}. */
  public Skill require(long id) {
    Skill s = get(id);
    if (s == null) {
      throw new QuiverException.NotFound("skill_id: no skill with id " + id);
    }
    return s;
  }

  /** The skill called {@code name}, or null. */
  public Skill findByName(String name) {
    List<PointRecord> r = store.scrollAll(RecordCollection.records(
        new Condition.Match(SkillPayloads.NAME, JsonNodeFactory.instance.textNode(name))));
    return r.isEmpty() ? null : SkillPayloads.fromRecord(r.get(0));
  }

  /** Skills with success rate ≥ {@code minSuccessRate} (null: all), newest first, from {@code offset}. */
  public List<Skill> list(Double minSuccessRate, int limit, int offset) {
    Inputs.atLeast(limit, 1, "limit");
    Inputs.atLeast(offset, 0, "offset");
    Filter f = minSuccessRate == null ? RecordCollection.records() : RecordCollection.records(
        new Condition.Range(SkillPayloads.SUCCESS_RATE, null, minSuccessRate, null, null));
    // ids grow with creation, so newest first is descending id
    List<PointId> ids = store.ids(f).stream()
        .sorted(Comparator.comparingLong((PointId p) -> ((PointId.Num) p).value()).reversed())
        .skip(offset).limit(limit).toList();
    return store.collection().retrieve(ids, PayloadSelector.ALL, null).stream().map(SkillPayloads::fromRecord)
        .sorted(Comparator.comparingLong(Skill::id).reversed()).toList();
  }

  public long count() {
    return store.count(RecordCollection.records());
  }

  /** The best {@code k} skills for {@code task} with success rate ≥ {@code minSuccessRate} (null: any). */
  public List<SkillHit> search(String task, int k, Double minSuccessRate) {
    Inputs.text(task, "task");
    Inputs.atLeast(k, 1, "k");
    if (minSuccessRate != null) {
      Inputs.unit(minSuccessRate, "min_success_rate");
    }
    Filter f = minSuccessRate == null ? RecordCollection.records() : RecordCollection.records(
        new Condition.Range(SkillPayloads.SUCCESS_RATE, null, minSuccessRate, null, null));
    float[] q = embedder.embed(List.of(task)).get(0);
    return CompositeSearch.topK(store.collection(), q, f, null, k, W_SIM, W_SUCCESS + W_USES + W_REWARD,
            p -> bonus(p.path("success_rate").asDouble(), p.path("uses").asLong(), p.path("avg_reward").asDouble()))
        .stream().map(h -> new SkillHit(SkillPayloads.fromRecord(h.record()), h.similarity(), h.score())).toList();
  }

  /** The ranking score of a skill at cosine {@code similarity}. */
  public static double score(double similarity, Skill s) {
    return W_SIM * similarity + bonus(s.successRate(), s.uses(), s.avgReward());
  }

  private static double bonus(double successRate, long uses, double avgReward) {
    return W_SUCCESS * successRate + W_USES * Math.min(uses / 1000.0, 1.0) + W_REWARD * avgReward;
  }

  // ------------------------------------------------------------------ change

  /** Applies {@code update}; a changed name, description or signature re-embeds the skill. */
  public synchronized Skill update(long id, SkillUpdate update) {
    Skill s = require(id);
    if (update.name() != null) {
      Inputs.text(update.name(), "name");
      Skill other = findByName(update.name());
      if (other != null && other.id() != id) {
        throw new QuiverException.AlreadyExists("name: a skill named '" + update.name() + "' already exists");
      }
    }
    if (update.description() != null) {
      Inputs.text(update.description(), "description");
    }
    Skill u = new Skill(id, orElse(update.name(), s.name()), orElse(update.description(), s.description()),
        orElse(update.code(), s.code()), orElse(update.signature(), s.signature()),
        SkillPayloads.mergeMetadata(s.metadata(), update.metadata(), update.replaceMetadata()), s.tags(),
        s.createdAt(), s.uses(), s.successRate(), s.avgReward(), s.avgLatencyMs(), s.latencySamples(),
        s.sourceTask());
    rewrite(s, u);
    return u;
  }

  /** Writes {@code after} over {@code before}, re-embedding only when the embedded text changed. */
  private void rewrite(Skill before, Skill after) {
    String oldText = SkillPayloads.embeddingText(before.name(), before.description(), before.signature());
    String newText = SkillPayloads.embeddingText(after.name(), after.description(), after.signature());
    if (oldText.equals(newText)) {
      store.collection().overwritePayload(List.of(PointId.of(after.id())), SkillPayloads.toPayload(after));
    } else {
      store.collection().upsert(List.of(point(after, embedder.embed(List.of(newText)).get(0))));
    }
  }

  private static <T> T orElse(T value, T fallback) {
    return value != null ? value : fallback;
  }

  /** Records one use: uses + 1, running means of success, reward and (if given) latency. */
  public synchronized Skill feedback(long id, Outcome outcome) {
    Skill s = require(id);
    long n = s.uses() + 1;
    double success = (s.successRate() * s.uses() + (outcome.success() ? 1 : 0)) / n;
    double reward = (s.avgReward() * s.uses() + outcome.reward()) / n;
    long ln = s.latencySamples();
    double latency = s.avgLatencyMs();
    if (outcome.latencyMs() != null) {
      latency = (latency * ln + outcome.latencyMs()) / (ln + 1);
      ln++;
    }
    Skill u = new Skill(id, s.name(), s.description(), s.code(), s.signature(), s.metadata(), s.tags(),
        s.createdAt(), n, success, reward, latency, ln, s.sourceTask());
    store.collection().overwritePayload(List.of(PointId.of(id)), SkillPayloads.toPayload(u));
    return u;
  }

  /**
   * Deletes the skill's links and then the skill (a crash in between leaves the skill, unlinked, for the retry);
   * false if there was none.
   */
  public synchronized boolean delete(long id) {
    if (get(id) == null) {
      return false;
    }
    links.deleteAll(id);
    store.collection().delete(List.of(PointId.of(id)));
    return true;
  }

  // ------------------------------------------------------------------ links

  /** Links two existing, distinct skills; linking the same pair and relationship again replaces the weight. */
  public synchronized SkillLink link(long parentId, long childId, String relationship, double weight) {
    require(parentId);
    if (get(childId) == null) {
      throw new QuiverException.NotFound("child_id: no skill with id " + childId);
    }
    if (parentId == childId) {
      throw Inputs.invalid("child_id", "a skill cannot be linked to itself");
    }
    Inputs.text(relationship, "relationship");
    Inputs.finite(weight, "weight");
    SkillLink l = new SkillLink(parentId, childId, relationship, weight);
    links.put(l);
    return l;
  }

  /** Links from or to skill {@code id}. */
  public List<SkillLink> links(long id) {
    return links.of(id);
  }

  public boolean unlink(long parentId, long childId, String relationship) {
    return links.delete(parentId, childId, relationship);
  }

  // ------------------------------------------------------------------ consolidation

  /** Promotes repeated successful attempts of a task into a skill, see {@link SkillConsolidator}. */
  public synchronized ConsolidationReport consolidate(List<EpisodeOutcome> episodes, ConsolidationPolicy policy) {
    return new SkillConsolidator(this).run(episodes, policy);
  }

  /** The skill consolidation made from {@code task}, or null. */
  Skill findBySourceTask(String task) {
    List<PointRecord> r = store.scrollAll(RecordCollection.records(
        new Condition.Match(SkillPayloads.SOURCE_TASK, JsonNodeFactory.instance.textNode(task))));
    return r.isEmpty() ? null : SkillPayloads.fromRecord(r.get(0));
  }

  /** Writes consolidated skills: {@code fresh} are new (ids assigned here), {@code refreshed} replace their own. */
  List<Long> writeConsolidated(List<Skill> fresh, List<Skill> refreshed) {
    List<Skill> all = new ArrayList<>(refreshed);
    long first = store.reserve(fresh.size());
    for (int i = 0; i < fresh.size(); i++) {
      Skill f = fresh.get(i);
      all.add(new Skill(first + i, f.name(), f.description(), f.code(), f.signature(), f.metadata(), f.tags(),
          clock.millis(), f.uses(), f.successRate(), f.avgReward(), f.avgLatencyMs(), f.latencySamples(),
          f.sourceTask()));
    }
    if (all.isEmpty()) {
      return List.of();
    }
    List<float[]> vectors = embedder.embed(all.stream()
        .map(s -> SkillPayloads.embeddingText(s.name(), s.description(), s.signature())).toList());
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      points.add(point(all.get(i), vectors.get(i)));
    }
    writeOrRelease(points, first, fresh.size());
    return all.stream().map(Skill::id).toList();
  }
}
