package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.embed.Embedders;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.SparseVector;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Reflexion episodes in one Quiver collection ({@link EpisodeSchema}): store, exact filtered retrieval, hybrid
 * search, get, list, update, delete, statistics and pruning.
 *
 * <p><b>Durability:</b> a store, update or delete returns once its one write-ahead-log record is fsync'd (the
 * collection's {@code FSYNC} durability; concurrent callers share an fsync), so anything acknowledged survives a
 * crash. A batch is one record: all of it is stored or none.
 *
 * <p><b>Bad input</b> ({@link QuiverException.InvalidInput}, naming the field) and unknown ids
 * ({@link QuiverException.NotFound}) are found before anything is written, so a refused call changes nothing. Updates,
 * deletes and prunes are serialised with each other, so their checks hold when they write; stores run concurrently.
 */
public final class EpisodeStore implements AutoCloseable {
  /** Most episodes per batch: one log record, one embedding call. */
  public static final int MAX_BATCH = 10_000;
  /** Largest {@code k} of a query; deeper reads are listings. */
  public static final int MAX_K = 10_000;

  private final Collection episodes;
  private final DenseTextModel embedder;
  private final EpisodeMeta meta;
  private final KeywordEncoder keywords;
  private final EpisodeReader reader;
  private final EpisodeAnalytics analytics;
  private final AtomicLong nextId;
  private final LongSupplier clock;
  private final ReentrantLock changeLock = new ReentrantLock();

  private EpisodeStore(Collection episodes, DenseTextModel embedder, EpisodeMeta meta, LongSupplier clock) {
    this.episodes = episodes;
    this.embedder = embedder;
    this.meta = meta;
    this.clock = clock;
    this.keywords = new KeywordEncoder(episodes);
    this.reader = new EpisodeReader(episodes, embedder, keywords);
    this.analytics = new EpisodeAnalytics(reader);
    this.nextId = new AtomicLong(Math.max(meta.floor(), keywords.maxIdAtOpen() + 1));
  }

  /** Opens the episodes of {@code db}, creating the collections on first use; timestamps default to now. */
  public static EpisodeStore open(Quiver db, DenseTextModel embedder) throws IOException {
    return open(db, embedder, () -> Instant.now().getEpochSecond());
  }

  /** {@link #open(Quiver, DenseTextModel)} with {@code clock} giving the epoch seconds of episodes stored without. */
  public static EpisodeStore open(Quiver db, DenseTextModel embedder, LongSupplier clock) throws IOException {
    EpisodeMeta meta = EpisodeMeta.open(db, embedder);
    Collection c = db.exists(EpisodeSchema.COLLECTION) ? db.collection(EpisodeSchema.COLLECTION)
        : db.createCollection(EpisodeSchema.COLLECTION, EpisodeSchema.config(embedder.dimension()));
    return new EpisodeStore(c, embedder, meta, clock);
  }

  /** The active embedder (for stats: never a silent substitute). */
  public Embedders.Info embedder() {
    return Embedders.describe(embedder);
  }

  /** How many episodes are stored. */
  public long count() {
    return episodes.count();
  }

  /** The collection holding the episodes (read-only use: benchmarks and diagnostics). */
  public Collection collection() {
    return episodes;
  }

  // ------------------------------------------------------------------ writes

  /** Stores one episode durably and returns its id. */
  public long store(NewEpisode episode) {
    return storeBatch(List.of(episode)).get(0);
  }

  /**
   * Stores up to {@link #MAX_BATCH} episodes in one durable write and returns their ids, in order (consecutive). The
   * whole batch is checked first: one bad episode (named {@code episodes[i].field}) rejects it all.
   */
  public List<Long> storeBatch(List<NewEpisode> batch) {
    if (batch.isEmpty() || batch.size() > MAX_BATCH) {
      throw EpisodeValidator.invalid("episodes", "must hold 1.." + MAX_BATCH + " episodes, got " + batch.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      EpisodeValidator.check(batch.get(i), batch.size() == 1 ? "" : "episodes[" + i + "].");
    }
    List<float[]> vectors = checked(embedder.embed(batch.stream().map(NewEpisode::task).toList()), batch.size(),
        embedder);
    long now = clock.getAsLong();
    long first = nextId.getAndAdd(batch.size());
    List<Point> points = new ArrayList<>(batch.size());
    List<Long> ids = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      NewEpisode n = batch.get(i);
      Episode e = new Episode(first + i, n.ts() == null ? now : n.ts(), n.sessionId(), n.task(), n.input(),
          n.output(), n.critique(), n.reward(), n.success(), n.latencyMs(), n.tokens(), n.tags(), n.metadata());
      points.add(point(e, vectors.get(i), keywords.document(e.task(), e.critique())));
      ids.add(e.id());
    }
    episodes.upsert(points);
    return ids;
  }

  private static Point point(Episode e, float[] dense, SparseVector sparse) {
    return new Point(PointId.of(e.id()), Map.of(EpisodeSchema.DENSE, dense), EpisodeSchema.payload(e),
        sparse == null ? Map.of() : Map.of(EpisodeSchema.SPARSE, sparse));
  }

  /** {@code vectors} when it holds {@code n} vectors of the embedder's dimension; a broken embedder otherwise. */
  static List<float[]> checked(List<float[]> vectors, int n, DenseTextModel embedder) {
    if (vectors.size() != n) {
      throw new QuiverException("embedder " + embedder.name() + " returned " + vectors.size() + " vectors for " + n
          + " texts");
    }
    for (float[] v : vectors) {
      if (v.length != embedder.dimension()) {
        throw new QuiverException("embedder " + embedder.name() + " returned a vector of " + v.length
            + " dimensions, not " + embedder.dimension());
      }
    }
    return vectors;
  }

  /**
   * Applies {@code update} to episode {@code id} in one durable write and returns the episode as stored now. A new
   * task is embedded again.
   *
   * @throws QuiverException.NotFound when there is no such episode (nothing changes)
   */
  public Episode update(long id, EpisodeUpdate update) {
    EpisodeValidator.check(update);
    if (update.isEmpty()) {
      throw EpisodeValidator.invalid("update", "names no field to change");
    }
    changeLock.lock();
    try {
      PointRecord r = reader.record(id, true);
      if (r == null) {
        throw EpisodeReader.notFound(id);
      }
      Episode old = EpisodeSchema.episode(r.id(), r.payload());
      Episode e = new Episode(id, old.ts(), old.sessionId(), or(update.task(), old.task()),
          or(update.input(), old.input()), or(update.output(), old.output()), or(update.critique(), old.critique()),
          update.reward() != null ? update.reward() : old.reward(),
          update.success() != null ? update.success() : old.success(),
          update.latencyMs() != null ? update.latencyMs() : old.latencyMs(),
          update.tokens() != null ? update.tokens() : old.tokens(), update.tags() != null ? update.tags() : old.tags(),
          metadata(old.metadata(), update.metadata(), update.replaceMetadata()));
      float[] dense = e.task().equals(old.task()) ? r.vectors().get(EpisodeSchema.DENSE) : reader.embed(e.task());
      SparseVector sparse = e.task().equals(old.task()) && e.critique().equals(old.critique())
          ? r.sparseVectors().get(EpisodeSchema.SPARSE) : keywords.document(e.task(), e.critique());
      episodes.upsert(List.of(point(e, dense, sparse)));
      return e;
    } finally {
      changeLock.unlock();
    }
  }

  private static String or(String v, String old) {
    return v != null ? v : old;
  }

  /** The stored metadata with {@code patch} merged in key by key (a null value removes the key), or replaced. */
  private static ObjectNode metadata(ObjectNode old, ObjectNode patch, boolean replace) {
    if (patch == null) {
      return old;
    }
    if (replace) {
      return patch;
    }
    ObjectNode out = old.deepCopy();
    for (Map.Entry<String, JsonNode> f : patch.properties()) {
      if (f.getValue().isNull()) {
        out.remove(f.getKey());
      } else {
        out.set(f.getKey(), f.getValue().deepCopy());
      }
    }
    return out;
  }

  /** Deletes episode {@code id}; {@link QuiverException.NotFound} (nothing changes) when there is none. */
  public void delete(long id) {
    delete(List.of(id));
  }

  /**
   * Deletes the episodes {@code ids} in one durable write and returns how many; when any id is unknown,
   * {@link QuiverException.NotFound} names it and nothing is deleted.
   */
  public int delete(List<Long> ids) {
    if (ids.isEmpty() || ids.size() > MAX_BATCH) {
      throw EpisodeValidator.invalid("ids", "must hold 1.." + MAX_BATCH + " ids, got " + ids.size());
    }
    changeLock.lock();
    try {
      Set<Long> unique = new LinkedHashSet<>(ids);
      List<PointId> points = unique.stream().map(PointId::of).toList();
      Set<PointId> found = new HashSet<>();
      episodes.retrieve(points, PayloadSelector.NONE, null).forEach(r -> found.add(r.id()));
      for (Long id : unique) {
        if (!found.contains(PointId.of(id))) {
          throw EpisodeReader.notFound(id);
        }
      }
      meta.raiseFloor(nextId.get(), embedder);
      return episodes.delete(points);
    } finally {
      changeLock.unlock();
    }
  }

  /**
   * Deletes every episode {@code filter} admits and returns how many. An empty filter is refused (it would delete
   * everything): say what to delete.
   */
  public int deleteMatching(EpisodeFilter filter) {
    if (filter == null || filter.isEmpty()) {
      throw EpisodeValidator.invalid("filters", "must name at least one condition (an empty filter would delete every"
          + " episode)");
    }
    Filter f = EpisodeFilters.toFilter(filter);
    changeLock.lock();
    try {
      meta.raiseFloor(nextId.get(), embedder);
      return episodes.delete(f);
    } finally {
      changeLock.unlock();
    }
  }

  /** Deletes what {@link PruneRequest} describes, in one durable write, and returns how many were deleted. */
  public int prune(PruneRequest request) {
    if (request.keepNewest() < 0) {
      throw EpisodeValidator.invalid("keep_newest", "must be >= 0, got " + request.keepNewest());
    }
    if (request.belowReward() != null && request.belowReward().isNaN()) {
      throw EpisodeValidator.invalid("below_reward", "must be a number, got NaN");
    }
    if (request.before() == null && request.belowReward() == null && request.keepNewest() == 0) {
      throw EpisodeValidator.invalid("prune", "needs before, below_reward or keep_newest");
    }
    List<Condition> must = new ArrayList<>();
    if (request.before() != null) {
      must.add(new Condition.Range(EpisodeSchema.TS, null, null, request.before().doubleValue(), null));
    }
    if (request.belowReward() != null) {
      must.add(new Condition.Range(EpisodeSchema.REWARD, null, null, request.belowReward(), null));
    }
    Filter f = must.isEmpty() ? null : new Filter(must, List.of(), List.of(), null);
    changeLock.lock();
    try {
      List<Long> all = new ArrayList<>();
      reader.forEachId(null, all::add);
      Set<Long> kept = new HashSet<>(all.subList(Math.max(0, all.size() - request.keepNewest()), all.size()));
      List<PointId> doomed = new ArrayList<>();
      if (f == null) {
        all.stream().filter(id -> !kept.contains(id)).forEach(id -> doomed.add(PointId.of(id)));
      } else {
        reader.forEachId(f, id -> {
          if (!kept.contains(id)) {
            doomed.add(PointId.of(id));
          }
        });
      }
      if (doomed.isEmpty()) {
        return 0;
      }
      meta.raiseFloor(nextId.get(), embedder);
      return episodes.delete(doomed);
    } finally {
      changeLock.unlock();
    }
  }

  // ------------------------------------------------------------------ reads

  /**
   * The {@code k} episodes whose task is most similar (cosine of embeddings) to {@code task} among those
   * {@code filter} admits, best first: exactly the top k of a brute-force scan, fewer only when fewer match.
   */
  public List<EpisodeHit> retrieve(String task, int k, EpisodeFilter filter) {
    EpisodeValidator.nonBlank(task, "task");
    EpisodeValidator.k(k, MAX_K, "k");
    EpisodeFilters.toFilter(filter); // rejects a contradictory filter before embedding
    return reader.nearest(reader.embed(task), k, filter, -1);
  }

  /** {@link #retrieve} with an already embedded query (benchmarks time embedding apart; recall reuses it). */
  public List<EpisodeHit> nearest(float[] query, int k, EpisodeFilter filter) {
    EpisodeValidator.k(k, Collection.MAX_RESULT_WINDOW, "k");
    if (query.length != embedder.dimension()) {
      throw EpisodeValidator.invalid("query", "must have " + embedder.dimension() + " dimensions, got "
          + query.length);
    }
    return reader.nearest(query, k, filter, -1);
  }

  /**
   * The stored episodes among {@code ids} with their exact cosine to {@code query}, in id order (unknown ids are
   * skipped): for callers that must score known episodes whatever their rank.
   */
  public List<EpisodeHit> score(float[] query, List<Long> ids) {
    if (query.length != embedder.dimension()) {
      throw EpisodeValidator.invalid("query", "must have " + embedder.dimension() + " dimensions, got "
          + query.length);
    }
    return reader.score(query, ids);
  }

  /** The embedder's vector of {@code text}. */
  public float[] embed(String text) {
    EpisodeValidator.nonBlank(text, "query");
    return reader.embed(text);
  }

  /**
   * AgentDB's {@code agentdb_search}: with {@code hybrid}, dense and BM25 rankings fused by reciprocal rank (see
   * {@link EpisodeReader#hybrid}); without, the exact dense top k. {@code minSimilarity} in [-1, 1] drops dense
   * results below that cosine (keyword matches are kept in hybrid mode).
   */
  public List<EpisodeHit> search(String query, int k, double minSimilarity, boolean hybrid, EpisodeFilter filter) {
    EpisodeValidator.nonBlank(query, "query");
    EpisodeValidator.k(k, MAX_K, "k");
    if (!(minSimilarity >= -1 && minSimilarity <= 1)) {
      throw EpisodeValidator.invalid("min_similarity", "must be in [-1, 1], got " + minSimilarity);
    }
    EpisodeFilters.toFilter(filter);
    return hybrid ? reader.hybrid(query, k, filter, minSimilarity)
        : reader.nearest(reader.embed(query), k, filter, minSimilarity);
  }

  /** Episode {@code id}, or {@link QuiverException.NotFound}. */
  public Episode get(long id) {
    return reader.get(id);
  }

  /** The stored task embedding of episode {@code id}, or {@link QuiverException.NotFound}. */
  public float[] embedding(long id) {
    PointRecord r = reader.record(id, true);
    if (r == null) {
      throw EpisodeReader.notFound(id);
    }
    return r.vectors().get(EpisodeSchema.DENSE);
  }

  /**
   * A page of the episodes {@code filter} admits, newest first (highest id: most recently stored) or oldest first,
   * with the number matching in all. {@code limit} in 1..10000, {@code offset} >= 0.
   */
  public EpisodePage list(EpisodeFilter filter, int limit, int offset, boolean newestFirst) {
    EpisodeValidator.k(limit, MAX_K, "limit");
    if (offset < 0) {
      throw EpisodeValidator.invalid("offset", "must be >= 0, got " + offset);
    }
    return reader.list(filter, limit, offset, newestFirst);
  }

  /** See {@link EpisodeAnalytics#taskStats}. */
  public List<TaskStats> taskStats(String task, int limit) {
    EpisodeValidator.k(limit, MAX_K, "limit");
    return analytics.taskStats(task, limit);
  }

  /** See {@link EpisodeAnalytics#critiques}. */
  public CritiqueSummary critiqueSummary(String task, int k) {
    EpisodeValidator.nonBlank(task, "task");
    EpisodeValidator.k(k, MAX_K, "k");
    return analytics.critiques(task, k);
  }

  /** Counts by outcome, for stats: total, successes, failures. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new HashMap<>();
    out.put("episodes", episodes.count());
    out.put("successes", episodes.count(EpisodeFilters.toFilter(EpisodeFilter.builder().onlySuccesses(true).build()),
        true));
    out.put("failures", out.get("episodes") - out.get("successes"));
    return out;
  }

  @Override
  public void close() {
    keywords.close();
  }
}
