package io.quiver.util;

/**
 * Packs a float distance and an int ordinal into one long whose natural order is (distance, ordinal) ascending,
 * so heaps of primitives can stand in for heaps of objects.
 */
public final class ScoredOrdinals {
  private ScoredOrdinals() {}

  public static long pack(float distance, int ordinal) {
    return ((long) sortableInt(distance) << 32) | (ordinal & 0xFFFFFFFFL);
  }

  public static int ordinal(long packed) {
    return (int) packed;
  }

  public static float distance(long packed) {
    return sortableIntToFloat((int) (packed >> 32));
  }

  /** Maps a float to an int with the same order (as Lucene's NumericUtils does). */
  public static int sortableInt(float value) {
    int bits = Float.floatToIntBits(value);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  public static float sortableIntToFloat(int sortable) {
    return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
  }
}
