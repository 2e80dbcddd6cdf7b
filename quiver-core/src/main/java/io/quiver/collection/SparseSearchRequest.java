package io.quiver.collection;

import io.quiver.QuiverException;
import io.quiver.filter.Filter;
import java.util.Objects;
import java.util.Set;

/**
 * A query by sparse vector: the points of field {@code using} with the largest dot product with {@code vector}
 * (with the field's IDF modifier applied to the query weights). Only points sharing at least one index with the
 * query are found. Build with {@link #builder(SparseVector, String)}.
 *
 * @param scoreThreshold drop hits scoring below this, or null
 * @param withVectors vector fields to return, dense or sparse ({@code null}: none; empty set: all)
 */
public record SparseSearchRequest(SparseVector vector, String using, int limit, int offset, Filter filter,
    Float scoreThreshold, PayloadSelector payload, Set<String> withVectors) {
  public SparseSearchRequest {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(using, "using");
    if (limit < 1) {
      throw new QuiverException.InvalidInput("limit must be >= 1, got " + limit);
    }
    if (offset < 0) {
      throw new QuiverException.InvalidInput("offset must be >= 0, got " + offset);
    }
    payload = payload == null ? PayloadSelector.NONE : payload;
    withVectors = withVectors == null ? null : Set.copyOf(withVectors);
  }

  public static Builder builder(SparseVector vector, String using) {
    return new Builder(vector, using);
  }

  public static final class Builder {
    private final SparseVector vector;
    private final String using;
    private int limit = 10;
    private int offset;
    private Filter filter;
    private Float scoreThreshold;
    private PayloadSelector payload = PayloadSelector.NONE;
    private Set<String> withVectors;

    private Builder(SparseVector vector, String using) {
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

    public SparseSearchRequest build() {
      return new SparseSearchRequest(vector, using, limit, offset, filter, scoreThreshold, payload, withVectors);
    }
  }
}
