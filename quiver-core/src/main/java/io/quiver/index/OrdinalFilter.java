package io.quiver.index;

/** Decides which ordinals a search may return. Indexes still route through rejected ordinals. */
@FunctionalInterface
public interface OrdinalFilter {
  boolean accept(int ordinal);

  /**
   * The accepted ordinals as a plain bitset (bit {@code o % 64} of {@code words[o / 64]}), tombstones already
   * removed when it was made. A graph walk that tests thousands of ordinals per query reads the words itself instead
   * of calling through the interface, and skips its own deletion check: a point deleted after the bitset was made may
   * still be returned, as if the search had run just before the delete.
   */
  record Bits(long[] words) implements OrdinalFilter {
    @Override
    public boolean accept(int ordinal) {
      return test(words, ordinal);
    }

    public static boolean test(long[] words, int ordinal) {
      int w = ordinal >>> 6;
      return w < words.length && (words[w] & (1L << ordinal)) != 0;
    }
  }
}
