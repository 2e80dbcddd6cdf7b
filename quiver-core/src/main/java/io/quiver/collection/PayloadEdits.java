package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The payload edits of Qdrant's payload endpoints, as functions from a point's old payload (null: none) to its new
 * one (null: none), applied by {@link PointUpdater#updatePayloads} to each selected point. Never modify the old
 * payload: segments share it with readers.
 */
final class PayloadEdits {
  private PayloadEdits() {}

  /** Sets {@code values}' keys, keeping the others (set_payload). */
  static UnaryOperator<ObjectNode> set(ObjectNode values) {
    return old -> {
      ObjectNode p = old == null ? values.objectNode() : old.deepCopy();
      p.setAll(values);
      return p;
    };
  }

  /** Replaces the whole payload (overwrite_payload). */
  static UnaryOperator<ObjectNode> overwrite(ObjectNode payload) {
    return old -> payload.deepCopy();
  }

  /** Removes the keys, top-level or dotted paths (delete_payload). */
  static UnaryOperator<ObjectNode> withoutKeys(List<String> keys) {
    PayloadSelector exclude = PayloadSelector.exclude(keys);
    return old -> old == null ? null : exclude.select(old);
  }

  /** Removes the whole payload (clear_payload). */
  static UnaryOperator<ObjectNode> clear() {
    return old -> null;
  }
}
