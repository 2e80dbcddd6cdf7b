package io.quiver.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.tartarus.snowball.SnowballStemmer;

/**
 * The token stream of Qdrant's BM25 inference ({@code Tokenizer::tokenize_query} with its {@code TokensProcessor}):
 * split (word: at every non-alphanumeric character; whitespace: at Unicode white space), then per token, in this
 * order: ASCII folding (when on), lowercase (when on), drop stop words, Snowball stem, drop tokens whose length in
 * code points is below {@code min_token_len} or above {@code max_token_len}. The prefix tokenizer skips the stop words
 * and truncates to {@code max_token_len} code points instead of dropping. Immutable and thread-safe.
 */
final class QdrantTokenizer {
  private final Bm25Options.TokenizerType type;
  private final boolean lowercase;
  private final boolean asciiFolding;
  private final Set<String> stopwords;
  private final String stemmerLanguage;
  private final int minLen;
  private final int maxLen;

  QdrantTokenizer(Bm25Options options) {
    type = options.tokenizer();
    lowercase = options.lowercase();
    asciiFolding = options.asciiFolding();
    stopwords = options.resolvedStopwords();
    stemmerLanguage = options.resolvedStemmer().language();
    minLen = options.minTokenLen().orElse(0);
    maxLen = options.maxTokenLen().orElse(Integer.MAX_VALUE);
  }

  /** The processed tokens of {@code text}, in text order, repeats kept. */
  List<String> tokens(String text) {
    SnowballStemmer stemmer = stemmerLanguage == null ? null : Languages.newStemmer(stemmerLanguage);
    List<String> out = new ArrayList<>();
    int n = text.length();
    int start = -1;
    for (int i = 0; i <= n; ) {
      int cp = i < n ? text.codePointAt(i) : -1;
      boolean inToken = cp >= 0 && (type == Bm25Options.TokenizerType.WHITESPACE ? !isWhiteSpace(cp) : isAlphanumeric(cp));
      if (inToken && start < 0) {
        start = i;
      } else if (!inToken && start >= 0) {
        String token = process(text.substring(start, i), stemmer);
        if (token != null) {
          out.add(token);
        }
        start = -1;
      }
      i += cp >= 0 ? Character.charCount(cp) : 1;
    }
    return out;
  }

  private String process(String token, SnowballStemmer stemmer) {
    if (asciiFolding) {
      token = fold(token);
    }
    if (lowercase) {
      token = token.toLowerCase(Locale.ROOT);
    }
    boolean prefix = type == Bm25Options.TokenizerType.PREFIX;
    if (!prefix && stopwords.contains(token)) {
      return null;
    }
    if (stemmer != null) {
      stemmer.setCurrent(token);
      stemmer.stem();
      token = stemmer.getCurrent();
    }
    int length = token.codePointCount(0, token.length());
    if (length < minLen) {
      return null;
    }
    if (length > maxLen) {
      return prefix ? token.substring(0, token.offsetByCodePoints(0, maxLen)) : null;
    }
    return token;
  }

  /** Rust's {@code char::is_alphanumeric}: the Alphabetic property, or a number (Nd, Nl, No). */
  static boolean isAlphanumeric(int cp) {
    if (Character.isAlphabetic(cp)) {
      return true;
    }
    int t = Character.getType(cp);
    return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
  }

  /** Unicode's White_Space property (Rust's {@code split_whitespace}), which {@link Character#isWhitespace} is not. */
  static boolean isWhiteSpace(int cp) {
    return Character.isSpaceChar(cp) || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85;
  }

  /** Lucene's ASCIIFoldingFilter mapping, of which Qdrant's {@code ascii_folding} is a translation. */
  static String fold(String token) {
    boolean ascii = true;
    for (int i = 0; i < token.length() && ascii; i++) {
      ascii = token.charAt(i) < 0x80;
    }
    if (ascii) {
      return token;
    }
    char[] in = token.toCharArray();
    char[] out = new char[in.length * 4];
    int len = ASCIIFoldingFilter.foldToASCII(in, 0, out, 0, in.length);
    return new String(out, 0, len);
  }
}
