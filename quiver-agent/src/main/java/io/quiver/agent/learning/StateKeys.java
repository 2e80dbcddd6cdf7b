package io.quiver.agent.learning;

import io.quiver.QuiverException;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The key a state or action text is learned under: Unicode NFKC, lower case, runs of white space collapsed to one
 * space, trimmed. Two texts that differ only in case or spacing are the same state.
 */
final class StateKeys {
  /** Longest key accepted; a state is a description, not a document. */
  static final int MAX_LENGTH = 4096;
  private static final Pattern SPACE = Pattern.compile("\\s+");

  private StateKeys() {}

  /** The normalised key of {@code text}; {@code path} names the field in errors. */
  static String key(String text, String path) {
    if (text == null) {
      throw new QuiverException.InvalidInput(path + " is required");
    }
    String k = SPACE.matcher(Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT))
        .replaceAll(" ").trim();
    if (k.isEmpty()) {
      throw new QuiverException.InvalidInput(path + " must not be blank");
    }
    if (k.length() > MAX_LENGTH) {
      throw new QuiverException.InvalidInput(path + " is longer than " + MAX_LENGTH + " characters");
    }
    return k;
  }

  /** An action name: trimmed, non-blank, at most {@link #MAX_LENGTH} characters (case kept). */
  static String action(String text, String path) {
    if (text == null) {
      throw new QuiverException.InvalidInput(path + " is required");
    }
    String a = text.trim();
    if (a.isEmpty()) {
      throw new QuiverException.InvalidInput(path + " must not be blank");
    }
    if (a.length() > MAX_LENGTH) {
      throw new QuiverException.InvalidInput(path + " is longer than " + MAX_LENGTH + " characters");
    }
    return a;
  }
}
