package io.quiver.collection;

import io.quiver.QuiverException;
import io.quiver.filter.Filter;
import java.util.Objects;
import java.util.Set;

/**
 * A query by multi-vector: the points of multi-vector field {@code using} with the largest MaxSim against
 * {@code vector} (the query's vectors back to back, see {@link MultiVectors}). Build with
 * {@link #builder(float[], String)}.
 *
 * @param candidates the FDE graph's candidate pool per sealed segment, reranked by exact MaxSim (null:
 *     {@link MultiVectorSearcher#DEFAULT_CANDIDATES}; at least the limit plus offset)
 * @param exact score every point by MaxSim instead of drawing candidates from the FDE graph
 * @param scoreThreshold drop hits scoring below this, or null
 * @param withVectors vector fields to return, dense or sparse ({@code null}: none; empty set: all)
 */
public record MultiVectorSearchRequest(float[] vector, String using, int limit, int offset, Filter filter,
    Float scoreThreshold, PayloadSelector payload, Set<String> withVectors, Integer candidates, boolean exact) {
  public MultiVectorSearchRequest {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(using, "using");
    if (limit < 1) {
      throw new QuiverException.InvalidInput("limit must be >= 1, got " + limit);
    }
    if (offset < 0) {
      throw new QuiverException.InvalidInput("offset must be >= 0, got " + offset);
    }
    if (candidates != null && candidates < 1) {
      throw new QuiverException.InvalidInput("candidates must be >= 1, got " + candidates);
    }
    payload = payload == null ? PayloadSelector.NONE : payload;
    withVectors = withVectors == null ? null : Set.copyOf(withVectors);
  }

  public static Builder builder(float[] vector, String using) {
    return new Builder(vector, using);
  }

  public static final class Builder {
    private final float[] vector;
    private final String using;
    private int limit = 10;
    private int offset;
    private Filter filter;
    private Float scoreThreshold;
    private PayloadSelector payload = PayloadSelector.NONE;
    private Set<String> withVectors;
    private Integer candidates;
    private boolean exact;

    private Builder(float[] vector, String using) {
      this.vector = vector;
      this.using = using;
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

    /** Return the named vector fields (none named: all of them); null returns none. */
    public Builder withVectors(Set<String> names) {
      withVectors = names;
      return this;
    }

    /** Candidates per sealed segment drawn from the FDE graph (Qdrant's {@code hnsw_ef} maps here). */
    public Builder candidates(Integer value) {
      candidates = value;
      return this;
    }

    /** Exact MaxSim over every point (Qdrant's {@code exact}). */
    public Builder exact(boolean value) {
      exact = value;
      return this;
    }

    public MultiVectorSearchRequest build() {
      return new MultiVectorSearchRequest(vector, using, limit, offset, filter, scoreThreshold, payload, withVectors,
          candidates, exact);
    }
  }
}
