package io.quiver.cli.bench.disk;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as the command line writes them: {@code 134217728}, {@code 128m}, {@code 128MiB}, {@code 1.5g}. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

  private Sizes() {}

  /** Bytes of {@code text}; the units are binary (k = 1024). */
  static long parse(String option, String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " expects a size such as 512m, 1g or 134217728, got '" + text + "'");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
    if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException(option + " is out of range: " + text);
    }
    return (long) bytes;
  }
}
