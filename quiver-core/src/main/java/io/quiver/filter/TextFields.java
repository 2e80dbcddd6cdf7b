package io.quiver.filter;

/** Which payload keys have a full-text index, and with which analysis: what a segment's payload index knows. */
@FunctionalInterface
public interface TextFields {
  /** No text index anywhere: full-text conditions use substring semantics. */
  TextFields NONE = key -> null;

  /** The analysis of the text index on {@code key}, or null when the key has none. */
  TextAnalysis analysis(String key);

  /** The text fields seen from inside the objects of the array at {@code key} ({@code key[].sub} for {@code sub}). */
  default TextFields nested(String key) {
    return this == NONE ? NONE : sub -> analysis(key + "[]." + sub);
  }
}
