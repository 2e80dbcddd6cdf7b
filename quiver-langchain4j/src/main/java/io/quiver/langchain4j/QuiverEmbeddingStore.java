package io.quiver.langchain4j;

import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotEmpty;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.StoreCollection;
import io.quiver.distance.Metric;
import io.quiver.payload.FieldSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A LangChain4j {@link EmbeddingStore} of {@link TextSegment}s in an embedded Quiver collection: no server. Each
 * embedding is a point (its id a UUID, or an unsigned integer given as a string) whose payload holds the segment's
 * text and metadata ({@link SegmentPayloads}); searches translate LangChain4j's metadata filters exactly
 * ({@link MetadataFilters}) and report LangChain4j's relevance scores ({@link Relevance}). Writes return once the
 * collection's write-ahead log has them on disk (the collection's durability, FSYNC when this store creates it).
 *
 * <p>Built on a path, the store opens the database and {@link #close()} closes it; built on an open {@link Quiver},
 * the caller keeps it and closes it. Thread-safe, as the collection is.
 */
public final class QuiverEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {
  private final Quiver owned;
  private final Collection collection;
  private final StoreCollection.Spec spec;
  private final SegmentPayloads payloads;

  private QuiverEmbeddingStore(Quiver owned, Collection collection, StoreCollection.Spec spec, String textKey) {
    this.owned = owned;
    this.collection = collection;
    this.spec = spec;
    this.payloads = new SegmentPayloads(textKey);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The collection the store writes to (for payload indexes, counts, snapshots). */
  public Collection collection() {
    return collection;
  }

  @Override
  public String add(Embedding embedding) {
    String id = generateIds(1).get(0);
    addAll(List.of(id), List.of(embedding), null);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(id), List.of(embedding), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = generateIds(1).get(0);
    addAll(List.of(id), List.of(embedding), segment == null ? null : Collections.singletonList(segment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(ensureNotNull(embeddings, "embeddings").size());
    addAll(ids, embeddings, null);
    return ids;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings, List<TextSegment> segments) {
    List<String> ids = generateIds(ensureNotNull(embeddings, "embeddings").size());
    addAll(ids, embeddings, segments);
    return ids;
  }

  /**
   * Writes the embeddings, each with its id and segment ({@code segments} null: none), in one durable upsert: all or
   * none. An id already present is replaced.
   */
  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
    ensureNotNull(ids, "ids");
    ensureNotNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size()) {
      throw new IllegalArgumentException(ids.size() + " ids for " + embeddings.size() + " embeddings");
    }
    if (segments != null && segments.size() != embeddings.size()) {
      throw new IllegalArgumentException(segments.size() + " segments for " + embeddings.size() + " embeddings");
    }
    if (ids.isEmpty()) {
      return;
    }
    List<Point> points = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      Embedding e = ensureNotNull(embeddings.get(i), "embedding " + i);
      float[] vector = spec.checkVector(e.vector(), "embedding " + i);
      points.add(new Point(StoreCollection.pointId(ids.get(i)), Map.of(spec.vectorName(), vector),
          segments == null ? null : payloads.toPayload(segments.get(i))));
    }
    collection.upsert(points);
  }

  @Override
  public void remove(String id) {
    ensureNotBlank(id, "id");
    collection.delete(List.of(StoreCollection.pointId(id)));
  }

  @Override
  public void removeAll(java.util.Collection<String> ids) {
    ensureNotEmpty(ids, "ids");
    List<PointId> pointIds = new ArrayList<>(ids.size());
    for (String id : ids) {
      pointIds.add(StoreCollection.pointId(ensureNotBlank(id, "id")));
    }
    collection.delete(pointIds);
  }

  @Override
  public void removeAll(Filter filter) {
    ensureNotNull(filter, "filter");
    collection.delete(filters().toQuiver(filter));
  }

  @Override
  public void removeAll() {
    collection.delete(io.quiver.filter.Filter.ALL);
  }

  /**
   * The {@code maxResults} nearest embeddings whose metadata pass the filter and whose relevance is at least
   * {@code minScore}, best first, with their vectors and segments.
   */
  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    ensureNotNull(request, "request");
    Embedding query = ensureNotNull(request.queryEmbedding(), "queryEmbedding");
    float[] vector = spec.checkVector(query.vector(), "query embedding");
    double minScore = request.minScore();
    SearchRequest.Builder search = SearchRequest.builder(vector).using(spec.vectorName())
        .limit(request.maxResults()).filter(filters().toQuiver(request.filter()))
        .withPayload(PayloadSelector.ALL).withVectors(spec.vectorName());
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
    for (ScoredPoint hit : collection.search(search.build())) {
      double relevance = Relevance.of(spec.metric(), hit.score());
      if (relevance < minScore) {
        break; // hits come best first, so every later one scores lower still
      }
      float[] stored = hit.vectors() == null ? null : hit.vectors().get(spec.vectorName());
      matches.add(new EmbeddingMatch<>(relevance, hit.id().toString(),
          stored == null ? null : Embedding.from(stored), payloads.fromPayload(hit.payload())));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  private MetadataFilters filters() {
    // the config is read per request: a full-text index created since changes what containsString may mean
    return new MetadataFilters(payloads.textKey(), collection.config());
  }

  /** Closes the database when the store opened it from a path; otherwise leaves it to its owner. */
  @Override
  public void close() throws IOException {
    if (owned != null) {
      owned.close();
    }
  }

  /**
   * Configuration of a {@link QuiverEmbeddingStore}: where (a {@link #path} or an open {@link #quiver}), which
   * collection, and, to create it, its dimension and metric.
   */
  public static final class Builder {
    private Path path;
    private Quiver quiver;
    private String collectionName = "langchain4j";
    private Integer dimension;
    private Metric metric;
    private String vectorName = "";
    private String textKey = "text_segment";
    private boolean createIfMissing = true;
    private final Map<String, FieldSchema> payloadIndexes = new LinkedHashMap<>();

    private Builder() {}

    /** The database directory; the store opens it (one process at a time) and closes it on {@link #close()}. */
    public Builder path(Path value) {
      path = value;
      return this;
    }

    /** An open database the caller owns and closes. */
    public Builder quiver(Quiver value) {
      quiver = value;
      return this;
    }

    /** Default {@code langchain4j}. */
    public Builder collectionName(String value) {
      collectionName = value;
      return this;
    }

    /** The embeddings' dimension: needed to create the collection, checked against an existing one. */
    public Builder dimension(int value) {
      dimension = value;
      return this;
    }

    /**
     * The metric to create the collection with (default {@link Metric#COSINE}); checked against an existing one.
     * Relevance scores: see {@link Relevance}.
     */
    public Builder metric(Metric value) {
      metric = value;
      return this;
    }

    /** The vector field to use in the collection (default: the unnamed one). */
    public Builder vectorName(String value) {
      vectorName = value;
      return this;
    }

    /** The payload key holding a segment's text (default {@code text_segment}, as LangChain4j's Qdrant store). */
    public Builder textKey(String value) {
      textKey = value;
      return this;
    }

    /** Whether to create a missing collection (default true); false fails on a missing one. */
    public Builder createIfMissing(boolean value) {
      createIfMissing = value;
      return this;
    }

    /** A payload index on a metadata key, created when missing: faster filters on that key. */
    public Builder payloadIndex(String key, FieldSchema schema) {
      payloadIndexes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(schema, "schema"));
      return this;
    }

    /**
     * Opens (or creates) the collection.
     *
     * @throws IllegalArgumentException when the settings contradict each other or the existing collection
     * @throws UncheckedIOException when the database cannot be opened or the collection created
     */
    public QuiverEmbeddingStore build() {
      if ((path == null) == (quiver == null)) {
        throw new IllegalArgumentException("give either path or quiver, not " + (path == null ? "neither" : "both"));
      }
      if (textKey == null || textKey.isBlank()) {
        throw new IllegalArgumentException("textKey must not be blank");
      }
      Quiver db = quiver;
      try {
        if (db == null) {
          db = Quiver.open(path);
        }
        StoreCollection opened = StoreCollection.open(db, collectionName, vectorName, dimension, metric,
            createIfMissing, payloadIndexes, "createIfMissing is off");
        return new QuiverEmbeddingStore(quiver == null ? db : null, opened.collection(), opened.spec(), textKey);
      } catch (IOException e) {
        closeOwned(db);
        throw new UncheckedIOException("cannot open Quiver collection " + collectionName + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        closeOwned(db);
        throw e;
      }
    }

    private void closeOwned(Quiver db) {
      if (quiver == null && db != null) {
        try {
          db.close();
        } catch (IOException suppressed) {
          // the original failure is the one to report
        }
      }
    }
  }
}
