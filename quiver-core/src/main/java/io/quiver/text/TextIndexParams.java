package io.quiver.text;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The parameters of a full-text payload index, as Qdrant's {@code TextIndexParams}. Options left unset are null and
 * stay unset when echoed; {@link #lowercaseOrDefault()} and the other {@code OrDefault} accessors give the values the
 * analysis uses (Qdrant's defaults: {@code word} tokenizer, lowercase on, no folding, no phrase positions, no stop
 * words, no stemmer, no length bounds).
 *
 * @param tokenizer how text is split into words; null means {@link Tokenizer#WORD}
 * @param minTokenLen tokens with fewer characters (code points) are dropped; for {@code prefix} the shortest prefix
 * @param maxTokenLen tokens with more characters are dropped; for {@code prefix} the longest prefix
 * @param lowercase whether tokens are lowercased (default true)
 * @param asciiFolding whether accented characters are folded to ASCII (default false)
 * @param phraseMatching whether token positions are stored so phrase filters are answered from the index
 * @param stopwords words left out of documents and queries, or null for none
 * @param stemmer the Snowball language tokens are stemmed with, or null for no stemming
 */
public record TextIndexParams(Tokenizer tokenizer, Integer minTokenLen, Integer maxTokenLen, Boolean lowercase,
    Boolean asciiFolding, Boolean phraseMatching, Stopwords stopwords, String stemmer) {

  /** Every option unset: Qdrant's defaults. */
  public static final TextIndexParams DEFAULT = new TextIndexParams(null, null, null, null, null, null, null, null);

  /** Snowball stemmer languages Qdrant accepts (each has a Lucene Snowball stemmer). */
  public static final Set<String> STEMMER_LANGUAGES = Set.of("arabic", "armenian", "danish", "dutch", "english",
      "finnish", "french", "german", "greek", "hungarian", "italian", "norwegian", "portuguese", "romanian", "russian",
      "spanish", "swedish", "tamil", "turkish");

  public TextIndexParams {
    if (minTokenLen != null && minTokenLen < 0) {
      throw new IllegalArgumentException("min_token_len: must be >= 0, got " + minTokenLen);
    }
    if (maxTokenLen != null && maxTokenLen < 0) {
      throw new IllegalArgumentException("max_token_len: must be >= 0, got " + maxTokenLen);
    }
    if (minTokenLen != null && maxTokenLen != null && minTokenLen > maxTokenLen) {
      throw new IllegalArgumentException("min_token_len (" + minTokenLen + ") must not exceed max_token_len ("
          + maxTokenLen + ")");
    }
    if (stemmer != null && !STEMMER_LANGUAGES.contains(stemmer)) {
      throw new IllegalArgumentException("stemmer.language: unknown language '" + stemmer + "'; expected one of "
          + String.join(", ", new TreeSet<>(STEMMER_LANGUAGES)));
    }
  }

  /** How text is split into words. */
  public enum Tokenizer {
    /** Splits at every character that is neither a letter nor a digit (Qdrant's {@code word}). */
    WORD,
    /** Splits at Unicode white space. */
    WHITESPACE,
    /** As {@link #WORD}, and indexes every prefix of each word between the length bounds. */
    PREFIX,
    /** Unicode word boundaries (UAX #29, Lucene's StandardTokenizer). */
    MULTILINGUAL;

    public String qdrantName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Tokenizer parse(String name) {
      for (Tokenizer t : values()) {
        if (t.qdrantName().equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown tokenizer '" + name + "'; expected one of "
          + Arrays.stream(values()).map(Tokenizer::qdrantName).collect(Collectors.joining(", ")));
    }
  }

  /**
   * Stop words: the predefined lists of {@code languages} (see {@link StopwordLists#LANGUAGES}) and {@code custom}
   * words, both sorted and without duplicates.
   */
  public record Stopwords(List<String> languages, List<String> custom) {
    public Stopwords {
      languages = List.copyOf(new TreeSet<>(languages));
      custom = List.copyOf(new TreeSet<>(custom));
      for (String l : languages) {
        if (!StopwordLists.LANGUAGES.contains(l)) {
          throw new IllegalArgumentException("stopwords: no stop word list for '" + l + "'; available: "
              + String.join(", ", new TreeSet<>(StopwordLists.LANGUAGES)));
        }
      }
    }

    public static Stopwords of(String language) {
      return new Stopwords(List.of(language), List.of());
    }
  }

  public Tokenizer tokenizerOrDefault() {
    return tokenizer == null ? Tokenizer.WORD : tokenizer;
  }

  public boolean lowercaseOrDefault() {
    return lowercase == null || lowercase;
  }

  public boolean asciiFoldingOrDefault() {
    return asciiFolding != null && asciiFolding;
  }

  public boolean phraseMatchingOrDefault() {
    return phraseMatching != null && phraseMatching;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link TextIndexParams}; unset options stay null (Qdrant's defaults). */
  public static final class Builder {
    private Tokenizer tokenizer;
    private Integer minTokenLen;
    private Integer maxTokenLen;
    private Boolean lowercase;
    private Boolean asciiFolding;
    private Boolean phraseMatching;
    private Stopwords stopwords;
    private String stemmer;

    public Builder tokenizer(Tokenizer value) {
      tokenizer = value;
      return this;
    }

    public Builder minTokenLen(Integer value) {
      minTokenLen = value;
      return this;
    }

    public Builder maxTokenLen(Integer value) {
      maxTokenLen = value;
      return this;
    }

    public Builder lowercase(Boolean value) {
      lowercase = value;
      return this;
    }

    public Builder asciiFolding(Boolean value) {
      asciiFolding = value;
      return this;
    }

    public Builder phraseMatching(Boolean value) {
      phraseMatching = value;
      return this;
    }

    public Builder stopwords(Stopwords value) {
      stopwords = value;
      return this;
    }

    /** A Snowball stemmer language ({@link #STEMMER_LANGUAGES}), or null for none. */
    public Builder stemmer(String language) {
      stemmer = language;
      return this;
    }

    public TextIndexParams build() {
      return new TextIndexParams(tokenizer, minTokenLen, maxTokenLen, lowercase, asciiFolding, phraseMatching,
          stopwords, stemmer);
    }
  }
}
