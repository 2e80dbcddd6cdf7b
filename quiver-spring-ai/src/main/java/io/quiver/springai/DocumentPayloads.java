package io.quiver.springai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A document's text and metadata as a point payload and back: the text under {@code contentKey}, each metadata
 * entry as a top-level key beside it (the layout of Spring AI's Qdrant store, so filters see metadata keys as they
 * are).
 *
 * <p>Metadata values: strings, booleans, integers, floats, doubles, big numbers, UUIDs (as strings), enums (as
 * names), lists and arrays of these, maps with string keys, and null inside lists and maps; anything else is refused
 * with an error naming the key. A float is widened to the double of the same value, so float filter values compare
 * exactly. Read back: integers that fit an int are {@code Integer}, larger ones {@code Long} (or
 * {@code BigInteger}), fractions {@code Double}, lists {@code List}, objects {@code Map}; a top-level null is left
 * out (a document's metadata holds no nulls).
 */
final class DocumentPayloads {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String contentKey;

  DocumentPayloads(String contentKey) {
    this.contentKey = contentKey;
  }

  String contentKey() {
    return contentKey;
  }

  ObjectNode toPayload(String id, String text, Map<String, Object> metadata) {
    if (text == null) {
      throw new IllegalArgumentException("document " + id + " has no text: this store keeps text documents only");
    }
    ObjectNode payload = NODES.objectNode();
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      if (e.getKey().equals(contentKey)) {
        throw new IllegalArgumentException("document " + id + ": metadata key '" + contentKey + "' is where this"
            + " store keeps the text; rename the key or build the store with another contentKey");
      }
      payload.set(e.getKey(), toJson(e.getKey(), e.getValue()));
    }
    payload.put(contentKey, text);
    return payload;
  }

  private static JsonNode toJson(String key, Object value) {
    return switch (value) {
      case null -> NODES.nullNode();
      case String s -> NODES.textNode(s);
      case Boolean b -> NODES.booleanNode(b);
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Short s -> NODES.numberNode(s);
      case Byte b -> NODES.numberNode(b);
      case Float f -> NODES.numberNode(finite(key, (double) f));
      case Double d -> NODES.numberNode(finite(key, d));
      case BigInteger b -> NODES.numberNode(b);
      case BigDecimal b -> NODES.numberNode(b);
      case UUID u -> NODES.textNode(u.toString());
      case Enum<?> e -> NODES.textNode(e.name());
      case Iterable<?> items -> {
        ArrayNode a = NODES.arrayNode();
        items.forEach(item -> a.add(toJson(key, item)));
        yield a;
      }
      case Object[] items -> {
        ArrayNode a = NODES.arrayNode();
        for (Object item : items) {
          a.add(toJson(key, item));
        }
        yield a;
      }
      case Map<?, ?> map -> {
        ObjectNode o = NODES.objectNode();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getKey() instanceof String k)) {
            throw new IllegalArgumentException("metadata key '" + key + "' holds a map with the non-string key "
                + e.getKey());
          }
          o.set(k, toJson(key, e.getValue()));
        }
        yield o;
      }
      default -> throw new IllegalArgumentException("metadata key '" + key + "' holds a " + value.getClass().getName()
          + "; store strings, numbers, booleans, lists or maps of them");
    };
  }

  private static double finite(String key, double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("metadata key '" + key + "' holds " + d + ", which JSON cannot hold");
    }
    return d;
  }

  /** The text of {@code payload} (null when it has none). */
  String text(ObjectNode payload) {
    JsonNode t = payload == null ? null : payload.get(contentKey);
    return t == null || t.isNull() ? null : t.asText();
  }

  /** The metadata of {@code payload}: every key but the text, without top-level nulls. */
  Map<String, Object> metadata(ObjectNode payload) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (payload == null) {
      return out;
    }
    for (Map.Entry<String, JsonNode> e : payload.properties()) {
      if (!e.getKey().equals(contentKey) && !e.getValue().isNull()) {
        out.put(e.getKey(), fromJson(e.getValue()));
      }
    }
    return out;
  }

  private static Object fromJson(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToInt() ? (Object) v.intValue() : v.canConvertToLong() ? (Object) v.longValue()
          : v.bigIntegerValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      v.forEach(item -> list.add(fromJson(item)));
      return list;
    }
    if (v.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        map.put(e.getKey(), fromJson(e.getValue()));
      }
      return map;
    }
    return null; // a null inside a list or map
  }
}
