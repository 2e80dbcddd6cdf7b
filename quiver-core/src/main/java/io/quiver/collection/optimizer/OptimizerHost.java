package io.quiver.collection.optimizer;

import io.quiver.collection.CollectionConfig;
import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What the optimizations see of one collection and the operations they choose among; the collection implements it.
 * The {@link Optimizer} calls these under the collection's optimizer lock, so the sealed segments do not change
 * between a {@link #sealedSegments()} and the operation chosen from it.
 */
public interface OptimizerHost {
  String collectionName();

  CollectionConfig config();

  /** Whether a frozen mutable segment waits to be sealed (the other optimizations wait for it). */
  boolean sealPending();

  /** Why graph construction stopped, or null: frozen segments cannot be sealed without their graphs. */
  Throwable indexingFailure();

  /**
   * Writes the oldest frozen segment (once indexed) to disk, swaps it in for its in-memory version and checkpoints
   * the log up to it. False when there is nothing to seal or it is not indexed yet.
   */
  boolean sealOldest() throws IOException;

  /** The sealed segments, in order. */
  List<SegmentStats> sealedSegments();

  /** Whether the quantized codes of sealed segment {@code id} differ from what {@code config} asks for. */
  boolean quantizationStale(long id, CollectionConfig config);

  /** Whether the payload links of sealed segment {@code id} differ from what {@code config} asks for. */
  boolean payloadLinksStale(long id, CollectionConfig config);

  /**
   * Writes the live points of the sealed segments {@code ids} as one new sealed segment and swaps it in (a merge,
   * or with one id a vacuum); false if {@code stop} turned true meanwhile or the memory budget has no room for the
   * rewrite's in-memory copy (then nothing changed).
   */
  boolean rewrite(List<Long> ids, BooleanSupplier stop) throws IOException;

  /**
   * Re-encodes the quantized codes of sealed segment {@code id} for {@code config}; false when the memory budget has
   * no room for the codes (then nothing changed).
   */
  boolean requantize(long id, CollectionConfig config) throws IOException;

  /** Builds the payload links of sealed segment {@code id} for {@code config}. */
  void relink(long id, CollectionConfig config) throws IOException;
}
