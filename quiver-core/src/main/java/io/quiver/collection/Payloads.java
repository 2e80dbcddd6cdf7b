package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.QuiverException;
import java.util.Map;

/** Payloads given as plain Java maps (strings, numbers, booleans, lists, nested maps), converted to JSON objects. */
final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** {@code payload} as a JSON object (null stays null). */
  static ObjectNode of(Map<String, ?> payload) {
    if (payload == null) {
      return null;
    }
    JsonNode node;
    try {
      node = JSON.valueToTree(payload);
    } catch (IllegalArgumentException e) {
      throw new QuiverException.InvalidInput("payload cannot be converted to JSON: " + e.getMessage());
    }
    return (ObjectNode) node;
  }
}
