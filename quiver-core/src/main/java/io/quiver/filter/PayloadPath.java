package io.quiver.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Resolves payload keys: {@code a.b.c} walks nested objects, {@code a[].b} walks every element of the array
 * {@code a}, and arrays met on the way or at the end are flattened one level, so a condition sees each stored value.
 * Public so that payload indexes resolve a field exactly as the conditions do.
 */
public final class PayloadPath {
  private PayloadPath() {}

  /** Every value at {@code key}; explicit nulls included, missing keys contribute nothing. */
  public static List<JsonNode> values(JsonNode payload, String key) {
    List<JsonNode> current = new ArrayList<>(1);
    if (payload == null || payload.isNull()) {
      return current;
    }
    current.add(payload);
    String[] segments = key.split("\\.", -1);
    for (int s = 0; s < segments.length; s++) {
      String seg = segments[s];
      boolean project = seg.endsWith("[]");
      String name = project ? seg.substring(0, seg.length() - 2) : seg;
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        JsonNode child = node.isObject() ? node.get(name) : null;
        if (child == null) {
          continue;
        }
        if (child.isArray()) {
          child.forEach(next::add); // "[]" projects; an array elsewhere counts as its elements
        } else {
          next.add(child);
        }
      }
      current = next;
    }
    return current;
  }

  /** Whether some value at {@code key} satisfies {@code test}: the "any element" rule of every field condition. */
  static boolean anyValue(JsonNode payload, String key, Predicate<JsonNode> test) {
    for (JsonNode v : values(payload, key)) {
      if (test.test(v)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code key} is well formed: dot-separated non-empty names, each optionally ending in {@code []}. */
  public static boolean isValidKey(String key) {
    if (key == null || key.isBlank()) {
      return false;
    }
    for (String seg : key.split("\\.", -1)) {
      String name = seg.endsWith("[]") ? seg.substring(0, seg.length() - 2) : seg;
      if (name.isEmpty() || name.contains("[") || name.contains("]")) {
        return false;
      }
    }
    return true;
  }

  /** Whether the key is present with an explicit null. */
  public static boolean hasExplicitNull(JsonNode payload, String key) {
    int dot = key.lastIndexOf('.');
    List<JsonNode> parents = dot < 0 ? (payload == null ? List.of() : List.of(payload))
        : values(payload, key.substring(0, dot));
    String leaf = dot < 0 ? key : key.substring(dot + 1);
    for (JsonNode p : parents) {
      if (p.isObject() && p.has(leaf) && p.get(leaf).isNull()) {
        return true;
      }
    }
    return false;
  }
}
