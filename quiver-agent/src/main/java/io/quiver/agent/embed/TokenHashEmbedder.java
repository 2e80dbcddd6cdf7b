package io.quiver.agent.embed;

import io.quiver.text.DenseTextModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code quiver/token-hash}: a dense embedder that needs no model. Text is lowercased and cut into word tokens (runs of
 * letters and digits); the features are the words, optionally adjacent word pairs and character n-grams of each word
 * (framed as {@code #word#}). Each distinct feature adds {@code weight·(1 + ln tf)} to one bucket of the vector with
 * a sign, both taken from its seeded MurmurHash3; the sum is L2-normalised.
 *
 * <p>Properties: the same text always gives the same vector on every JVM (the hash is {@link Murmur3}, not a
 * per-process hash); texts sharing words share signed buckets and so have positive cosine; texts with no feature in
 * common have cosine near 0 (a sum of random signs over the bucket collisions: standard deviation about
 * {@code 1/sqrt(dimension)}), never the near-1 values of a hash of the whole string. A text with no word token (empty,
 * blank, only punctuation) gets the vector of one reserved feature that no word can produce: all such texts are
 * identical to each other and unrelated to every text with words.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public final class TokenHashEmbedder implements DenseTextModel {
  public static final String NAME = "quiver/token-hash";
  public static final int DEFAULT_DIMENSION = 384;
  public static final int DEFAULT_SEED = 0x5157_4552; // fixed: changing it changes every stored vector
  /** The feature of a text without word tokens: a NUL cannot occur in a token. */
  private static final String NO_TOKENS = "\u0000empty";

  private final int dimension;
  private final int seed;
  private final double bigramWeight;
  private final int charNgram;
  private final double charNgramWeight;

  private TokenHashEmbedder(Builder b) {
    this.dimension = b.dimension;
    this.seed = b.seed;
    this.bigramWeight = b.bigramWeight;
    this.charNgram = b.charNgram;
    this.charNgramWeight = b.charNgramWeight;
  }

  /** The default embedder: 384 dimensions, words and word pairs (weight 0.5), no character n-grams. */
  public static TokenHashEmbedder create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(embed(t));
    }
    return out;
  }

  /** The vector of one text (unit length). */
  public float[] embed(String text) {
    Map<String, Double> features = features(text);
    double[] acc = new double[dimension];
    for (Map.Entry<String, Double> e : features.entrySet()) {
      int h = Murmur3.hash32(e.getKey().getBytes(StandardCharsets.UTF_8), seed);
      int bucket = Integer.remainderUnsigned(h >>> 1, dimension);
      acc[bucket] += (h & 1) == 0 ? e.getValue() : -e.getValue();
    }
    double norm = 0;
    for (double v : acc) {
      norm += v * v;
    }
    float[] out = new float[dimension];
    if (norm == 0) {
      // features that all cancel in their buckets: fall back to the reserved feature, so the vector has a direction
      int h = Murmur3.hash32(NO_TOKENS.getBytes(StandardCharsets.UTF_8), seed);
      out[Integer.remainderUnsigned(h >>> 1, dimension)] = 1f;
      return out;
    }
    double inv = 1 / Math.sqrt(norm);
    for (int i = 0; i < dimension; i++) {
      out[i] = (float) (acc[i] * inv);
    }
    return out;
  }

  @Override
  public String toString() {
    return NAME + "(dimension " + dimension + ", seed " + seed + ", bigrams " + bigramWeight + ", char n-grams "
        + charNgram + " x " + charNgramWeight + ")";
  }

  /** The lowercased word tokens of {@code text}, in order: maximal runs of letters and digits. */
  public static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    int start = -1;
    for (int i = 0; i < lower.length(); ) {
      int cp = lower.codePointAt(i);
      boolean word = Character.isLetterOrDigit(cp);
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        out.add(lower.substring(start, i));
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(lower.substring(start));
    }
    return out;
  }

  /** Each distinct feature with its weight {@code w·(1 + ln tf)}; the reserved feature alone for no tokens. */
  Map<String, Double> features(String text) {
    List<String> tokens = tokens(text);
    if (tokens.isEmpty()) {
      return Map.of(NO_TOKENS, 1.0);
    }
    Map<String, Integer> counts = new HashMap<>();
    Map<String, Double> weights = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      String w = tokens.get(i);
      add(counts, weights, "w:" + w, 1.0);
      if (bigramWeight > 0 && i > 0) {
        add(counts, weights, "b:" + tokens.get(i - 1) + ' ' + w, bigramWeight);
      }
      if (charNgram > 0 && charNgramWeight > 0) {
        String framed = '#' + w + '#';
        for (int s = 0; s + charNgram <= framed.length(); s++) {
          add(counts, weights, "c:" + framed.substring(s, s + charNgram), charNgramWeight);
        }
      }
    }
    Map<String, Double> out = new HashMap<>(counts.size() * 2);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      out.put(e.getKey(), weights.get(e.getKey()) * (1 + Math.log(e.getValue())));
    }
    return out;
  }

  private static void add(Map<String, Integer> counts, Map<String, Double> weights, String feature, double w) {
    counts.merge(feature, 1, Integer::sum);
    weights.putIfAbsent(feature, w);
  }

  /** Settings of a {@link TokenHashEmbedder}; every setting changes the vectors, so a store records its embedder. */
  public static final class Builder {
    private int dimension = DEFAULT_DIMENSION;
    private int seed = DEFAULT_SEED;
    private double bigramWeight = 0.5;
    private int charNgram;
    private double charNgramWeight = 0.25;

    private Builder() {}

    public Builder dimension(int value) {
      if (value < 1 || value > 65_536) {
        throw new IllegalArgumentException("dimension must be in 1..65536, got " + value);
      }
      dimension = value;
      return this;
    }

    public Builder seed(int value) {
      seed = value;
      return this;
    }

    /** Weight of adjacent word pairs (0: none). */
    public Builder bigramWeight(double value) {
      if (!(value >= 0 && value <= 10)) {
        throw new IllegalArgumentException("bigram weight must be in [0, 10], got " + value);
      }
      bigramWeight = value;
      return this;
    }

    /** Character n-grams of length {@code n} of each framed word (0: none), each with {@code weight}. */
    public Builder charNgrams(int n, double weight) {
      if (n < 0 || n > 8) {
        throw new IllegalArgumentException("character n-gram length must be in 0..8, got " + n);
      }
      if (!(weight >= 0 && weight <= 10)) {
        throw new IllegalArgumentException("character n-gram weight must be in [0, 10], got " + weight);
      }
      charNgram = n;
      charNgramWeight = weight;
      return this;
    }

    public TokenHashEmbedder build() {
      return new TokenHashEmbedder(this);
    }
  }
}
