package io.quiver.filter;

import java.util.List;

/**
 * The analysis a full-text index applies to the strings of its field and to the text of a full-text condition. With
 * it, {@link Condition.TextMatch} compares tokens; without it (no text index on the key) the condition falls back to
 * Qdrant's substring semantics.
 */
public interface TextAnalysis {
  /** The word tokens of a stored string, in order: the positions a phrase is matched against. */
  List<String> words(String value);

  /**
   * The tokens a stored string is indexed under: its {@link #words}, or for a prefix tokenizer every prefix of each
   * word between the length bounds.
   */
  List<String> indexTokens(String value);

  /** The tokens of the text of a condition, in order. */
  List<String> queryTokens(String text);
}
