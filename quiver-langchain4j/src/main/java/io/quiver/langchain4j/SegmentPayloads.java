package io.quiver.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A {@link TextSegment} as a point payload and back: the text under {@code textKey}, each metadata entry as a
 * top-level key beside it (the layout of LangChain4j's Qdrant store, so Quiver's filters and payload indexes see
 * metadata keys as they are). A point without a segment has no text key.
 *
 * <p>Values: strings and integers as they are, a UUID as its string, a float widened to the double of the same
 * value (so a float compares with a float filter value exactly, as LangChain4j compares numbers). Read back,
 * integers that fit an int are {@code Integer}, larger ones {@code Long}, fractions {@code Double}; JSON that
 * LangChain4j's metadata cannot hold (booleans, arrays, objects written by other clients) becomes its JSON text, and
 * a JSON null is left out.
 */
final class SegmentPayloads {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String textKey;

  SegmentPayloads(String textKey) {
    this.textKey = textKey;
  }

  String textKey() {
    return textKey;
  }

  /** The payload of {@code segment} (null: no payload). */
  ObjectNode toPayload(TextSegment segment) {
    if (segment == null) {
      return null;
    }
    ObjectNode payload = NODES.objectNode();
    for (Map.Entry<String, Object> e : segment.metadata().toMap().entrySet()) {
      String key = e.getKey();
      if (key.equals(textKey)) {
        throw new IllegalArgumentException("metadata key '" + key + "' is where this store keeps the segment text;"
            + " rename the key or build the store with another textKey");
      }
      payload.set(key, toJson(key, e.getValue()));
    }
    payload.put(textKey, segment.text());
    return payload;
  }

  private static JsonNode toJson(String key, Object value) {
    return switch (value) {
      case String s -> NODES.textNode(s);
      case UUID u -> NODES.textNode(u.toString());
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Float f -> NODES.numberNode(finite(key, (double) f));
      case Double d -> NODES.numberNode(finite(key, d));
      default -> throw new IllegalArgumentException("metadata key '" + key + "' holds a "
          + value.getClass().getName() + ", which this store cannot keep");
    };
  }

  private static double finite(String key, double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("metadata key '" + key + "' holds " + d + ", which JSON cannot hold");
    }
    return d;
  }

  /** The segment in {@code payload}, or null when it has no text key (a point added without a segment). */
  TextSegment fromPayload(ObjectNode payload) {
    if (payload == null || !payload.hasNonNull(textKey)) {
      return null;
    }
    Map<String, Object> metadata = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : payload.properties()) {
      if (e.getKey().equals(textKey) || e.getValue().isNull()) {
        continue;
      }
      metadata.put(e.getKey(), fromJson(e.getValue()));
    }
    return TextSegment.from(payload.get(textKey).asText(), new Metadata(metadata));
  }

  private static Object fromJson(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return v.intValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isFloatingPointNumber()) {
      return v.doubleValue();
    }
    return v.toString();
  }
}
