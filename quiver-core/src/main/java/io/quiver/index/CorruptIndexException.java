package io.quiver.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An index file cannot be trusted: foreign or damaged header, unsupported version, checksum mismatch, truncation,
 * or contents that contradict each other. The message names the file and the problem.
 */
public final class CorruptIndexException extends IOException {
  private final transient Path file;

  public CorruptIndexException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public CorruptIndexException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that failed the check. */
  public Path file() {
    return file;
  }
}
