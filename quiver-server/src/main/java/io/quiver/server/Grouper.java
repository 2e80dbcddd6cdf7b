package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.collection.ScoredPoint;
import io.quiver.filter.PayloadPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups a ranking by the values of a payload key, as Qdrant's {@code group_by}: a point belongs to the group of each
 * string or integer value at the key (arrays: every element); points with none are skipped. Groups come in the order
 * of their best hit; each holds its best {@code groupSize} hits in rank order.
 *
 * <p>The ranking is read as a prefix of growing length: the first {@code limit} groups of a prefix are the first
 * {@code limit} groups of the whole ranking, and a group's hits in a prefix are its best ones. Phase one widens the
 * prefix (restricted to points having the key) by {@value #GROWTH}x until it holds {@code limit} groups; phase two
 * widens a prefix restricted to the not yet full groups until they are full. Each phase stops when the ranking is
 * exhausted (fewer hits than asked) or the prefix reaches {@code cap}; past the cap, groups may have fewer hits or be
 * missing.
 */
final class Grouper {
  static final int GROWTH = 4;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The ranking: the first {@code n} hits restricted by {@code filter} (Qdrant filter JSON), each with payload. */
  @FunctionalInterface
  interface Ranker {
    List<ScoredPoint> rank(JsonNode filter, int n);
  }

  /** A group: its id (the payload value, a string or an integer) and its hits. */
  record Group(JsonNode id, List<ScoredPoint> hits) {}

  private Grouper() {}

  static List<Group> group(Ranker ranker, String key, int limit, int groupSize, int cap) {
    JsonNode hasKey = NODES.objectNode().set("must_not", NODES.arrayNode()
        .add(NODES.objectNode().set("is_empty", NODES.objectNode().put("key", key))));
    int n = (int) Math.min(cap, 2L * limit * groupSize);
    Map<String, Group> groups;
    while (true) {
      List<ScoredPoint> hits = ranker.rank(hasKey, n);
      groups = assign(hits, key, limit, groupSize);
      if (hits.size() < n) {
        return List.copyOf(groups.values()); // the whole ranking was seen
      }
      if (groups.size() == limit || n >= cap) {
        break;
      }
      n = (int) Math.min(cap, (long) n * GROWTH);
    }
    List<Group> unfilled = groups.values().stream().filter(g -> g.hits().size() < groupSize).toList();
    if (!unfilled.isEmpty()) {
      fill(ranker, key, unfilled, groupSize, cap);
    }
    return List.copyOf(groups.values());
  }

  /** Phase two: fills {@code unfilled} (in place) from a ranking restricted to their ids. */
  private static void fill(Ranker ranker, String key, List<Group> unfilled, int groupSize, int cap) {
    JsonNode only = inGroups(key, unfilled);
    int n = (int) Math.min(cap, 2L * unfilled.size() * groupSize);
    while (true) {
      List<ScoredPoint> hits = ranker.rank(only, n);
      boolean allFull = true;
      for (Group g : unfilled) {
        String gk = keyOf(g.id());
        g.hits().clear();
        for (ScoredPoint p : hits) {
          if (g.hits().size() == groupSize) {
            break;
          }
          if (values(p, key).containsKey(gk)) {
            g.hits().add(p);
          }
        }
        allFull &= g.hits().size() == groupSize;
      }
      if (allFull || hits.size() < n || n >= cap) {
        return;
      }
      n = (int) Math.min(cap, (long) n * GROWTH);
    }
  }

  /** The first {@code limit} groups of {@code hits}, each with up to {@code groupSize} hits. */
  static Map<String, Group> assign(List<ScoredPoint> hits, String key, int limit, int groupSize) {
    Map<String, Group> groups = new LinkedHashMap<>();
    for (ScoredPoint p : hits) {
      for (Map.Entry<String, JsonNode> v : values(p, key).entrySet()) {
        Group g = groups.get(v.getKey());
        if (g == null && groups.size() < limit) {
          g = new Group(v.getValue(), new ArrayList<>(groupSize));
          groups.put(v.getKey(), g);
        }
        if (g != null && g.hits().size() < groupSize) {
          g.hits().add(p);
        }
      }
    }
    return groups;
  }

  /** The distinct group ids of a point, keyed by {@link #keyOf}. */
  static Map<String, JsonNode> values(ScoredPoint p, String key) {
    Map<String, JsonNode> out = new LinkedHashMap<>(2);
    for (JsonNode v : PayloadPath.values(p.payload(), key)) {
      String k = keyOf(v);
      if (k != null) {
        out.putIfAbsent(k, v.isTextual() ? v : NODES.numberNode(v.bigIntegerValue()));
      }
    }
    return out;
  }

  /** A group id's identity: strings and integers are distinct ids even when they print alike; null for others. */
  static String keyOf(JsonNode v) {
    if (v.isTextual()) {
      return "s" + v.textValue();
    }
    return v.isIntegralNumber() ? "i" + v.bigIntegerValue() : null;
  }

  /** A filter matching points in any of {@code groups}: one {@code match.any} per id type. */
  private static JsonNode inGroups(String key, List<Group> groups) {
    Set<JsonNode> strings = new LinkedHashSet<>();
    Set<JsonNode> ints = new LinkedHashSet<>();
    for (Group g : groups) {
      (g.id().isTextual() ? strings : ints).add(g.id());
    }
    var should = NODES.arrayNode();
    for (Set<JsonNode> values : List.of(strings, ints)) {
      if (!values.isEmpty()) {
        var any = NODES.arrayNode();
        values.forEach(any::add);
        should.addObject().put("key", key).putObject("match").set("any", any);
      }
    }
    return NODES.objectNode().set("should", should);
  }
}
