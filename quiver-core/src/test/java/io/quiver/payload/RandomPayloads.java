package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Random payloads and filters for the payload index tests: small value pools so conditions hit, and every awkward
 * case the conditions distinguish (arrays, duplicates, nulls, missing keys, wrong types, 3.0 against 3, 2^53,
 * -0.0, NaN, sub-microsecond datetimes, upper-case UUIDs, nested objects and arrays).
 */
final class RandomPayloads {
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** The keys payloads use, with the schema each is "meant" for. */
  static final List<String> KEYS = List.of("city", "n", "price", "ok", "at", "uid", "tags", "obj.a", "items[].k");
  static final List<FieldSchema> MEANT = List.of(FieldSchema.KEYWORD, FieldSchema.INTEGER, FieldSchema.FLOAT,
      FieldSchema.BOOL, FieldSchema.DATETIME, FieldSchema.UUID, FieldSchema.KEYWORD, FieldSchema.INTEGER,
      FieldSchema.KEYWORD);
  static final List<String> WORDS = List.of("a", "b", "c", "London", "d");
  static final UUID[] UUIDS = {UUID.fromString("550e8400-e29b-41d4-a716-446655440000"),
      UUID.fromString("00000000-0000-0000-0000-000000000001"), UUID.fromString("ffffffff-ffff-ffff-ffff-fffffffffffe")};
  static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  private final Random rnd;

  RandomPayloads(Random rnd) {
    this.rnd = rnd;
  }

  // ------------------------------------------------------------------ values

  JsonNode word() {
    return F.textNode(WORDS.get(rnd.nextInt(WORDS.size())));
  }

  JsonNode integer() {
    return switch (rnd.nextInt(14)) {
      case 0 -> F.numberNode(3.0);
      case 1 -> F.numberNode(2.5);
      case 2 -> F.numberNode(1L << 53);
      case 3 -> F.numberNode((1L << 53) + 1);
      case 4 -> F.numberNode((double) (1L << 53));
      case 5 -> F.numberNode(BigInteger.ONE.shiftLeft(70));
      case 6 -> F.numberNode(-0.0);
      case 7 -> F.numberNode(Long.MIN_VALUE);
      default -> F.numberNode(rnd.nextInt(11) - 5);
    };
  }

  JsonNode floating() {
    return switch (rnd.nextInt(12)) {
      case 0 -> F.numberNode(-0.0);
      case 1 -> F.numberNode(Double.NaN);
      case 2 -> F.numberNode(1e300);
      case 3 -> F.numberNode(Double.NEGATIVE_INFINITY);
      case 4 -> F.numberNode(rnd.nextInt(7) - 3);
      default -> F.numberNode((rnd.nextInt(13) - 6) * 0.5);
    };
  }

  Instant instant() {
    Instant t = T0.plusSeconds(rnd.nextInt(5) * 3600L);
    return switch (rnd.nextInt(5)) {
      case 0 -> t.plusNanos(rnd.nextInt(3) * 500); // sub-microsecond digits
      case 1 -> t.plusNanos(rnd.nextInt(3) * 1000L);
      default -> t;
    };
  }

  JsonNode datetime() {
    Instant t = instant();
    return switch (rnd.nextInt(8)) {
      case 0 -> F.textNode(t.atOffset(java.time.ZoneOffset.ofHours(1)).toString());
      case 1 -> F.textNode("2024-03-01");
      case 2 -> F.textNode("2024-03-01 02:00:00");
      case 3 -> F.textNode("not a date");
      case 4 -> F.textNode("+200000-01-01T00:00:00Z"); // parses, but beyond the microsecond key range
      default -> F.textNode(t.toString());
    };
  }

  JsonNode uuid() {
    UUID u = UUIDS[rnd.nextInt(UUIDS.length)];
    return switch (rnd.nextInt(6)) {
      case 0 -> F.textNode(u.toString().toUpperCase(java.util.Locale.ROOT));
      case 1 -> F.textNode("x");
      default -> F.textNode(u.toString());
    };
  }

  JsonNode bool() {
    return F.booleanNode(rnd.nextBoolean());
  }

  /** A value of the key's usual kind, or now and then of another kind. */
  JsonNode valueFor(String key) {
    int r = rnd.nextInt(20);
    if (r == 0) {
      return F.nullNode();
    }
    if (r == 1) {
      return anyScalar();
    }
    if (r == 2) {
      return F.arrayNode().add(word()); // a nested array: one value that is an array
    }
    if (r == 3) {
      return F.objectNode().put("x", 1);
    }
    return switch (key) {
      case "city", "tags", "items[].k" -> rnd.nextInt(4) == 0 ? integer() : word();
      case "n", "obj.a" -> integer();
      case "price" -> floating();
      case "ok" -> bool();
      case "at" -> datetime();
      case "uid" -> uuid();
      default -> throw new IllegalArgumentException(key);
    };
  }

  JsonNode anyScalar() {
    return switch (rnd.nextInt(6)) {
      case 0 -> word();
      case 1 -> integer();
      case 2 -> floating();
      case 3 -> bool();
      case 4 -> datetime();
      default -> uuid();
    };
  }

  /** One value or an array of 0..3 values (with duplicates and nulls now and then). */
  JsonNode slot(String key) {
    if (rnd.nextInt(3) > 0) {
      return valueFor(key);
    }
    ArrayNode a = F.arrayNode();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      a.add(rnd.nextInt(8) == 0 ? F.nullNode() : valueFor(key));
    }
    if (n > 0 && rnd.nextInt(4) == 0) {
      a.add(a.get(0)); // duplicate
    }
    return a;
  }

  ObjectNode payload() {
    ObjectNode p = F.objectNode();
    for (String key : List.of("city", "n", "price", "ok", "at", "uid", "tags")) {
      if (rnd.nextInt(5) > 0) {
        p.set(key, slot(key));
      }
    }
    if (rnd.nextInt(4) > 0) {
      ObjectNode obj = p.putObject("obj");
      if (rnd.nextInt(4) > 0) {
        obj.set("a", slot("obj.a"));
      }
    } else if (rnd.nextInt(3) == 0) {
      p.set("obj", rnd.nextBoolean() ? F.nullNode() : F.arrayNode().add(F.objectNode().set("a", integer())));
    }
    if (rnd.nextInt(3) > 0) {
      ArrayNode items = p.putArray("items");
      int n = rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        ObjectNode item = items.addObject();
        if (rnd.nextInt(5) > 0) {
          item.set("k", valueFor("items[].k"));
        }
        if (rnd.nextBoolean()) {
          item.put("w", rnd.nextInt(3));
        }
      }
    }
    if (rnd.nextInt(3) == 0) {
      p.putObject("loc").put("lon", rnd.nextDouble() * 2).put("lat", rnd.nextDouble() * 2);
    }
    return p;
  }

  // ------------------------------------------------------------------ filters

  private static final List<String> CONDITION_KEYS = List.of("city", "n", "price", "ok", "at", "uid", "tags",
      "obj.a", "items[].k", "missing");

  String conditionKey() {
    return CONDITION_KEYS.get(rnd.nextInt(CONDITION_KEYS.size()));
  }

  /** A match value the parser would accept (string, integer, boolean), usually of the kind {@code key} holds. */
  JsonNode matchValue(String key) {
    if (rnd.nextInt(4) > 0) {
      switch (key) {
        case "city", "tags", "items[].k":
          return word();
        case "n", "obj.a":
          return rnd.nextInt(5) == 0 ? F.numberNode((1L << 53) + rnd.nextInt(2)) : F.numberNode(rnd.nextInt(11) - 5);
        case "ok":
          return bool();
        case "uid":
          return uuid();
        default:
          break;
      }
    }
    return switch (rnd.nextInt(8)) {
      case 0 -> bool();
      case 1 -> F.numberNode(BigInteger.ONE.shiftLeft(70));
      case 2 -> F.numberNode((1L << 53) + rnd.nextInt(2));
      case 3 -> uuid();
      case 4, 5 -> F.numberNode(rnd.nextInt(11) - 5);
      default -> word();
    };
  }

  List<JsonNode> matchValues(String key) {
    List<JsonNode> out = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(matchValue(key));
    }
    return out;
  }

  Double bound() {
    return rnd.nextInt(3) == 0 ? null : switch (rnd.nextInt(8)) {
      case 0 -> -0.0;
      case 1 -> (double) (1L << 53);
      default -> (rnd.nextInt(13) - 6) * 0.5;
    };
  }

  Instant instantBound() {
    return rnd.nextInt(3) == 0 ? null : instant();
  }

  Integer countBound() {
    return rnd.nextInt(3) == 0 ? null : rnd.nextInt(4);
  }

  Condition condition(int depth, Set<PointId> idPool) {
    int kinds = depth > 0 ? 14 : 13;
    return switch (rnd.nextInt(kinds)) {
      case 0, 1 -> {
        String key = conditionKey();
        yield new Condition.Match(key, matchValue(key));
      }
      case 2 -> {
        String key = conditionKey();
        yield new Condition.MatchAny(key, matchValues(key));
      }
      case 3 -> {
        String key = conditionKey();
        yield new Condition.MatchExcept(key, matchValues(key));
      }
      case 4 -> new Condition.Range(conditionKey(), bound(), bound(), bound(), bound());
      case 5 -> new Condition.DatetimeRange(conditionKey(), instantBound(), instantBound(), instantBound(),
          instantBound());
      case 6 -> new Condition.ValuesCount(conditionKey(), countBound(), countBound(), countBound(), countBound());
      case 7 -> new Condition.IsEmpty(conditionKey());
      case 8 -> new Condition.IsNull(conditionKey());
      case 9 -> {
        Set<PointId> ids = new HashSet<>();
        List<PointId> pool = new ArrayList<>(idPool);
        for (int i = rnd.nextInt(6); i > 0 && !pool.isEmpty(); i--) {
          ids.add(pool.get(rnd.nextInt(pool.size())));
        }
        ids.add(PointId.of(999_999_999));
        yield new Condition.HasId(ids);
      }
      case 10 -> new Condition.Nested("items", Filter.must(new Condition.Match("k", matchValue("items[].k"))));
      case 11 -> new Condition.GeoRadius(rnd.nextBoolean() ? "loc" : "city", 1, 1, 80_000);
      case 12 -> new Condition.GeoBoundingBox("loc", 0, 1.5, 1.5, 0);
      default -> filter(depth - 1, idPool);
    };
  }

  Filter filter(int depth, Set<PointId> idPool) {
    List<Condition> must = conditions(rnd.nextInt(3), depth, idPool);
    List<Condition> should = conditions(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(3), depth, idPool);
    List<Condition> mustNot = conditions(rnd.nextInt(3), depth, idPool);
    Filter.MinShould minShould = null;
    if (rnd.nextInt(4) == 0) {
      List<Condition> cs = conditions(1 + rnd.nextInt(3), depth, idPool);
      minShould = new Filter.MinShould(cs, rnd.nextInt(cs.size() + 2));
    }
    return new Filter(must, should, mustNot, minShould);
  }

  private List<Condition> conditions(int n, int depth, Set<PointId> idPool) {
    List<Condition> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(condition(depth, idPool));
    }
    return out;
  }
}
