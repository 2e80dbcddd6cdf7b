package io.quiver.filter;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How a full-text condition is decided for one point, with a text index's analysis or without one. */
public final class TextMatching {
  private TextMatching() {}

  /**
   * With the field's analysis {@code a}: {@code text} holds when every query token is among the tokens of the
   * point's strings taken together, {@code text_any} when one is, {@code phrase} when the query's tokens appear
   * consecutively in one string. A query without tokens (empty, or only stop words) matches nothing.
   */
  public static boolean matches(TextAnalysis a, Condition.TextMatch.Kind kind, String text, List<String> strings) {
    if (strings.isEmpty()) {
      return false;
    }
    List<String> query = a.queryTokens(text);
    if (query.isEmpty()) {
      return false;
    }
    if (kind == Condition.TextMatch.Kind.PHRASE) {
      for (String s : strings) {
        if (hasPhrase(a.words(s), query)) {
          return true;
        }
      }
      return false;
    }
    Set<String> tokens = new HashSet<>();
    for (String s : strings) {
      tokens.addAll(a.indexTokens(s));
    }
    if (kind == Condition.TextMatch.Kind.TEXT_ANY) {
      for (String q : query) {
        if (tokens.contains(q)) {
          return true;
        }
      }
      return false;
    }
    return tokens.containsAll(new LinkedHashSet<>(query));
  }

  /**
   * Without a text index, Qdrant's fallback: {@code text} and {@code phrase} hold when some string contains
   * {@code text} as a substring (case-sensitive), {@code text_any} when some string contains one of its
   * whitespace-separated words.
   */
  public static boolean substring(Condition.TextMatch.Kind kind, String text, List<String> strings) {
    if (kind != Condition.TextMatch.Kind.TEXT_ANY) {
      for (String s : strings) {
        if (s.contains(text)) {
          return true;
        }
      }
      return false;
    }
    String[] words = text.strip().split("\\s+");
    for (String s : strings) {
      for (String w : words) {
        if (!w.isEmpty() && s.contains(w)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether {@code phrase} (non-empty) occurs as a consecutive run in {@code words}. */
  static boolean hasPhrase(List<String> words, List<String> phrase) {
    outer:
    for (int i = 0; i + phrase.size() <= words.size(); i++) {
      for (int j = 0; j < phrase.size(); j++) {
        if (!words.get(i + j).equals(phrase.get(j))) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether {@code phrase} (non-empty word ids) occurs as a consecutive run in one of {@code documents}. */
  public static boolean anyHasPhrase(int[][] documents, int[] phrase) {
    for (int[] words : documents) {
      outer:
      for (int i = 0; i + phrase.length <= words.length; i++) {
        for (int j = 0; j < phrase.length; j++) {
          if (words[i + j] != phrase[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }
}
