package io.quiver.text;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The options of {@code qdrant/bm25}, as Qdrant's {@code Bm25Config}: {@code k} 1.2, {@code b} 0.75,
 * {@code avg_len} 256, {@code tokenizer} word, {@code language} english, {@code lowercase} true,
 * {@code ascii_folding} false, {@code stopwords} and {@code stemmer} derived from the language when absent, no
 * token length limits. Built with {@link #builder()}; every setter rejects a bad value at once.
 *
 * @param stopwords null means: the list of {@code language} (English's NLTK list by default)
 * @param stemmer null means: the Snowball stemmer of {@code language} when Snowball has one
 */
public record Bm25Options(double k, double b, double avgLen, TokenizerType tokenizer, String language,
    boolean lowercase, boolean asciiFolding, Stopwords stopwords, Stemmer stemmer, OptionalInt minTokenLen,
    OptionalInt maxTokenLen) {

  public static final Bm25Options DEFAULTS = builder().build();

  /** How text is cut into tokens before the per-token processing. */
  public enum TokenizerType {
    /** Split at every character that is not a letter or number (Rust's {@code char::is_alphanumeric}). */
    WORD,
    /** Split at Unicode white space. */
    WHITESPACE,
    /** As WORD, then each token truncated to {@code max_token_len} characters (Qdrant's prefix query form). */
    PREFIX;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Stop words: the union of bundled language lists and custom words. */
  public record Stopwords(Set<String> languages, Set<String> custom) {
    public static final Stopwords NONE = new Stopwords(Set.of(), Set.of());

    public Stopwords {
      languages = Set.copyOf(languages);
      custom = Set.copyOf(custom);
      for (String l : languages) {
        if (!Languages.STOPWORD_LANGUAGES.contains(l)) {
          throw new IllegalArgumentException("unknown stop word language '" + l + "'");
        }
        StopWords.forLanguage(l);
      }
    }

    /** The words to drop, lowercased when the tokens are. */
    Set<String> resolve(boolean lowercase) {
      Set<String> words = new LinkedHashSet<>();
      for (String l : languages) {
        for (String w : StopWords.forLanguage(l)) {
          words.add(lowercase ? w.toLowerCase(Locale.ROOT) : w);
        }
      }
      for (String w : custom) {
        words.add(lowercase ? w.toLowerCase(Locale.ROOT) : w);
      }
      return Set.copyOf(words);
    }
  }

  /** A Snowball stemmer of {@code language}, or none when it is null. */
  public record Stemmer(String language) {
    public static final Stemmer NONE = new Stemmer(null);

    public Stemmer {
      if (language != null && !Languages.hasSnowball(language)) {
        throw new IllegalArgumentException("no Snowball stemmer for '" + language + "'; one of "
            + Languages.snowballLanguages());
      }
    }

    public static Stemmer snowball(String language) {
      return new Stemmer(language);
    }
  }

  /** The language that decides default stop words and stemmer: {@code language}, or english. */
  public String effectiveLanguage() {
    return language == null ? "english" : language;
  }

  /** The stop words in force. */
  Set<String> resolvedStopwords() {
    if (stopwords != null) {
      return stopwords.resolve(lowercase);
    }
    String l = effectiveLanguage();
    return Languages.STOPWORD_LANGUAGES.contains(l) ? new Stopwords(Set.of(l), Set.of()).resolve(lowercase) : Set.of();
  }

  /** The stemmer in force. */
  Stemmer resolvedStemmer() {
    if (stemmer != null) {
      return stemmer;
    }
    String l = effectiveLanguage();
    return Languages.hasSnowball(l) ? Stemmer.snowball(l) : Stemmer.NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link Bm25Options}; the setters' messages name the option as Qdrant's JSON spells it. */
  public static final class Builder {
    private double k = 1.2;
    private double b = 0.75;
    private double avgLen = 256;
    private TokenizerType tokenizer = TokenizerType.WORD;
    private String language;
    private boolean lowercase = true;
    private boolean asciiFolding;
    private Stopwords stopwords;
    private Stemmer stemmer;
    private OptionalInt minTokenLen = OptionalInt.empty();
    private OptionalInt maxTokenLen = OptionalInt.empty();

    private Builder() {}

    public Builder k(double v) {
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException("k must be a finite number >= 0, got " + v);
      }
      k = v;
      return this;
    }

    public Builder b(double v) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("b must be between 0 and 1, got " + v);
      }
      b = v;
      return this;
    }

    public Builder avgLen(double v) {
      if (!Double.isFinite(v) || v <= 0) {
        throw new IllegalArgumentException("avg_len must be a finite number > 0, got " + v);
      }
      avgLen = v;
      return this;
    }

    public Builder tokenizer(TokenizerType v) {
      tokenizer = v;
      return this;
    }

    /** Null for the default (english); {@code "none"} turns off the language's stop words and stemmer. */
    public Builder language(String v) {
      if (v != null && !Languages.known(v)) {
        throw new IllegalArgumentException("unknown language '" + v + "'; one of " + Languages.STOPWORD_LANGUAGES
            .stream().sorted().toList() + ", a Snowball language " + Languages.snowballLanguages() + " or 'none'");
      }
      language = v;
      return this;
    }

    public Builder lowercase(boolean v) {
      lowercase = v;
      return this;
    }

    public Builder asciiFolding(boolean v) {
      asciiFolding = v;
      return this;
    }

    /** Null for the language's list. */
    public Builder stopwords(Stopwords v) {
      stopwords = v;
      return this;
    }

    /** Null for the language's stemmer. */
    public Builder stemmer(Stemmer v) {
      stemmer = v;
      return this;
    }

    public Builder minTokenLen(Integer v) {
      minTokenLen = length("min_token_len", v);
      return this;
    }

    public Builder maxTokenLen(Integer v) {
      maxTokenLen = length("max_token_len", v);
      return this;
    }

    private static OptionalInt length(String name, Integer v) {
      if (v == null) {
        return OptionalInt.empty();
      }
      if (v < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, got " + v);
      }
      return OptionalInt.of(v);
    }

    /**
     * The options. Fails when the default stop words of {@code language} do not ship here (only English's do) and
     * no {@code stopwords} were given, and when {@code min_token_len > max_token_len} (every token would go).
     */
    public Bm25Options build() {
      if (minTokenLen.isPresent() && maxTokenLen.isPresent() && minTokenLen.getAsInt() > maxTokenLen.getAsInt()) {
        throw new IllegalArgumentException("min_token_len " + minTokenLen.getAsInt() + " exceeds max_token_len "
            + maxTokenLen.getAsInt() + ": no token would be kept");
      }
      String l = language == null ? "english" : language;
      if (stopwords == null && Languages.STOPWORD_LANGUAGES.contains(l)) {
        StopWords.forLanguage(l);
      }
      return new Bm25Options(k, b, avgLen, tokenizer, language, lowercase, asciiFolding, stopwords, stemmer,
          minTokenLen, maxTokenLen);
    }
  }
}
