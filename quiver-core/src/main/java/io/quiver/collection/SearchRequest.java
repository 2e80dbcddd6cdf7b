package io.quiver.collection;

import io.quiver.filter.Filter;
import java.util.Objects;
import java.util.Set;

/**
 * A nearest-neighbour query. Build with {@link #builder(float[])}.
 *
 * @param vector the query vector
 * @param using the vector field to search ({@link CollectionConfig#DEFAULT_VECTOR} for the unnamed one)
 * @param limit how many hits to return
 * @param offset how many of the best hits to skip first (paging)
 * @param filter only points matching it, or null
 * @param scoreThreshold drop hits scoring worse than this (in the metric's score direction), or null
 * @param payload which payload to return
 * @param withVectors vector fields to return ({@code null}: none; empty set: all)
 * @param exact scan every point instead of searching the graph
 * @param ef graph search breadth (0: the field's default)
 * @param quantization per-query use of quantized codes (null: the collection's settings)
 * @param strategy how filtered segments are searched ({@link SearchStrategy#AUTO}: the planner decides; {@code
 *     exact} overrides it)
 */
public record SearchRequest(float[] vector, String using, int limit, int offset, Filter filter, Float scoreThreshold,
    PayloadSelector payload, Set<String> withVectors, boolean exact, int ef, SearchStrategy strategy,
    QuantizationParams quantization) {
  /**
   * Qdrant's {@code params.quantization}: {@code ignore} searches full vectors only; {@code rescore} and
   * {@code oversampling} (null: the collection's) override the collection's settings.
   */
  public record QuantizationParams(boolean ignore, Boolean rescore, Double oversampling) {
    public QuantizationParams {
      if (oversampling != null && !(oversampling >= 1 && oversampling <= 100)) {
        throw new io.quiver.QuiverException.InvalidInput("oversampling must be in [1, 100], got " + oversampling);
      }
    }
  }

  public SearchRequest {
    Objects.requireNonNull(vector, "vector");
    using = using == null ? CollectionConfig.DEFAULT_VECTOR : using;
    if (limit < 1) {
      throw new io.quiver.QuiverException.InvalidInput("limit must be >= 1, got " + limit);
    }
    if (offset < 0) {
      throw new io.quiver.QuiverException.InvalidInput("offset must be >= 0, got " + offset);
    }
    if (ef < 0) {
      throw new io.quiver.QuiverException.InvalidInput("ef must be >= 0, got " + ef);
    }
    payload = payload == null ? PayloadSelector.NONE : payload;
    strategy = strategy == null ? SearchStrategy.AUTO : strategy;
    withVectors = withVectors == null ? null : Set.copyOf(withVectors);
  }

  public SearchRequest(float[] vector, String using, int limit, int offset, Filter filter, Float scoreThreshold,
      PayloadSelector payload, Set<String> withVectors, boolean exact, int ef) {
    this(vector, using, limit, offset, filter, scoreThreshold, payload, withVectors, exact, ef, SearchStrategy.AUTO,
        null);
  }

  public static Builder builder(float[] vector) {
    return new Builder(vector);
  }

  /** A builder holding every field of this request, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(vector).using(using).limit(limit).offset(offset).filter(filter)
        .scoreThreshold(scoreThreshold).withPayload(payload).exact(exact).ef(ef).strategy(strategy)
        .quantization(quantization);
    b.withVectors = withVectors;
    return b;
  }

  public static final class Builder {
    private float[] vector;
    private String using = CollectionConfig.DEFAULT_VECTOR;
    private int limit = 10;
    private int offset;
    private Filter filter;
    private Float scoreThreshold;
    private PayloadSelector payload = PayloadSelector.NONE;
    private Set<String> withVectors;
    private boolean exact;
    private int ef;
    private SearchStrategy strategy = SearchStrategy.AUTO;
    private QuantizationParams quantization;

    private Builder(float[] vector) {
      this.vector = vector;
    }

    /** Replaces the query vector. */
    public Builder vector(float[] value) {
      vector = value;
      return this;
    }

    public Builder using(String name) {
      using = name;
      return this;
    }

    public Builder limit(int value) {
      limit = value;
      return this;
    }

    public Builder offset(int value) {
      offset = value;
      return this;
    }

    public Builder filter(Filter value) {
      filter = value;
      return this;
    }

    public Builder scoreThreshold(Float value) {
      scoreThreshold = value;
      return this;
    }

    public Builder withPayload(PayloadSelector value) {
      payload = value;
      return this;
    }

    public Builder withPayload(boolean value) {
      payload = value ? PayloadSelector.ALL : PayloadSelector.NONE;
      return this;
    }

    /** Return the named vector fields (none named: all of them). */
    public Builder withVectors(String... names) {
      withVectors = Set.of(names);
      return this;
    }

    public Builder exact(boolean value) {
      exact = value;
      return this;
    }

    public Builder ef(int value) {
      ef = value;
      return this;
    }

    /** Forces how filtered segments are searched (default {@link SearchStrategy#AUTO}, the planner's choice). */
    public Builder strategy(SearchStrategy value) {
      strategy = value;
      return this;
    }

    public Builder quantization(QuantizationParams value) {
      quantization = value;
      return this;
    }

    public SearchRequest build() {
      return new SearchRequest(vector, using, limit, offset, filter, scoreThreshold, payload, withVectors, exact, ef,
          strategy, quantization);
    }
  }
}
