package io.quiver.agent.pattern;

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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reasoning patterns in the collection {@value #COLLECTION} (indexes on task_type, success_rate, tags, created_at).
 * Search ranks by {@code 0.7·similarity + 0.2·success_rate + 0.1·avg_reward} (as {@code agentdb_pattern_feedback}
 * describes), exactly under the filters ({@link CompositeSearch}); {@code threshold} bounds the similarity. Writes
 * are serialized and each is one durable upsert.
 */
public final class PatternStore {
  public static final String COLLECTION = "agent_patterns";
  static final double W_SIM = 0.7;
  static final double W_SUCCESS = 0.2;
  static final double W_REWARD = 0.1;
  static final int MAX_BATCH = 500;
  static final int TOP_TASK_TYPES = 10;

  private final RecordCollection store;
  private final DenseTextModel embedder;
  private final Clock clock;

  private PatternStore(RecordCollection store, DenseTextModel embedder, Clock clock) {
    this.store = store;
    this.embedder = embedder;
    this.clock = clock;
  }

  public static PatternStore open(Quiver db, DenseTextModel embedder) {
    return open(db, embedder, Clock.systemUTC());
  }

  public static PatternStore open(Quiver db, DenseTextModel embedder, Clock clock) {
    CollectionConfig config = RecordCollection.dense(embedder.dimension())
        .payloadIndex(PatternPayloads.TASK_TYPE, FieldSchema.KEYWORD)
        .payloadIndex(PatternPayloads.SUCCESS_RATE, FieldSchema.FLOAT)
        .payloadIndex(PatternPayloads.TAGS, FieldSchema.KEYWORD)
        .payloadIndex(PatternPayloads.CREATED_AT, FieldSchema.INTEGER).build();
    return new PatternStore(RecordCollection.open(db, COLLECTION, "pattern", config), embedder, clock);
  }

  public Pattern store(NewPattern pattern) {
    return storeBatch(List.of(pattern)).get(0);
  }

  /** Stores up to {@value #MAX_BATCH} patterns in one durable write; one invalid pattern rejects them all. */
  public synchronized List<Pattern> storeBatch(List<NewPattern> patterns) {
    if (patterns.isEmpty() || patterns.size() > MAX_BATCH) {
      throw Inputs.invalid("patterns", "give 1 to " + MAX_BATCH + " patterns, got " + patterns.size());
    }
    for (int i = 0; i < patterns.size(); i++) {
      patterns.get(i).validate(patterns.size() == 1 ? "" : "patterns[" + i + "]");
    }
    List<float[]> vectors = embedder.embed(patterns.stream()
        .map(p -> PatternPayloads.embeddingText(p.taskType(), p.approach())).toList());
    long now = clock.millis();
    long first = store.reserve(patterns.size());
    List<Pattern> out = new ArrayList<>();
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      NewPattern n = patterns.get(i);
      Pattern p = new Pattern(first + i, n.taskType(), n.approach(), n.successRate(), 0, 0, n.tags(),
          n.metadata() == null ? JsonNodeFactory.instance.objectNode() : n.metadata(), now);
      out.add(p);
      points.add(point(p, vectors.get(i)));
    }
    try {
      store.write(points);
    } catch (RuntimeException e) {
      store.release(first, patterns.size());
      throw e;
    }
    return out;
  }

  private static Point point(Pattern p, float[] vector) {
    return new Point(PointId.of(p.id()), Map.of(RecordCollection.VECTOR, vector), PatternPayloads.toPayload(p));
  }

  public Pattern get(long id) {
    PointRecord r = store.get(id);
    return r == null ? null : PatternPayloads.fromRecord(r);
  }

  public Pattern require(long id) {
    Pattern p = get(id);
    if (p == null) {
      throw new QuiverException.NotFound("pattern_id: no pattern with id " + id);
    }
    return p;
  }

  /** Patterns of {@code taskType} (null: all), newest first, from {@code offset}. */
  public List<Pattern> list(String taskType, int limit, int offset) {
    Inputs.atLeast(limit, 1, "limit");
    Inputs.atLeast(offset, 0, "offset");
    Filter f = taskType == null ? RecordCollection.records() : RecordCollection.records(match(
        PatternPayloads.TASK_TYPE, taskType));
    // ids grow with creation, so newest first is descending id
    List<PointId> ids = store.ids(f).reversed().stream().skip(offset).limit(limit).toList();
    return store.collection().retrieve(ids, PayloadSelector.ALL, null).stream().map(PatternPayloads::fromRecord)
        .sorted(Comparator.comparingLong(Pattern::id).reversed()).toList();
  }

  public long count() {
    return store.count(RecordCollection.records());
  }

  public List<PatternHit> search(PatternQuery q) {
    List<Condition> must = new ArrayList<>();
    if (q.taskType() != null) {
      must.add(match(PatternPayloads.TASK_TYPE, q.taskType()));
    }
    if (q.minSuccessRate() != null) {
      must.add(new Condition.Range(PatternPayloads.SUCCESS_RATE, null, q.minSuccessRate(), null, null));
    }
    q.tags().forEach(t -> must.add(match(PatternPayloads.TAGS, t)));
    float[] v = embedder.embed(List.of(q.task())).get(0);
    return CompositeSearch.topK(store.collection(), v, RecordCollection.records(must.toArray(Condition[]::new)),
            (float) q.threshold(), q.k(), W_SIM, W_SUCCESS + W_REWARD,
            p -> W_SUCCESS * p.path("success_rate").asDouble() + W_REWARD * p.path("avg_reward").asDouble())
        .stream().map(h -> new PatternHit(PatternPayloads.fromRecord(h.record()), h.similarity(), h.score()))
        .toList();
  }

  /** The ranking score of a pattern at cosine {@code similarity}. */
  public static double score(double similarity, Pattern p) {
    return W_SIM * similarity + W_SUCCESS * p.successRate() + W_REWARD * p.avgReward();
  }

  /** Applies {@code update}; a changed task type or approach re-embeds the pattern. */
  public synchronized Pattern update(long id, PatternUpdate u) {
    Pattern p = require(id);
    if (u.taskType() != null) {
      Inputs.text(u.taskType(), "taskType");
    }
    if (u.approach() != null) {
      Inputs.text(u.approach(), "approach");
    }
    ObjectNode meta = p.metadata();
    if (u.metadata() != null) {
      meta = u.replaceMetadata() ? u.metadata().deepCopy() : p.metadata().deepCopy();
      if (!u.replaceMetadata()) {
        ObjectNode target = meta;
        u.metadata().properties().forEach(e -> target.set(e.getKey(), e.getValue().deepCopy()));
      }
    }
    Pattern n = new Pattern(id, u.taskType() != null ? u.taskType() : p.taskType(),
        u.approach() != null ? u.approach() : p.approach(), p.successRate(), p.uses(), p.avgReward(),
        u.tags() != null ? u.tags() : p.tags(), meta, p.createdAt());
    if (n.taskType().equals(p.taskType()) && n.approach().equals(p.approach())) {
      store.collection().overwritePayload(List.of(PointId.of(id)), PatternPayloads.toPayload(n));
    } else {
      float[] v = embedder.embed(List.of(PatternPayloads.embeddingText(n.taskType(), n.approach()))).get(0);
      store.collection().upsert(List.of(point(n, v)));
    }
    return n;
  }

  /** Records one use: uses + 1 and the running means of success and reward. */
  public synchronized Pattern feedback(long id, Outcome outcome) {
    Pattern p = require(id);
    long n = p.uses() + 1;
    Pattern u = new Pattern(id, p.taskType(), p.approach(),
        (p.successRate() * p.uses() + (outcome.success() ? 1 : 0)) / n, n,
        (p.avgReward() * p.uses() + outcome.reward()) / n, p.tags(), p.metadata(), p.createdAt());
    store.collection().overwritePayload(List.of(PointId.of(id)), PatternPayloads.toPayload(u));
    return u;
  }

  /** Deletes the pattern with its vector; false if there was none. */
  public synchronized boolean delete(long id) {
    return get(id) != null && store.collection().delete(List.of(PointId.of(id))) > 0;
  }

  public PatternStats stats() {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Double> sums = new TreeMap<>();
    double total = 0;
    List<PointRecord> all = store.scrollAll(RecordCollection.records());
    for (PointRecord r : all) {
      String t = r.payload().path(PatternPayloads.TASK_TYPE).asText();
      double s = r.payload().path(PatternPayloads.SUCCESS_RATE).asDouble();
      counts.computeIfAbsent(t, k -> new long[1])[0]++;
      sums.merge(t, s, Double::sum);
      total += s;
    }
    List<PatternStats.TaskTypeCount> top = counts.entrySet().stream()
        .map(e -> new PatternStats.TaskTypeCount(e.getKey(), e.getValue()[0], sums.get(e.getKey()) / e.getValue()[0]))
        .sorted(Comparator.comparingLong(PatternStats.TaskTypeCount::count).reversed()
            .thenComparing(PatternStats.TaskTypeCount::taskType))
        .limit(TOP_TASK_TYPES).toList();
    return new PatternStats(all.size(), all.isEmpty() ? 0 : total / all.size(), top);
  }

  private static Condition match(String key, String value) {
    return new Condition.Match(key, JsonNodeFactory.instance.textNode(value));
  }
}
