package io.quiver.springai;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.StoreCollection;
import io.quiver.distance.Metric;
import io.quiver.payload.FieldSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.observation.conventions.VectorStoreSimilarityMetric;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/**
 * A Spring AI {@link org.springframework.ai.vectorstore.VectorStore} in an embedded Quiver collection: no server.
 * Documents are embedded with the store's {@link EmbeddingModel} and written as points (the document id, a UUID or
 * an unsigned integer, is the point id) whose payload holds the text and metadata ({@link DocumentPayloads});
 * filter expressions translate exactly ({@link FilterExpressions}). Writes return once the collection's
 * write-ahead log has them on disk (the collection's durability, FSYNC when this store creates it).
 *
 * <p>Scores follow Spring AI's stores: a result's {@link Document#getScore()} is the similarity (the cosine or dot
 * product; {@code 1 / (1 + distance)} for Euclid and Manhattan), results score at least the request's
 * {@code similarityThreshold} (so a negative cosine is left out even at the accept-all threshold 0, as in Spring AI's
 * SimpleVectorStore and Qdrant store), and the metadata gains {@code distance} ({@code 1 - score}, or the distance for
 * Euclid and Manhattan).
 *
 * <p>Built on a path, the store opens the database and {@link #close()} closes it; built on an open {@link Quiver},
 * the caller keeps it and closes it. Thread-safe, as the collection is.
 */
public final class QuiverVectorStore extends AbstractObservationVectorStore implements AutoCloseable {
  private final Quiver owned;
  private final Collection collection;
  private final StoreCollection.Spec spec;
  private final DocumentPayloads payloads;
  private final FilterExpressions filters;

  private QuiverVectorStore(Builder builder, Quiver owned, StoreCollection opened) {
    super(builder);
    this.owned = owned;
    this.collection = opened.collection();
    this.spec = opened.spec();
    this.payloads = new DocumentPayloads(builder.contentKey);
    this.filters = new FilterExpressions(builder.contentKey);
  }

  public static Builder builder(EmbeddingModel embeddingModel) {
    return new Builder(embeddingModel);
  }

  /** The collection the store writes to (for payload indexes, counts, snapshots). */
  public Collection collection() {
    return collection;
  }

  /** Embeds the documents and writes them in one durable upsert: all or none. An id already present is replaced. */
  @Override
  public void doAdd(List<Document> documents) {
    if (documents.isEmpty()) {
      return;
    }
    List<PointId> ids = new ArrayList<>(documents.size());
    for (Document d : documents) {
      ids.add(StoreCollection.pointId(d.getId())); // before embedding: a bad id costs no model call
    }
    List<float[]> vectors = embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
    if (vectors.size() != documents.size()) {
      throw new IllegalStateException("the embedding model returned " + vectors.size() + " vectors for "
          + documents.size() + " documents");
    }
    List<Point> points = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      float[] vector = spec.checkVector(vectors.get(i), "the embedding of document " + d.getId());
      points.add(new Point(ids.get(i), Map.of(spec.vectorName(), vector),
          payloads.toPayload(d.getId(), d.getText(), d.getMetadata())));
    }
    collection.upsert(points);
  }

  @Override
  public void doDelete(List<String> idList) {
    Objects.requireNonNull(idList, "idList");
    List<PointId> ids = new ArrayList<>(idList.size());
    for (String id : idList) {
      ids.add(StoreCollection.pointId(Objects.requireNonNull(id, "id")));
    }
    if (!ids.isEmpty()) {
      collection.delete(ids);
    }
  }

  @Override
  protected void doDelete(Filter.Expression filterExpression) {
    Objects.requireNonNull(filterExpression, "filterExpression");
    collection.delete(filters.toQuiver(filterExpression));
  }

  @Override
  public List<Document> doSimilaritySearch(SearchRequest request) {
    io.quiver.filter.Filter filter = filters.toQuiver(request.getFilterExpression()); // fails before embedding
    float[] query = spec.checkVector(embeddingModel.embed(request.getQuery()), "the query embedding");
    List<ScoredPoint> hits = collection.search(io.quiver.collection.SearchRequest.builder(query)
        .using(spec.vectorName()).limit(request.getTopK()).filter(filter).withPayload(PayloadSelector.ALL).build());
    List<Document> out = new ArrayList<>(hits.size());
    for (ScoredPoint hit : hits) {
      double score = similarity(hit.score());
      if (score < request.getSimilarityThreshold()) {
        break; // hits come best first, so every later one scores lower still
      }
      Map<String, Object> metadata = new LinkedHashMap<>(payloads.metadata(hit.payload()));
      metadata.put(DocumentMetadata.DISTANCE.value(), distance(hit.score()));
      out.add(Document.builder().id(hit.id().toString()).text(payloads.text(hit.payload())).metadata(metadata)
          .score(score).build());
    }
    return out;
  }

  private double similarity(float score) {
    return switch (spec.metric()) {
      case COSINE, DOT -> score;
      case L2, L1 -> 1 / (1 + (double) score);
    };
  }

  private double distance(float score) {
    return switch (spec.metric()) {
      case COSINE, DOT -> 1 - (double) score;
      case L2, L1 -> score;
    };
  }

  @Override
  public VectorStoreObservationContext.Builder createObservationContextBuilder(String operationName) {
    return VectorStoreObservationContext.builder("quiver", operationName).collectionName(collection.name())
        .dimensions(spec.dimension()).similarityMetric(switch (spec.metric()) {
          case COSINE -> VectorStoreSimilarityMetric.COSINE.value();
          case DOT -> VectorStoreSimilarityMetric.DOT.value();
          case L2 -> VectorStoreSimilarityMetric.EUCLIDEAN.value();
          case L1 -> VectorStoreSimilarityMetric.MANHATTAN.value();
        });
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) collection);
  }

  /** Closes the database when the store opened it from a path; otherwise leaves it to its owner. */
  @Override
  public void close() throws IOException {
    if (owned != null) {
      owned.close();
    }
  }

  /**
   * Configuration of a {@link QuiverVectorStore}: where (a {@link #path} or an open {@link #quiver}), which
   * collection, and whether and how to create it.
   */
  public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
    private Path path;
    private Quiver quiver;
    private String collectionName = "spring_ai";
    private Integer dimension;
    private Metric metric;
    private String vectorName = "";
    private String contentKey = "doc_content";
    private boolean initializeSchema;
    private final Map<String, FieldSchema> payloadIndexes = new LinkedHashMap<>();

    private Builder(EmbeddingModel embeddingModel) {
      super(embeddingModel);
    }

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

    /** Default {@code spring_ai}. */
    public Builder collectionName(String value) {
      collectionName = value;
      return this;
    }

    /**
     * The embeddings' dimension, checked against an existing collection; when creating one without it, the
     * embedding model's {@code dimensions()}.
     */
    public Builder dimension(int value) {
      dimension = value;
      return this;
    }

    /** The metric to create the collection with (default {@link Metric#COSINE}); checked against an existing one. */
    public Builder metric(Metric value) {
      metric = value;
      return this;
    }

    /** The vector field to use in the collection (default: the unnamed one). */
    public Builder vectorName(String value) {
      vectorName = value;
      return this;
    }

    /** The payload key holding a document's text (default {@code doc_content}, as Spring AI's Qdrant store). */
    public Builder contentKey(String value) {
      contentKey = value;
      return this;
    }

    /** Whether to create a missing collection (default false, as Spring AI's stores); false fails on a missing one. */
    public Builder initializeSchema(boolean value) {
      initializeSchema = value;
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
    @Override
    public QuiverVectorStore build() {
      if ((path == null) == (quiver == null)) {
        throw new IllegalArgumentException("give either path or quiver, not " + (path == null ? "neither" : "both"));
      }
      if (contentKey == null || contentKey.isBlank()) {
        throw new IllegalArgumentException("contentKey must not be blank");
      }
      Quiver db = quiver;
      try {
        if (db == null) {
          db = Quiver.open(path);
        }
        Integer dim = dimension;
        if (dim == null && initializeSchema && !db.exists(collectionName)) {
          dim = embeddingModel.dimensions();
        }
        StoreCollection opened = StoreCollection.open(db, collectionName, vectorName, dim, metric, initializeSchema,
            payloadIndexes, "set initializeSchema (property quiver.initialize-schema) to true to create it");
        return new QuiverVectorStore(this, quiver == null ? db : null, opened);
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
