package io.quiver.text;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code qdrant/bm25}: the sparse vectors of Qdrant's server-side BM25 inference and of FastEmbed's
 * {@code Qdrant/bm25}, so that vectors made by either match these. A document's value for a token is
 * {@code tf·(k+1) / (tf + k·(1 - b + b·dl/avg_len))} with {@code dl} the number of tokens kept (after stop words
 * and length limits); a query's is 1 per distinct token. Token ids are {@link TokenIds#of}. IDF is the collection's
 * job (sparse field modifier {@code idf}). Empty text, or text whose every token is dropped, gives an empty vector
 * (as Qdrant's {@code empty_sparse}). Two distinct tokens with one id are not summed: in a document the value of the
 * token whose first occurrence comes later replaces the other's (FastEmbed's order; Qdrant's server overwrites in
 * its hash map's arbitrary order), and a query holds the id once with value 1.
 *
 * <p>Where FastEmbed differs from Qdrant's server, this follows the server: FastEmbed keeps {@code _} inside tokens
 * and drops tokens over 40 characters before stemming; the server splits at {@code _} and keeps long tokens unless
 * {@code max_token_len} says otherwise.
 */
public final class QdrantBm25 implements SparseTextEncoder {
  public static final String MODEL = "qdrant/bm25";

  private final Bm25Options options;
  private final QdrantTokenizer tokenizer;

  public QdrantBm25(Bm25Options options) {
    this.options = options;
    this.tokenizer = new QdrantTokenizer(options);
  }

  public static QdrantBm25 withDefaults() {
    return new QdrantBm25(Bm25Options.DEFAULTS);
  }

  public Bm25Options options() {
    return options;
  }

  @Override
  public String model() {
    return MODEL;
  }

  /** The tokens after all processing, in text order: what gets hashed. */
  public List<String> tokens(String text) {
    return tokenizer.tokens(text);
  }

  @Override
  public TermWeights encodeDocument(String text) {
    List<String> tokens = tokenizer.tokens(text);
    Map<String, Integer> counts = Bm25Weights.counts(tokens);
    int[] ids = new int[counts.size()];
    float[] values = new float[counts.size()];
    int i = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      ids[i] = TokenIds.of(e.getKey());
      values[i++] = Bm25Weights.saturate(e.getValue(), options.k(), options.b(), tokens.size(), options.avgLen());
    }
    return Bm25Weights.fromPairs(ids, values, i);
  }

  @Override
  public TermWeights encodeQuery(String text) {
    Set<Integer> ids = new LinkedHashSet<>();
    for (String t : tokenizer.tokens(text)) {
      ids.add(TokenIds.of(t));
    }
    int[] idx = new int[ids.size()];
    float[] ones = new float[ids.size()];
    int i = 0;
    for (int id : ids) {
      idx[i] = id;
      ones[i++] = 1f;
    }
    return Bm25Weights.fromPairs(idx, ones, i);
  }
}
