package io.quiver.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One condition of a {@link Filter}. Conditions on a payload {@code key} see every value at that path: a dotted key
 * walks objects, {@code name[]} walks into every element of an array, and an array at the end of the path counts as
 * its elements (so {@code match} holds when any element matches, as in Qdrant).
 */
public sealed interface Condition permits Filter, Condition.Match, Condition.MatchAny, Condition.MatchExcept,
    Condition.Range, Condition.DatetimeRange, Condition.ValuesCount, Condition.IsEmpty, Condition.IsNull,
    Condition.HasId, Condition.Nested, Condition.GeoRadius, Condition.GeoBoundingBox, Condition.TextMatch {

  /** Whether the point with {@code id} and {@code payload} (an object, or null) satisfies the condition. */
  boolean test(PointId id, JsonNode payload);

  /**
   * {@link #test(PointId, JsonNode)} where full-text conditions on a key with a text index in {@code text} compare
   * tokens with that index's analysis (the semantics of a segment that has the index).
   */
  default boolean test(PointId id, JsonNode payload, TextFields text) {
    return test(id, payload);
  }

  /**
   * {@code {"match": {"text" | "text_any" | "phrase": "..."}}}: full-text match of the strings at the key. With a
   * text index on the key, tokens are compared ({@link TextMatching#matches}); without one, Qdrant's substring
   * fallback applies ({@link TextMatching#substring}).
   */
  record TextMatch(String key, Kind kind, String text) implements Condition {
    public enum Kind {
      TEXT("text"), TEXT_ANY("text_any"), PHRASE("phrase");

      private final String qdrantName;

      Kind(String qdrantName) {
        this.qdrantName = qdrantName;
      }

      public String qdrantName() {
        return qdrantName;
      }
    }

    @Override
    public boolean test(PointId id, JsonNode payload) {
      return test(id, payload, TextFields.NONE);
    }

    @Override
    public boolean test(PointId id, JsonNode payload, TextFields fields) {
      List<String> strings = new ArrayList<>();
      for (JsonNode v : PayloadPath.values(payload, key)) {
        if (v.isTextual()) {
          strings.add(v.textValue());
        }
      }
      TextAnalysis a = fields.analysis(key);
      return a == null ? TextMatching.substring(kind, text, strings) : TextMatching.matches(a, kind, text, strings);
    }
  }

  /** {@code {"key": k, "match": {"value": v}}}: v is a string, integer or boolean. */
  record Match(String key, JsonNode value) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.anyValue(payload, key, v -> Values.sameScalar(v, value));
    }
  }

  /** {@code {"match": {"any": [..]}}}: some value equals one of {@code values}. */
  record MatchAny(String key, List<JsonNode> values) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.anyValue(payload, key, v -> Values.sameAsAny(v, values));
    }
  }

  /** {@code {"match": {"except": [..]}}}: some value equals none of {@code values} (Qdrant's semantics). */
  record MatchExcept(String key, List<JsonNode> values) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      // nothing stored is nothing excluded
      return PayloadPath.values(payload, key).isEmpty()
          || PayloadPath.anyValue(payload, key, v -> !Values.sameAsAny(v, values));
    }
  }

  /** Numeric range; null bounds are open. Holds when some numeric value lies in the range. */
  record Range(String key, Double gt, Double gte, Double lt, Double lte) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.anyValue(payload, key, v -> v.isNumber() && inRange(v.doubleValue()));
    }

    boolean inRange(double x) {
      return (gt == null || x > gt) && (gte == null || x >= gte) && (lt == null || x < lt) && (lte == null || x <= lte);
    }
  }

  /** RFC 3339 datetime range over string values; null bounds are open. */
  record DatetimeRange(String key, Instant gt, Instant gte, Instant lt, Instant lte) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.anyValue(payload, key, v -> {
        Instant t = v.isTextual() ? Values.parseDatetimeOrNull(v.textValue()) : null;
        return t != null && (gt == null || t.isAfter(gt)) && (gte == null || !t.isBefore(gte))
            && (lt == null || t.isBefore(lt)) && (lte == null || !t.isAfter(lte));
      });
    }
  }

  /** Number of values at the key, compared with the bounds (null = open). */
  record ValuesCount(String key, Integer gt, Integer gte, Integer lt, Integer lte) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      int n = 0;
      for (JsonNode v : PayloadPath.values(payload, key)) {
        if (!v.isNull()) {
          n++;
        }
      }
      return (gt == null || n > gt) && (gte == null || n >= gte) && (lt == null || n < lt) && (lte == null || n <= lte);
    }
  }

  /** The key is missing, null, or an empty array. */
  record IsEmpty(String key) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      for (JsonNode v : PayloadPath.values(payload, key)) {
        if (!v.isNull()) {
          return false;
        }
      }
      return true;
    }
  }

  /** The key is present with the value null. */
  record IsNull(String key) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.hasExplicitNull(payload, key);
    }
  }

  /** The point's id is one of {@code ids}. */
  record HasId(Set<PointId> ids) implements Condition {
    public HasId {
      ids = Set.copyOf(ids);
    }

    @Override
    public boolean test(PointId id, JsonNode payload) {
      return ids.contains(id);
    }
  }

  /** Some element of the object array at {@code key} satisfies {@code filter} on its own. */
  record Nested(String key, Filter filter) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return test(id, payload, TextFields.NONE);
    }

    @Override
    public boolean test(PointId id, JsonNode payload, TextFields text) {
      TextFields inner = text.nested(key);
      return PayloadPath.anyValue(payload, key, element -> element.isObject() && filter.test(id, element, inner));
    }
  }

  /** Some geo point {@code {"lon":..,"lat":..}} at the key lies within {@code radiusMeters} of the centre. */
  record GeoRadius(String key, double lon, double lat, double radiusMeters) implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      return PayloadPath.anyValue(payload, key, v -> {
        double[] p = Values.geoPoint(v);
        return p != null && Values.haversineMeters(lon, lat, p[0], p[1]) <= radiusMeters;
      });
    }
  }

  /** Some geo point at the key lies in the box from top-left to bottom-right (crossing the antimeridian allowed). */
  record GeoBoundingBox(String key, double leftLon, double topLat, double rightLon, double bottomLat)
      implements Condition {
    @Override
    public boolean test(PointId id, JsonNode payload) {
      for (JsonNode v : PayloadPath.values(payload, key)) {
        double[] p = Values.geoPoint(v);
        if (p == null || p[1] > topLat || p[1] < bottomLat) {
          continue;
        }
        boolean lonIn = leftLon <= rightLon ? p[0] >= leftLon && p[0] <= rightLon : p[0] >= leftLon || p[0] <= rightLon;
        if (lonIn) {
          return true;
        }
      }
      return false;
    }
  }
}
