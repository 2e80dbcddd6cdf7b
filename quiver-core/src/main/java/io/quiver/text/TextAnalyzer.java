package io.quiver.text;

import io.quiver.filter.TextAnalysis;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.UnicodeWhitespaceTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.apache.lucene.util.AttributeFactory;

/**
 * The analysis of one text index, built from Lucene's analysis components: a tokenizer ({@code word}: a
 * {@link CharTokenizer} splitting where Qdrant's does, at every character that is neither alphabetic nor numeric;
 * {@code whitespace}: {@link UnicodeWhitespaceTokenizer}; {@code multilingual}: {@link StandardTokenizer}, Unicode
 * word boundaries, without the dictionary segmentation of CJK and Thai that Qdrant's charabia does), then
 * {@link LowerCaseFilter}, {@link StopFilter}, {@link ASCIIFoldingFilter} and {@link SnowballFilter} as configured,
 * then the length bounds in code points. Stop words are removed before folding, so a list's accented words still
 * match. Thread-safe: Lucene keeps one token stream chain per thread.
 */
public final class TextAnalyzer implements TextAnalysis {
  /** Longest run of token characters kept as one token; a longer run is split into tokens of this length. */
  static final int MAX_WORD_CHARS = 4096;

  private final TextIndexParams params;
  private final Analyzer documents;
  private final Analyzer queries;
  private final int min;
  private final int max;

  public TextAnalyzer(TextIndexParams params) {
    this.params = params;
    this.min = params.minTokenLen() == null ? 0 : params.minTokenLen();
    this.max = params.maxTokenLen() == null ? Integer.MAX_VALUE : params.maxTokenLen();
    CharArraySet stop = params.stopwords() == null ? null
        : StopwordLists.of(params.stopwords(), params.lowercaseOrDefault());
    this.documents = chain(params, stop);
    // the prefix tokenizer keeps stop words in queries: a query may be the start of a longer word
    this.queries = params.tokenizerOrDefault() == TextIndexParams.Tokenizer.PREFIX ? chain(params, null) : documents;
  }

  public TextIndexParams params() {
    return params;
  }

  @Override
  public List<String> words(String value) {
    List<String> raw = run(documents, value);
    List<String> out = new ArrayList<>(raw.size());
    boolean prefix = params.tokenizerOrDefault() == TextIndexParams.Tokenizer.PREFIX;
    for (String w : raw) {
      int n = w.codePointCount(0, w.length());
      if (n < min || n == 0) {
        continue;
      }
      if (n > max) {
        if (!prefix) {
          continue;
        }
        w = w.substring(0, w.offsetByCodePoints(0, max));
      }
      out.add(w);
    }
    return out;
  }

  @Override
  public List<String> indexTokens(String value) {
    if (params.tokenizerOrDefault() != TextIndexParams.Tokenizer.PREFIX) {
      return words(value);
    }
    List<String> out = new ArrayList<>();
    int from = Math.max(1, min);
    for (String w : run(documents, value)) {
      int n = w.codePointCount(0, w.length());
      for (int len = from; len <= Math.min(n, max); len++) {
        out.add(w.substring(0, w.offsetByCodePoints(0, len)));
      }
    }
    return out;
  }

  @Override
  public List<String> queryTokens(String text) {
    if (params.tokenizerOrDefault() != TextIndexParams.Tokenizer.PREFIX) {
      return words(text);
    }
    List<String> out = new ArrayList<>();
    for (String w : run(queries, text)) {
      int n = w.codePointCount(0, w.length());
      if (n >= Math.max(1, min)) {
        out.add(n > max ? w.substring(0, w.offsetByCodePoints(0, max)) : w);
      }
    }
    return out;
  }

  private static List<String> run(Analyzer a, String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream("", new StringReader(text))) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
    return out;
  }

  private static Analyzer chain(TextIndexParams p, CharArraySet stop) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer source = tokenizer(p.tokenizerOrDefault());
        TokenStream ts = source;
        if (p.lowercaseOrDefault()) {
          ts = new LowerCaseFilter(ts);
        }
        if (stop != null) {
          ts = new StopFilter(ts, stop);
        }
        if (p.asciiFoldingOrDefault()) {
          ts = new ASCIIFoldingFilter(ts);
        }
        if (p.stemmer() != null) {
          ts = new SnowballFilter(ts, snowballName(p.stemmer()));
        }
        return new TokenStreamComponents(source, ts);
      }
    };
  }

  private static Tokenizer tokenizer(TextIndexParams.Tokenizer t) {
    return switch (t) {
      case WORD, PREFIX -> new WordTokenizer();
      case WHITESPACE -> new UnicodeWhitespaceTokenizer(AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, MAX_WORD_CHARS);
      case MULTILINGUAL -> {
        StandardTokenizer s = new StandardTokenizer();
        s.setMaxTokenLength(MAX_WORD_CHARS);
        yield s;
      }
    };
  }

  /** Lucene's Snowball class name for a Qdrant language name: "english" is "English". */
  private static String snowballName(String language) {
    return Character.toUpperCase(language.charAt(0)) + language.substring(1);
  }

  /** Qdrant's {@code word} split: a token is a run of alphabetic or numeric characters (Rust's is_alphanumeric). */
  private static final class WordTokenizer extends CharTokenizer {
    WordTokenizer() {
      super(AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, MAX_WORD_CHARS);
    }

    @Override
    protected boolean isTokenChar(int c) {
      if (Character.isAlphabetic(c)) {
        return true;
      }
      int type = Character.getType(c);
      return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
          || type == Character.OTHER_NUMBER;
    }
  }
}
