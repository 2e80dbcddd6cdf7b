package io.quiver.collection;

import java.io.IOException;

/** A segment, manifest or deletes file failed its checks (magic, version, size, checksum); the message names it. */
public final class CorruptSegmentException extends IOException {
  public CorruptSegmentException(String message) {
    super(message);
  }
}
