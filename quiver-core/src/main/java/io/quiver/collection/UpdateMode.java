package io.quiver.collection;

/**
 * Which points of an upsert are written (Qdrant's {@code update_mode}). Whether a point exists is decided under the
 * collection's write lock, against the state before the batch, so concurrent writers cannot both see an id as new.
 */
public enum UpdateMode {
  /** Every point: new ids are inserted, existing ones replaced. */
  UPSERT,
  /** Only points whose id does not exist yet; the others are skipped. */
  INSERT_ONLY,
  /** Only points whose id exists; the others are skipped. */
  UPDATE_ONLY
}
