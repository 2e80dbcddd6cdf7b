package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Which part of a payload a read returns: all of it, none, only the {@code include} keys or all but the
 * {@code exclude} keys (top-level keys or dotted paths to nested keys), as Qdrant's {@code with_payload}.
 */
public sealed interface PayloadSelector {
  PayloadSelector ALL = new All();
  PayloadSelector NONE = new None();

  /** The selected part of {@code payload} (never mutates it); null for {@link #NONE}. */
  ObjectNode select(ObjectNode payload);

  static PayloadSelector include(List<String> keys) {
    return new Include(List.copyOf(keys));
  }

  static PayloadSelector exclude(List<String> keys) {
    return new Exclude(List.copyOf(keys));
  }

  record All() implements PayloadSelector {
    @Override
    public ObjectNode select(ObjectNode payload) {
      return payload;
    }
  }

  record None() implements PayloadSelector {
    @Override
    public ObjectNode select(ObjectNode payload) {
      return null;
    }
  }

  record Include(List<String> keys) implements PayloadSelector {
    @Override
    public ObjectNode select(ObjectNode payload) {
      if (payload == null) {
        return null;
      }
      ObjectNode out = payload.objectNode();
      for (String key : keys) {
        copyPath(payload, out, key.split("\\."), 0);
      }
      return out;
    }

    private static void copyPath(ObjectNode from, ObjectNode to, String[] parts, int i) {
      var value = from.get(parts[i]);
      if (value == null) {
        return;
      }
      if (i == parts.length - 1) {
        to.set(parts[i], value.deepCopy());
      } else if (value.isObject()) {
        var child = to.get(parts[i]) instanceof ObjectNode o ? o : to.putObject(parts[i]);
        copyPath((ObjectNode) value, child, parts, i + 1);
      }
    }
  }

  record Exclude(List<String> keys) implements PayloadSelector {
    @Override
    public ObjectNode select(ObjectNode payload) {
      if (payload == null) {
        return null;
      }
      ObjectNode out = payload.deepCopy();
      for (String key : keys) {
        String[] parts = key.split("\\.");
        ObjectNode node = out;
        for (int i = 0; i < parts.length - 1 && node != null; i++) {
          node = node.get(parts[i]) instanceof ObjectNode o ? o : null;
        }
        if (node != null) {
          node.remove(parts[parts.length - 1]);
        }
      }
      return out;
    }
  }
}
