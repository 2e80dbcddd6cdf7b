package io.quiver.cli.bench.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes this process (all its threads) caused to be fetched from storage, from {@code /proc/self/io}'s
 * {@code read_bytes}: page-cache misses of reads and of faults on mapped files, not bytes served from the cache.
 */
final class ProcIo {
  private static final Path FILE = Path.of("/proc/self/io");

  private ProcIo() {}

  /** The current {@code read_bytes}, or -1 where the file cannot be read. */
  static long readBytes() {
    try {
      for (String line : Files.readAllLines(FILE)) {
        if (line.startsWith("read_bytes:")) {
          return Long.parseLong(line.substring("read_bytes:".length()).trim());
        }
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
