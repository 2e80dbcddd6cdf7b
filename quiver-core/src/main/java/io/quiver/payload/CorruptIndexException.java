package io.quiver.payload;

import java.io.IOException;

/** A serialized payload index that cannot be read: wrong magic, unknown version, bad checksum or truncated. */
public final class CorruptIndexException extends IOException {
  public CorruptIndexException(String message) {
    super(message);
  }
}
