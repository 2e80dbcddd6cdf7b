package io.quiver.text;

/**
 * What a length-normalising encoder needs to know of the collection it writes into: the mean length, in analysed
 * tokens, of the documents it holds. Supplied by the caller (a collection keeps the running sum and count of
 * {@link QuiverBm25#documentLength}); read once per encoded document.
 */
@FunctionalInterface
public interface CorpusStats {
  /** Mean document length in tokens; 0 (or less, or NaN) when the collection holds no document yet. */
  double avgDocLength();

  /** A fixed mean, e.g. one measured over a corpus loaded in bulk. */
  static CorpusStats fixed(double avgDocLength) {
    return () -> avgDocLength;
  }
}
