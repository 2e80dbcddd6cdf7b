package io.quiver.collection;

/**
 * One sparse vector field of one segment: an inverted index (term -> postings of (ordinal, value), ascending by
 * ordinal) and the vectors by ordinal. Postings include tombstoned points; callers skip them.
 */
interface SparseIndex {
  /** Postings of {@code term} (tombstoned ordinals included). */
  int postings(int term);

  /** The live points among {@code term}'s postings ({@link #postings} when nothing is deleted). */
  default int livePostings(int term, Segment s) {
    return s.deletedCount() == 0 ? postings(term) : countLive(term, s);
  }

  /** Counts the postings of {@code term} whose ordinal is not tombstoned in {@code s}. */
  int countLive(int term, Segment s);

  /** Adds {@code weight * value} to {@code acc} for every posting of {@code term} below {@code limit}. */
  void accumulate(int term, float weight, int limit, SparseScores acc);

  /** Points with a vector in this field (tombstoned included). */
  int vectors();

  /** Whether {@code ordinal} has a vector in this field. */
  boolean has(int ordinal);

  /** The stored vector of {@code ordinal} (sorted by index), or null if the point has none. */
  SparseVector vector(int ordinal);
}
