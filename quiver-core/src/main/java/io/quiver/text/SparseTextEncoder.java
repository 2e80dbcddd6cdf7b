package io.quiver.text;

/**
 * Turns text into sparse vectors, one way for documents (stored) and one for queries. Implementations are
 * immutable and safe to share between threads; the same text always gives the same vector.
 */
public interface SparseTextEncoder {
  /** The model name a {@code Document} names, e.g. {@code qdrant/bm25}. */
  String model();

  /** The stored vector of a document; empty when the text has no token. */
  TermWeights encodeDocument(String text);

  /** The vector of a query; empty when the text has no token. */
  TermWeights encodeQuery(String text);
}
