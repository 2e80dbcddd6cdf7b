package io.quiver.text;

import java.util.List;

/**
 * A dense text embedding model that runs in-process, found by {@link DenseTextModels} through
 * {@link java.util.ServiceLoader}. Constructing an implementation is cheap (the service loader does it on the first
 * look-up); the weights load on the first {@link #embed} and stay for the life of the process. Implementations are
 * safe to share between threads, and the same text always gives the same vector.
 */
public interface DenseTextModel {
  /** The model name a {@code Document} gives, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}. */
  String name();

  /** The length of every vector {@link #embed} returns. */
  int dimension();

  /** One unit-length vector per text, in order; documents and queries are embedded alike. */
  List<float[]> embed(List<String> texts);
}
