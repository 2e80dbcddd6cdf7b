package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Filter;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchParams;
import io.quiver.index.hnsw.PayloadLinks;
import io.quiver.payload.PayloadIndex;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.util.ConcurrentBitSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of points addressed by dense ordinals: the mutable segment taking writes, or an immutable sealed one. Points
 * are never changed in a segment except by deletion (a tombstone bit); an update writes a new version to the mutable
 * segment and deletes the old one, so deletion bits only ever go from clear to set.
 *
 * <p>Readers hold the collection's segment read lock while they use a segment; the optimizer closes a replaced
 * segment (releasing its mapping) under the write lock, so no read is ever in flight on a closed segment.
 */
abstract class Segment {
  final long id;
  private final ConcurrentBitSet deleted = new ConcurrentBitSet();
  private final AtomicInteger deletedCount = new AtomicInteger();

  Segment(long id) {
    this.id = id;
  }

  /** Ordinals allocated so far (live and deleted). */
  abstract int ordinals();

  abstract PointId idOf(int ordinal);

  /** The payload object (never mutate it), or null. */
  abstract ObjectNode payload(int ordinal);

  /** A copy of the stored vector of field {@code name} (normalized for cosine), or null if the point has none. */
  abstract float[] vector(String name, int ordinal);

  /**
   * What a graph search of one segment did: when {@code usable}, its hits were offered; otherwise (no graph yet, the
   * visit limit was hit, or fewer than k points were found) nothing was offered and the caller scans exactly.
   */
  record GraphOutcome(boolean usable, long distanceComputations) {}

  /**
   * Offers the nearest accepted points of field {@code name} found by a graph walk to {@code out} ({@code accept}
   * null: every point), or offers nothing and says the caller must scan. {@code query} is already prepared
   * (normalized for cosine).
   */
  abstract GraphOutcome graphSearch(String name, float[] query, int k, SearchParams params, OrdinalFilter accept,
      Hits out, Quantized quantized);

  /** {@link #graphSearch} whose ACORN walk also follows {@code payloadLinks} (from {@link #payloadLinks}; or null). */
  GraphOutcome graphSearch(String name, float[] query, int k, SearchParams params, OrdinalFilter accept, Hits out,
      Quantized quantized, PayloadLinks.Group[] payloadLinks) {
    return graphSearch(name, query, k, params, accept, out, quantized);
  }

  /**
   * The payload links of field {@code name} among the points of the values that {@code filter} requires: one group
   * for a top-level {@code must} match, the groups of the listed values for a top-level {@code must} match any, the
   * groups of all the values named by top-level {@code should} conditions when each is a match or match any;
   * preferring {@code tenantFields}, then the fewest points. Null when there are none (never empty).
   */
  PayloadLinks.Group[] payloadLinks(String name, Filter filter,
      Set<String> tenantFields) {
    return null;
  }

  /**
   * How a graph walk may use quantized codes where a segment has them ({@code null}: not at all): walking on codes,
   * keeping {@code limit * oversampling} candidates (the whole beam when {@code wholeBeam}) and reranking them with
   * the full vectors when {@code rescore}.
   */
  record Quantized(boolean rescore, double oversampling, boolean wholeBeam) {}

  /** The sparse index of sparse vector field {@code name}, or null when this segment has none for it. */
  SparseIndex sparse(String name) {
    return null;
  }

  /** The multi-vectors of multi-vector field {@code name}, or null when this segment has none for it. */
  MultiVectorStore multi(String name) {
    return null;
  }

  /** Whether the point at {@code ordinal} has a vector in field {@code name}. */
  abstract boolean hasVector(String name, int ordinal);

  /**
   * Distances from the prepared {@code query} to the vectors of field {@code name} of {@code ordinals[0..count)}
   * (each must {@link #hasVector have one}) into {@code out}.
   */
  abstract void distances(String name, float[] query, int[] ordinals, int count, float[] out);

  /** The segment's payload index (fields per the collection's payload schema). */
  abstract PayloadIndex payloadIndex();

  /** Points a graph index can reach. */
  abstract long indexedPoints();

  abstract long heapBytes();

  abstract long mappedBytes();

  /** Heap held by caches that {@link #dropCaches} can empty (counted apart from {@link #heapBytes}). */
  long cacheBytes() {
    return 0;
  }

  /** Empties the segment's caches (a memory budget's first resort); searches refill them as needed. */
  void dropCaches() {}

  /** Approximate distances from {@code query} to the quantized codes of field {@code name}, or null without codes. */
  QuantizedScorer codeScorer(String name, float[] query) {
    return null;
  }

  /**
   * Whether field {@code name} can be scanned by {@link BoundedScan}: a cosine field whose vectors this segment holds
   * in the heap or mapped (not a disk index's), with {@link #exactScanCodes} to offer.
   */
  boolean exactScanCodable(String name) {
    return false;
  }

  /**
   * The {@link ExactScanCodes} of field {@code name} ({@link #exactScanCodable}), with the record of every ordinal
   * below {@code upTo} (at most {@link #ordinals()} as read by the caller) written: built on first use.
   */
  ExactScanCodes exactScanCodes(String name, int upTo) {
    throw new UnsupportedOperationException("segment " + id + " keeps no exact-scan codes of '" + name + "'");
  }

  /** Bytes by part and place (see {@link StorageUsage}). */
  abstract StorageUsage storage();

  /** Releases files and memory; called once no reader can reach the segment. */
  abstract void closeResources();

  final boolean isDeleted(int ordinal) {
    return deleted.get(ordinal);
  }

  /** Sets the tombstone; true when the point was live. */
  final boolean markDeleted(int ordinal) {
    if (deleted.set(ordinal)) {
      deletedCount.incrementAndGet();
      tombstoned(ordinal);
      return true;
    }
    return false;
  }

  /** Called once {@code ordinal}'s tombstone is set, for indexes that keep their own (a disk index). */
  void tombstoned(int ordinal) {}

  /** The disk index of field {@code name} when this segment keeps that field disk-resident, else null. */
  DiskField diskField(String name) {
    return null;
  }

  /** The tombstones below {@code ordinals()} as bitset words (for the deletes file). */
  final long[] deletedWords() {
    return Manifest.words(deleted, ordinals());
  }

  final int deletedCount() {
    return deletedCount.get();
  }

  final int liveCount() {
    return ordinals() - deletedCount.get();
  }

  /** Whether {@code ordinal} is live and passes {@code filter} (null: any). */
  final boolean matches(int ordinal, Filter filter) {
    return !isDeleted(ordinal)
        && (filter == null || filter.test(idOf(ordinal), payload(ordinal), payloadIndex().textFields()));
  }
}
