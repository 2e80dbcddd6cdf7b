package io.quiver.text;

/**
 * Malformed options of a text model; the message starts with the JSON path of the offending element, e.g.
 * {@code query.options.k}, so a server can answer 400 naming it.
 */
public final class TextOptionsException extends IllegalArgumentException {
  private final String path;

  public TextOptionsException(String path, String problem) {
    super(path + ": " + problem);
    this.path = path;
  }

  /** JSON path of the offending element. */
  public String path() {
    return path;
  }
}
