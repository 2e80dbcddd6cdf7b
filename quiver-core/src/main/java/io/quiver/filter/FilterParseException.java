package io.quiver.filter;

/** A malformed filter; the message starts with the JSON path of the offending element, e.g. {@code filter.must[1]}. */
public final class FilterParseException extends IllegalArgumentException {
  private final String path;

  public FilterParseException(String path, String problem) {
    super(path + ": " + problem);
    this.path = path;
  }

  /** JSON path of the offending element. */
  public String path() {
    return path;
  }
}
