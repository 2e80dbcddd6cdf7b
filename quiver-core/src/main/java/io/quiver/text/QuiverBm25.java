package io.quiver.text;

import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;

/**
 * {@code quiver/bm25}: BM25 sparse vectors with Lucene's English analysis, length normalisation by the live
 * collection's mean document length, and query weights from the query's own term counts. Token ids are
 * {@link TokenIds#of} of the analysed terms (the id space of {@code qdrant/bm25}, though the terms differ), so the
 * collection's {@code idf} modifier completes the formula exactly as for {@code qdrant/bm25}.
 *
 * <p>A document's value for a term is {@code tf·(k1+1) / (tf + k1·(1 - b + b·dl/avgdl))} with {@code avgdl} read
 * from {@link CorpusStats} when the document is encoded; while the collection is empty, {@code avgdl = dl} (no length
 * penalty). Values are not re-normalised when the mean drifts later: the mean of an established collection moves
 * little, and BM25 is flat in {@code avgdl} near it. Thread-safe; close it to release Lucene's per-thread analysis
 * state.
 */
public final class QuiverBm25 implements SparseTextEncoder, AutoCloseable {
  public static final String MODEL = "quiver/bm25";

  private final Config config;
  private final CorpusStats stats;
  private final Analyzer analyzer;

  /** How a query's repeated terms weigh. */
  public enum QueryWeighting {
    /** 1 per distinct term, as {@code qdrant/bm25}. */
    BINARY,
    /** The term's count in the query. */
    COUNT,
    /** The count saturated as a document's is, without length normalisation: {@code tf·(k1+1)/(tf+k1)}. */
    SATURATED
  }

  /**
   * Parameters of {@code quiver/bm25}. The defaults (k1 1.2, b 0.75, NLTK stop words, Snowball English, saturated
   * query counts) had the best mean nDCG@10 over SciFact and Cranfield of the 18 analysis and query variants measured
   * (docs/benchmarks.md); the analysis variants differ by at most 0.01, the live mean length is what gains most over
   * {@code qdrant/bm25}'s fixed 256. The other values exist to measure against the default.
   */
  public record Config(double k1, double b, EnglishAnalysis.StopList stopList, EnglishAnalysis.Stemming stemming,
      QueryWeighting queryWeighting) {
    public static final Config DEFAULTS = new Config(1.2, 0.75, EnglishAnalysis.StopList.NLTK,
        EnglishAnalysis.Stemming.SNOWBALL, QueryWeighting.SATURATED);

    public Config {
      if (!Double.isFinite(k1) || k1 < 0) {
        throw new IllegalArgumentException("k must be a finite number >= 0, got " + k1);
      }
      if (!(b >= 0 && b <= 1)) {
        throw new IllegalArgumentException("b must be between 0 and 1, got " + b);
      }
    }

    public Config withK1(double v) {
      return new Config(v, b, stopList, stemming, queryWeighting);
    }

    public Config withB(double v) {
      return new Config(k1, v, stopList, stemming, queryWeighting);
    }

    Config with(EnglishAnalysis.StopList s, EnglishAnalysis.Stemming st, QueryWeighting q) {
      return new Config(k1, b, s, st, q);
    }
  }

  public QuiverBm25(Config config, CorpusStats stats) {
    this.config = config;
    this.stats = stats;
    this.analyzer = EnglishAnalysis.analyzer(config.stopList(), config.stemming());
  }

  public Config config() {
    return config;
  }

  @Override
  public String model() {
    return MODEL;
  }

  /** The analysed terms of {@code text}, in order, repeats kept. */
  public List<String> terms(String text) {
    return EnglishAnalysis.terms(analyzer, text);
  }

  /** The length {@link CorpusStats} averages: the number of analysed terms. */
  public int documentLength(String text) {
    return terms(text).size();
  }

  /**
   * The document length (analysed terms, repeats counted) that a stored vector of this model was encoded from, read
   * back from its values alone: a term's value is {@code tf·(k1+1)/(tf + K)} with one {@code K} per document, so
   * the smallest value, taken to be a term seen once, gives {@code K = (k1+1)/v_min - 1}, and each term's count is
   * {@code round(v·K/(k1+1-v))}. Exact when some term occurs once (nearly every real document) and no two terms
   * share an id; otherwise an underestimate. With {@code k1 = 0} every value is 1 and this is the distinct-term
   * count. Lets a collection recompute its mean length from what it stores.
   */
  public static double lengthOf(float[] values, double k1) {
    if (values.length == 0) {
      return 0;
    }
    if (!(k1 > 0)) {
      return values.length;
    }
    float min = Float.MAX_VALUE;
    for (float v : values) {
      min = Math.min(min, v);
    }
    if (!(min > 0)) {
      return values.length;
    }
    double bigK = Math.max((k1 + 1) / min - 1, 0);
    double sum = 0;
    for (float v : values) {
      double gap = Math.max(k1 + 1 - v, 1e-6);
      sum += Math.max(1, Math.round(v * bigK / gap));
    }
    return sum;
  }

  @Override
  public TermWeights encodeDocument(String text) {
    List<String> terms = terms(text);
    double avg = stats.avgDocLength();
    double avgLen = avg > 0 ? avg : terms.size();
    Map<String, Integer> counts = Bm25Weights.counts(terms);
    int[] ids = new int[counts.size()];
    float[] values = new float[counts.size()];
    int i = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      ids[i] = TokenIds.of(e.getKey());
      values[i++] = Bm25Weights.saturate(e.getValue(), config.k1(), config.b(), terms.size(), avgLen);
    }
    return Bm25Weights.fromPairs(ids, values, i);
  }

  @Override
  public TermWeights encodeQuery(String text) {
    Map<String, Integer> counts = Bm25Weights.counts(terms(text));
    int[] ids = new int[counts.size()];
    float[] values = new float[counts.size()];
    int i = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int tf = e.getValue();
      ids[i] = TokenIds.of(e.getKey());
      values[i++] = switch (config.queryWeighting()) {
        case BINARY -> 1f;
        case COUNT -> tf;
        case SATURATED -> (float) (tf * (config.k1() + 1) / (tf + config.k1()));
      };
    }
    return Bm25Weights.fromPairs(ids, values, i);
  }

  @Override
  public void close() {
    analyzer.close();
  }
}
