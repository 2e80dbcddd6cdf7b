package io.quiver.text;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.tartarus.snowball.SnowballStemmer;
import org.tartarus.snowball.ext.ArabicStemmer;
import org.tartarus.snowball.ext.ArmenianStemmer;
import org.tartarus.snowball.ext.DanishStemmer;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FinnishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.GreekStemmer;
import org.tartarus.snowball.ext.HungarianStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.NorwegianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.RomanianStemmer;
import org.tartarus.snowball.ext.RussianStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.tartarus.snowball.ext.SwedishStemmer;
import org.tartarus.snowball.ext.TamilStemmer;
import org.tartarus.snowball.ext.TurkishStemmer;

/**
 * The language names of Qdrant's text options: those with a Snowball stemmer (Qdrant's {@code SnowballLanguage}),
 * those with a stop word list (Qdrant's {@code Language}), and which stop word lists ship here (English only).
 */
final class Languages {
  /** Qdrant's {@code Language} enum: the values {@code stopwords} accepts. */
  static final Set<String> STOPWORD_LANGUAGES = Set.copyOf(List.of("arabic", "azerbaijani", "basque", "bengali",
      "catalan", "chinese", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hebrew", "hinglish",
      "hungarian", "indonesian", "italian", "japanese", "kazakh", "nepali", "norwegian", "portuguese", "romanian",
      "russian", "slovene", "spanish", "swedish", "tajik", "turkish"));

  /** Qdrant's {@code SnowballLanguage} enum, each with Lucene's generated Snowball stemmer. */
  private static final Map<String, Supplier<SnowballStemmer>> SNOWBALL = snowball();

  /** {@code "language": "none"}: Qdrant's documented (deprecated) way to turn off stop words and stemming. */
  static final String NONE = "none";

  private Languages() {}

  private static Map<String, Supplier<SnowballStemmer>> snowball() {
    Map<String, Supplier<SnowballStemmer>> m = new TreeMap<>();
    m.put("arabic", ArabicStemmer::new);
    m.put("armenian", ArmenianStemmer::new);
    m.put("danish", DanishStemmer::new);
    m.put("dutch", DutchStemmer::new);
    m.put("english", EnglishStemmer::new);
    m.put("finnish", FinnishStemmer::new);
    m.put("french", FrenchStemmer::new);
    m.put("german", GermanStemmer::new);
    m.put("greek", GreekStemmer::new);
    m.put("hungarian", HungarianStemmer::new);
    m.put("italian", ItalianStemmer::new);
    m.put("norwegian", NorwegianStemmer::new);
    m.put("portuguese", PortugueseStemmer::new);
    m.put("romanian", RomanianStemmer::new);
    m.put("russian", RussianStemmer::new);
    m.put("spanish", SpanishStemmer::new);
    m.put("swedish", SwedishStemmer::new);
    m.put("tamil", TamilStemmer::new);
    m.put("turkish", TurkishStemmer::new);
    return Map.copyOf(m);
  }

  static boolean hasSnowball(String language) {
    return SNOWBALL.containsKey(language);
  }

  static Set<String> snowballLanguages() {
    return new TreeSet<>(SNOWBALL.keySet());
  }

  /** A new (stateful, single-thread) stemmer for a language {@link #hasSnowball} accepts. */
  static SnowballStemmer newStemmer(String language) {
    Supplier<SnowballStemmer> s = SNOWBALL.get(language);
    if (s == null) {
      throw new IllegalArgumentException("no Snowball stemmer for '" + language + "'");
    }
    return s.get();
  }

  static boolean known(String language) {
    return NONE.equals(language) || STOPWORD_LANGUAGES.contains(language) || SNOWBALL.containsKey(language);
  }
}
