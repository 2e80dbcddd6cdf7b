package io.quiver.storage.wal;

/** When an append is acknowledged relative to reaching stable storage. */
public enum Durability {
  /** {@code append} returns after the record is fsync'ed; concurrent appends share one fsync (group commit). */
  FSYNC,
  /** {@code append} returns after the write; a background task fsyncs every {@code syncInterval}. */
  PERIODIC
}
