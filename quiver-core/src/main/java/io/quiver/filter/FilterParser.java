package io.quiver.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses Qdrant's filter JSON: {@code must} / {@code should} / {@code must_not} (a condition or a list),
 * {@code min_should: {conditions, min_count}}, field conditions ({@code key} with one of {@code match} (value, any,
 * except, text, text_any, phrase), {@code range} (numbers or RFC 3339 datetimes), {@code values_count},
 * {@code geo_radius}, {@code geo_bounding_box}), {@code is_empty}, {@code is_null}, {@code has_id}, {@code nested} and nested filters.
 * Unknown or ill-typed fields are errors naming their path.
 */
public final class FilterParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FilterParser() {}

  public static Filter parse(String json) {
    try {
      return parse(MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new FilterParseException("filter", "malformed JSON: " + e.getOriginalMessage());
    }
  }

  public static Filter parse(JsonNode node) {
    return filter(node, "filter");
  }

  private static Filter filter(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return Filter.ALL;
    }
    requireObject(node, path);
    List<Condition> must = List.of();
    List<Condition> should = List.of();
    List<Condition> mustNot = List.of();
    Filter.MinShould minShould = null;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      JsonNode v = node.get(f);
      String p = path + "." + f;
      switch (f) {
        case "must" -> must = conditions(v, p);
        case "should" -> should = conditions(v, p);
        case "must_not" -> mustNot = conditions(v, p);
        case "min_should" -> {
          if (v.isNull()) {
            break;
          }
          requireObject(v, p);
          onlyFields(v, p, "conditions", "min_count");
          JsonNode count = v.get("min_count");
          if (count == null || !count.canConvertToInt() || !count.isIntegralNumber() || count.intValue() < 0) {
            throw new FilterParseException(p + ".min_count", "expected a non-negative integer");
          }
          minShould = new Filter.MinShould(conditions(v.get("conditions"), p + ".conditions"), count.intValue());
        }
        default -> throw new FilterParseException(p, "unknown field; expected must, should, must_not or min_should");
      }
    }
    return new Filter(must, should, mustNot, minShould);
  }

  private static List<Condition> conditions(JsonNode v, String path) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    List<Condition> out = new ArrayList<>();
    if (v.isArray()) {
      for (int i = 0; i < v.size(); i++) {
        out.add(condition(v.get(i), path + "[" + i + "]"));
      }
    } else {
      out.add(condition(v, path));
    }
    return out;
  }

  private static Condition condition(JsonNode c, String path) {
    requireObject(c, path);
    if (c.has("key")) {
      return fieldCondition(c, path);
    }
    if (c.has("is_empty")) {
      onlyFields(c, path, "is_empty");
      return new Condition.IsEmpty(keyOf(c.get("is_empty"), path + ".is_empty"));
    }
    if (c.has("is_null")) {
      onlyFields(c, path, "is_null");
      return new Condition.IsNull(keyOf(c.get("is_null"), path + ".is_null"));
    }
    if (c.has("has_id")) {
      onlyFields(c, path, "has_id");
      JsonNode ids = c.get("has_id");
      if (!ids.isArray()) {
        throw new FilterParseException(path + ".has_id", "expected an array of point ids");
      }
      Set<PointId> set = new HashSet<>();
      for (int i = 0; i < ids.size(); i++) {
        set.add(pointId(ids.get(i), path + ".has_id[" + i + "]"));
      }
      return new Condition.HasId(set);
    }
    if (c.has("nested")) {
      onlyFields(c, path, "nested");
      JsonNode n = c.get("nested");
      String p = path + ".nested";
      requireObject(n, p);
      onlyFields(n, p, "key", "filter");
      if (!n.has("filter")) {
        throw new FilterParseException(p, "missing field 'filter'");
      }
      return new Condition.Nested(key(n, p), filter(n.get("filter"), p + ".filter"));
    }
    if (c.has("must") || c.has("should") || c.has("must_not") || c.has("min_should")) {
      return filter(c, path);
    }
    throw new FilterParseException(path, "not a condition: expected key, is_empty, is_null, has_id, nested, "
        + "or a nested filter with must/should/must_not");
  }

  private static Condition fieldCondition(JsonNode c, String path) {
    String key = key(c, path);
    List<String> kinds = new ArrayList<>();
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("key")) {
        kinds.add(f);
      }
    }
    if (kinds.size() != 1) {
      throw new FilterParseException(path, kinds.isEmpty()
          ? "field condition on '" + key + "' needs one of match, range, values_count, geo_radius, geo_bounding_box"
          : "field condition has several kinds " + kinds + "; use one per condition");
    }
    String kind = kinds.get(0);
    JsonNode v = c.get(kind);
    String p = path + "." + kind;
    return switch (kind) {
      case "match" -> match(key, v, p);
      case "range" -> range(key, v, p);
      case "values_count" -> {
        requireObject(v, p);
        onlyFields(v, p, "gt", "gte", "lt", "lte");
        yield new Condition.ValuesCount(key, intOrNull(v, "gt", p), intOrNull(v, "gte", p), intOrNull(v, "lt", p),
            intOrNull(v, "lte", p));
      }
      case "geo_radius" -> {
        requireObject(v, p);
        onlyFields(v, p, "center", "radius");
        double[] centre = geo(v.get("center"), p + ".center");
        double radius = number(v.get("radius"), p + ".radius");
        if (radius < 0) {
          throw new FilterParseException(p + ".radius", "must be >= 0");
        }
        yield new Condition.GeoRadius(key, centre[0], centre[1], radius);
      }
      case "geo_bounding_box" -> {
        requireObject(v, p);
        onlyFields(v, p, "top_left", "bottom_right");
        double[] tl = geo(v.get("top_left"), p + ".top_left");
        double[] br = geo(v.get("bottom_right"), p + ".bottom_right");
        if (tl[1] < br[1]) {
          throw new FilterParseException(p, "top_left.lat must be >= bottom_right.lat");
        }
        yield new Condition.GeoBoundingBox(key, tl[0], tl[1], br[0], br[1]);
      }
      default -> throw new FilterParseException(p, "unknown condition kind; expected match, range, values_count, "
          + "geo_radius or geo_bounding_box");
    };
  }

  private static Condition match(String key, JsonNode m, String path) {
    requireObject(m, path);
    if (m.size() != 1) {
      throw new FilterParseException(path, "expected exactly one of value, any, except, text, text_any, phrase");
    }
    String f = m.fieldNames().next();
    JsonNode v = m.get(f);
    String p = path + "." + f;
    return switch (f) {
      case "value" -> new Condition.Match(key, scalar(v, p));
      case "any" -> new Condition.MatchAny(key, scalars(v, p));
      case "except" -> new Condition.MatchExcept(key, scalars(v, p));
      case "text" -> new Condition.TextMatch(key, Condition.TextMatch.Kind.TEXT, text(v, p));
      case "text_any" -> new Condition.TextMatch(key, Condition.TextMatch.Kind.TEXT_ANY, text(v, p));
      case "phrase" -> new Condition.TextMatch(key, Condition.TextMatch.Kind.PHRASE, text(v, p));
      default -> throw new FilterParseException(p, "unknown match kind; expected value, any, except, text, text_any "
          + "or phrase");
    };
  }

  private static String text(JsonNode v, String path) {
    if (v == null || !v.isTextual()) {
      throw new FilterParseException(path, "expected a string, got " + describe(v));
    }
    return v.textValue();
  }

  private static Condition range(String key, JsonNode r, String path) {
    requireObject(r, path);
    onlyFields(r, path, "gt", "gte", "lt", "lte");
    boolean anyText = false;
    boolean anyNumber = false;
    for (JsonNode b : r) {
      anyText |= b.isTextual();
      anyNumber |= b.isNumber();
      if (!b.isTextual() && !b.isNumber() && !b.isNull()) {
        throw new FilterParseException(path, "range bounds must be numbers or RFC 3339 datetimes");
      }
    }
    if (anyText && anyNumber) {
      throw new FilterParseException(path, "range mixes numbers and datetimes");
    }
    if (anyText) {
      return new Condition.DatetimeRange(key, instant(r, "gt", path), instant(r, "gte", path),
          instant(r, "lt", path), instant(r, "lte", path));
    }
    return new Condition.Range(key, doubleOrNull(r, "gt", path), doubleOrNull(r, "gte", path),
        doubleOrNull(r, "lt", path), doubleOrNull(r, "lte", path));
  }

  // ------------------------------------------------------------------ small typed readers

  private static void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw new FilterParseException(path, "expected an object, got " + describe(n));
    }
  }

  private static void onlyFields(JsonNode n, String path, String... allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      boolean ok = false;
      for (String a : allowed) {
        ok |= a.equals(f);
      }
      if (!ok) {
        throw new FilterParseException(path + "." + f, "unknown field; expected one of " + String.join(", ", allowed));
      }
    }
  }

  private static String key(JsonNode c, String path) {
    return keyOf(c.get("key"), path + ".key");
  }

  private static String keyOf(JsonNode k, String path) {
    if (k != null && k.isObject() && k.has("key")) {
      k = k.get("key"); // is_empty / is_null take {"key": ...}
    }
    if (k == null || !k.isTextual() || k.textValue().isBlank()) {
      throw new FilterParseException(path, "expected a non-empty key string, got " + describe(k));
    }
    String key = k.textValue();
    if (!PayloadPath.isValidKey(key)) {
      throw new FilterParseException(path, "invalid key '" + key + "': segments are names, optionally with []");
    }
    return key;
  }

  private static JsonNode scalar(JsonNode v, String path) {
    if (v == null || !(v.isTextual() || v.isIntegralNumber() || v.isBoolean())) {
      throw new FilterParseException(path, "expected a string, integer or boolean, got " + describe(v));
    }
    return v;
  }

  private static List<JsonNode> scalars(JsonNode v, String path) {
    if (v == null || !v.isArray()) {
      throw new FilterParseException(path, "expected an array, got " + describe(v));
    }
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(scalar(v.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  private static double number(JsonNode v, String path) {
    if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw new FilterParseException(path, "expected a finite number, got " + describe(v));
    }
    return v.doubleValue();
  }

  private static Double doubleOrNull(JsonNode r, String f, String path) {
    JsonNode v = r.get(f);
    return v == null || v.isNull() ? null : number(v, path + "." + f);
  }

  private static Integer intOrNull(JsonNode r, String f, String path) {
    JsonNode v = r.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new FilterParseException(path + "." + f, "expected an integer, got " + describe(v));
    }
    return v.intValue();
  }

  private static Instant instant(JsonNode r, String f, String path) {
    JsonNode v = r.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    Instant t = Values.parseDatetimeOrNull(v.textValue());
    if (t == null) {
      throw new FilterParseException(path + "." + f, "'" + v.textValue() + "' is not an RFC 3339 datetime");
    }
    return t;
  }

  private static double[] geo(JsonNode g, String path) {
    requireObject(g, path);
    onlyFields(g, path, "lon", "lat");
    double lon = number(g.get("lon"), path + ".lon");
    double lat = number(g.get("lat"), path + ".lat");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw new FilterParseException(path, "lon must be in [-180, 180] and lat in [-90, 90]");
    }
    return new double[] {lon, lat};
  }

  private static PointId pointId(JsonNode v, String path) {
    try {
      if (v.isIntegralNumber()) {
        if (v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 64) {
          throw new IllegalArgumentException("point id " + v + " is out of the unsigned 64-bit range");
        }
        return PointId.of(v.bigIntegerValue().longValue());
      }
      if (v.isTextual()) {
        return PointId.parse(v.textValue());
      }
    } catch (IllegalArgumentException e) {
      throw new FilterParseException(path, e.getMessage());
    }
    throw new FilterParseException(path, "expected an unsigned integer or a UUID string, got " + describe(v));
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT) + " " + n;
  }
}
