package io.quiver.storage.wal;

import java.io.IOException;

/** The log holds a damaged record that is not a torn tail: data that was acknowledged cannot be trusted. */
public final class CorruptWalException extends IOException {
  public CorruptWalException(String message) {
    super(message);
  }
}
