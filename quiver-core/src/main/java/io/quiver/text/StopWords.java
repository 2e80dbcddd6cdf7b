package io.quiver.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/** Bundled stop word lists. */
public final class StopWords {
  /**
   * NLTK's English list (179 words, the list Qdrant's text index and FastEmbed's {@code Qdrant/bm25} use). Its
   * contracted forms ({@code don't}) never match a token of the word tokenizer, which splits at the apostrophe.
   */
  public static final Set<String> NLTK_ENGLISH = load("stopwords-english-nltk.txt");

  private StopWords() {}

  /** The bundled list of a Qdrant stop word language; only English ships. */
  static Set<String> forLanguage(String language) {
    if ("english".equals(language)) {
      return NLTK_ENGLISH;
    }
    throw new IllegalArgumentException("no stop word list for '" + language
        + "' ships with Quiver (only 'english'); give the words as {\"custom\": [...]} or [] for none");
  }

  private static Set<String> load(String resource) {
    try (InputStream in = StopWords.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      Set<String> words = new LinkedHashSet<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          words.add(line.strip());
        }
      }
      return Set.copyOf(words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
