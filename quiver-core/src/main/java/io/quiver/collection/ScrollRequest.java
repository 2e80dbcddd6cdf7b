package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.filter.Filter;
import java.util.Set;

/**
 * A page of points in id order (from {@code offset}, inclusive), or ordered by a payload field when {@code orderBy}
 * is set (then {@code offset} must be null and paging continues with {@link OrderBy#startFrom}).
 */
public record ScrollRequest(Filter filter, PointId offset, int limit, PayloadSelector payload,
    Set<String> withVectors, OrderBy orderBy) {
  public ScrollRequest {
    if (limit < 1) {
      throw new QuiverException.InvalidInput("limit must be >= 1, got " + limit);
    }
    payload = payload == null ? PayloadSelector.ALL : payload;
    withVectors = withVectors == null ? null : Set.copyOf(withVectors);
    if (orderBy != null && offset != null) {
      throw new QuiverException.InvalidInput("offset cannot be combined with order_by; use order_by.start_from");
    }
  }

  public static ScrollRequest first(int limit) {
    return new ScrollRequest(null, null, limit, PayloadSelector.ALL, null, null);
  }

  public ScrollRequest from(PointId next) {
    return new ScrollRequest(filter, next, limit, payload, withVectors, null);
  }

  public ScrollRequest withFilter(Filter f) {
    return new ScrollRequest(f, offset, limit, payload, withVectors, orderBy);
  }

  /**
   * Order by the numeric values at {@code key} (points without one are skipped), as Qdrant's order_by; with
   * {@code datetime}, by the datetime strings there instead, as epoch microseconds (then {@code startFrom} and the
   * order values are epoch microseconds too).
   */
  public record OrderBy(String key, boolean descending, Double startFrom, boolean datetime) {
    public OrderBy(String key, boolean descending, Double startFrom) {
      this(key, descending, startFrom, false);
    }
  }
}
