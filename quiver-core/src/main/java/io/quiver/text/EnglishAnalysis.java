package io.quiver.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * Lucene's English analysis chain: StandardTokenizer (Unicode UAX#29 word boundaries, so {@code 3.5} and
 * {@code U.S.A} stay whole), possessive {@code 's} removal, lowercase, stop words, then a stemmer. The
 * {@link Analyzer} keeps per-thread components: close it when done. The variants exist to be measured against
 * each other ({@link QuiverBm25.Config}); the chains are built here only.
 */
public final class EnglishAnalysis {
  /** The stemmer at the end of the chain. */
  public enum Stemming {
    /** Porter's original algorithm (Lucene's EnglishAnalyzer default). */
    PORTER,
    /** Snowball English (Porter2), as {@code qdrant/bm25}. */
    SNOWBALL,
    NONE
  }

  /** Stop word lists. */
  public enum StopList {
    /** Lucene's 33 English stop words (EnglishAnalyzer's default). */
    LUCENE,
    /** NLTK's 179, as {@code qdrant/bm25}. */
    NLTK,
    NONE
  }

  private EnglishAnalysis() {}

  static Analyzer analyzer(StopList stopList, Stemming stemming) {
    CharArraySet stop = switch (stopList) {
      case LUCENE -> EnglishAnalyzer.ENGLISH_STOP_WORDS_SET;
      case NLTK -> CharArraySet.unmodifiableSet(new CharArraySet(StopWords.NLTK_ENGLISH, false));
      case NONE -> CharArraySet.EMPTY_SET;
    };
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        StandardTokenizer source = new StandardTokenizer();
        TokenStream ts = new EnglishPossessiveFilter(source);
        ts = new LowerCaseFilter(ts);
        ts = new StopFilter(ts, stop);
        ts = switch (stemming) {
          case PORTER -> new PorterStemFilter(ts);
          case SNOWBALL -> new SnowballFilter(ts, new EnglishStemmer());
          case NONE -> ts;
        };
        return new TokenStreamComponents(source, ts);
      }
    };
  }

  /** The terms of {@code text}, in order, repeats kept. */
  static List<String> terms(Analyzer analyzer, String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
