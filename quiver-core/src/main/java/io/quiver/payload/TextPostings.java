package io.quiver.payload;

import io.quiver.filter.Condition;
import io.quiver.filter.TextMatching;
import io.quiver.text.TextAnalyzer;
import io.quiver.text.TextIndexParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * The inverted index of one text field: token to the ordinals with a string value holding it (a point's values
 * pooled, as Qdrant's {@code text} matches tokens spread over an array's elements), and with phrase matching the
 * word sequence of each string value per ordinal (a phrase must lie within one value), as ids into a vocabulary of
 * the words seen (ids are never reused, so removing a point leaves the vocabulary as it is). Not thread-safe:
 * {@link PayloadIndex} guards it.
 */
final class TextPostings {
  final TextAnalyzer analyzer;
  final Map<String, RoaringBitmap> postings;
  /** Ordinal to the word ids of each of its string values; null without phrase matching. */
  final Map<Integer, int[][]> documents;
  /** Word id to word, and back; empty without phrase matching. */
  final List<String> words;
  private final Map<String, Integer> wordIds;

  TextPostings(TextAnalyzer analyzer) {
    this(analyzer, new HashMap<>(), analyzer.params().phraseMatchingOrDefault() ? new HashMap<>() : null,
        new ArrayList<>());
  }

  TextPostings(TextAnalyzer analyzer, Map<String, RoaringBitmap> postings, Map<Integer, int[][]> documents,
      List<String> words) {
    this.analyzer = analyzer;
    this.postings = postings;
    this.documents = documents;
    this.words = words;
    this.wordIds = HashMap.newHashMap(words.size());
    for (int i = 0; i < words.size(); i++) {
      wordIds.put(words.get(i), i);
    }
  }

  /** Indexes the string values {@code strings} of a new ordinal. */
  void add(int ordinal, List<String> strings) {
    if (strings.isEmpty()) {
      return;
    }
    boolean prefix = analyzer.params().tokenizerOrDefault() == TextIndexParams.Tokenizer.PREFIX;
    int[][] docs = documents == null ? null : new int[strings.size()][];
    for (int i = 0; i < strings.size(); i++) {
      // without the prefix tokenizer a string's tokens are its words: analyse it once
      List<String> ws = documents != null || !prefix ? analyzer.words(strings.get(i)) : null;
      for (String t : prefix ? analyzer.indexTokens(strings.get(i)) : ws) {
        postings.computeIfAbsent(t, k -> new RoaringBitmap()).add(ordinal);
      }
      if (docs != null) {
        docs[i] = new int[ws.size()];
        for (int j = 0; j < docs[i].length; j++) {
          docs[i][j] = wordIds.computeIfAbsent(ws.get(j), w -> {
            words.add(w);
            return words.size() - 1;
          });
        }
      }
    }
    if (docs != null) {
      documents.put(ordinal, docs);
    }
  }

  /** Forgets {@code ordinal}, whose string values were {@code strings}. */
  void remove(int ordinal, List<String> strings) {
    for (String s : strings) {
      for (String t : analyzer.indexTokens(s)) {
        RoaringBitmap b = postings.get(t);
        if (b != null && b.checkedRemove(ordinal) && b.isEmpty()) {
          postings.remove(t);
        }
      }
    }
    if (documents != null) {
      documents.remove(ordinal);
    }
  }

  /**
   * The ordinals among {@code universe} where {@code kind} holds for {@code text}, or for a phrase without stored
   * word sequences the candidates holding every token (then {@code exact} is false).
   */
  Result match(Condition.TextMatch.Kind kind, String text, RoaringBitmap universe) {
    Set<String> tokens = new LinkedHashSet<>(analyzer.queryTokens(text));
    if (tokens.isEmpty()) {
      return new Result(new RoaringBitmap(), true);
    }
    if (kind == Condition.TextMatch.Kind.TEXT_ANY) {
      List<RoaringBitmap> lists = new ArrayList<>();
      for (String t : tokens) {
        RoaringBitmap b = postings.get(t);
        if (b != null) {
          lists.add(b);
        }
      }
      return new Result(RoaringBitmap.and(universe, RoaringBitmap.or(lists.iterator())), true);
    }
    RoaringBitmap all = universe.clone();
    for (String t : tokens) {
      RoaringBitmap b = postings.get(t);
      if (b == null) {
        return new Result(new RoaringBitmap(), true);
      }
      all.and(b);
    }
    if (kind == Condition.TextMatch.Kind.TEXT) {
      return new Result(all, true);
    }
    if (documents == null) {
      return new Result(all, false);
    }
    List<String> query = analyzer.queryTokens(text);
    int[] phrase = new int[query.size()];
    for (int i = 0; i < phrase.length; i++) {
      Integer id = wordIds.get(query.get(i));
      if (id == null) {
        return new Result(new RoaringBitmap(), true);
      }
      phrase[i] = id;
    }
    RoaringBitmap out = new RoaringBitmap();
    all.forEach((int o) -> {
      int[][] docs = documents.get(o);
      if (docs != null && TextMatching.anyHasPhrase(docs, phrase)) {
        out.add(o);
      }
    });
    return new Result(out, true);
  }

  record Result(RoaringBitmap ordinals, boolean exact) {}

  void compact() {
    postings.values().forEach(RoaringBitmap::runOptimize);
  }
}
