package io.quiver.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file of the database cannot be trusted: a foreign or damaged header, an unsupported version, a checksum
 * mismatch, truncation, or contents that contradict each other or the manifest. The message names the file and the
 * problem; opening refuses the file rather than serve or drop data it cannot vouch for.
 */
public final class CorruptFileException extends IOException {
  private final transient Path file;
  private final String problem;

  /**
   * @param file the damaged file, or null for bytes that did not come from a file (a stream or buffer the caller
   *     read; it rethrows with the file once it knows it)
   * @param problem what is wrong, without the file name
   */
  public CorruptFileException(Path file, String problem) {
    this(file, problem, null);
  }

  public CorruptFileException(Path file, String problem, Throwable cause) {
    super(file == null ? problem : file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file that failed the check, or null when the bytes did not come from a file. */
  public Path file() {
    return file;
  }

  /** What is wrong with it. */
  public String problem() {
    return problem;
  }
}
