package io.quiver.text;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.bn.BengaliAnalyzer;
import org.apache.lucene.analysis.ca.CatalanAnalyzer;
import org.apache.lucene.analysis.da.DanishAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.el.GreekAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.eu.BasqueAnalyzer;
import org.apache.lucene.analysis.fi.FinnishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.hu.HungarianAnalyzer;
import org.apache.lucene.analysis.id.IndonesianAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.ne.NepaliAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.no.NorwegianAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.ro.RomanianAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.sv.SwedishAnalyzer;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;

/**
 * Predefined stop word lists by Qdrant's language name, taken from Lucene's analyzers (Lucene's lists, not the NLTK
 * lists Qdrant ships: English has Lucene's 33 words). Qdrant languages without a Lucene list (azerbaijani, chinese,
 * hebrew, hinglish, japanese, kazakh, slovene, tajik) are refused rather than silently ignored.
 */
public final class StopwordLists {
  private static final Map<String, Supplier<CharArraySet>> LISTS = Map.ofEntries(
      Map.entry("arabic", ArabicAnalyzer::getDefaultStopSet),
      Map.entry("basque", BasqueAnalyzer::getDefaultStopSet),
      Map.entry("bengali", BengaliAnalyzer::getDefaultStopSet),
      Map.entry("catalan", CatalanAnalyzer::getDefaultStopSet),
      Map.entry("danish", DanishAnalyzer::getDefaultStopSet),
      Map.entry("dutch", DutchAnalyzer::getDefaultStopSet),
      Map.entry("english", () -> EnglishAnalyzer.ENGLISH_STOP_WORDS_SET),
      Map.entry("finnish", FinnishAnalyzer::getDefaultStopSet),
      Map.entry("french", FrenchAnalyzer::getDefaultStopSet),
      Map.entry("german", GermanAnalyzer::getDefaultStopSet),
      Map.entry("greek", GreekAnalyzer::getDefaultStopSet),
      Map.entry("hungarian", HungarianAnalyzer::getDefaultStopSet),
      Map.entry("indonesian", IndonesianAnalyzer::getDefaultStopSet),
      Map.entry("italian", ItalianAnalyzer::getDefaultStopSet),
      Map.entry("nepali", NepaliAnalyzer::getDefaultStopSet),
      Map.entry("norwegian", NorwegianAnalyzer::getDefaultStopSet),
      Map.entry("portuguese", PortugueseAnalyzer::getDefaultStopSet),
      Map.entry("romanian", RomanianAnalyzer::getDefaultStopSet),
      Map.entry("russian", RussianAnalyzer::getDefaultStopSet),
      Map.entry("spanish", SpanishAnalyzer::getDefaultStopSet),
      Map.entry("swedish", SwedishAnalyzer::getDefaultStopSet),
      Map.entry("turkish", TurkishAnalyzer::getDefaultStopSet));

  /** The languages with a list. */
  public static final Set<String> LANGUAGES = LISTS.keySet();

  private StopwordLists() {}

  /**
   * The union of {@code stopwords}' language lists and custom words; every word is also added lowercased when
   * {@code lowercase} is on, since the stop filter sees tokens after lowercasing.
   */
  static CharArraySet of(TextIndexParams.Stopwords stopwords, boolean lowercase) {
    CharArraySet out = new CharArraySet(64, false);
    for (String l : stopwords.languages()) {
      for (Object w : LISTS.get(l).get()) {
        out.add(new String((char[]) w));
      }
    }
    for (String w : stopwords.custom()) {
      out.add(w);
      if (lowercase) {
        out.add(w.toLowerCase(Locale.ROOT));
      }
    }
    return CharArraySet.unmodifiableSet(out);
  }
}
