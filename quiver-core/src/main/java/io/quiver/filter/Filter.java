package io.quiver.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import java.util.List;

/**
 * A Qdrant-style filter: a point passes when every {@code must} condition holds, at least one {@code should} holds
 * (if there are any), no {@code must_not} holds, and at least {@code minShould.minCount()} of
 * {@code minShould.conditions()} hold. Build from JSON with {@link FilterParser}, or in code with the records below.
 */
public record Filter(List<Condition> must, List<Condition> should, List<Condition> mustNot, MinShould minShould)
    implements Condition {

  public static final Filter ALL = new Filter(List.of(), List.of(), List.of(), null);

  public Filter {
    must = List.copyOf(must);
    should = List.copyOf(should);
    mustNot = List.copyOf(mustNot);
  }

  public static Filter must(Condition... conditions) {
    return new Filter(List.of(conditions), List.of(), List.of(), null);
  }

  public static Filter should(Condition... conditions) {
    return new Filter(List.of(), List.of(conditions), List.of(), null);
  }

  public static Filter mustNot(Condition... conditions) {
    return new Filter(List.of(), List.of(), List.of(conditions), null);
  }

  /** At least {@code minCount} of {@code conditions} must hold. */
  public record MinShould(List<Condition> conditions, int minCount) {
    public MinShould {
      conditions = List.copyOf(conditions);
      if (minCount < 0) {
        throw new IllegalArgumentException("min_count must be >= 0");
      }
    }
  }

  @Override
  public boolean test(PointId id, JsonNode payload) {
    return test(id, payload, TextFields.NONE);
  }

  @Override
  public boolean test(PointId id, JsonNode payload, TextFields text) {
    for (Condition c : must) {
      if (!c.test(id, payload, text)) {
        return false;
      }
    }
    for (Condition c : mustNot) {
      if (c.test(id, payload, text)) {
        return false;
      }
    }
    if (!should.isEmpty()) {
      boolean any = false;
      for (Condition c : should) {
        if (c.test(id, payload, text)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    if (minShould != null) {
      int hits = 0;
      for (Condition c : minShould.conditions()) {
        if (c.test(id, payload, text) && ++hits >= minShould.minCount()) {
          break;
        }
      }
      return hits >= minShould.minCount();
    }
    return true;
  }
}
