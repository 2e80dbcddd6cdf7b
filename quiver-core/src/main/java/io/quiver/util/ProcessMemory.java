package io.quiver.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as the kernel counts it ({@code /proc/self/status}): what a memory limit or the OOM
 * killer sees, heap and native and mapped file pages together. -1 where there is no {@code /proc} (not Linux).
 */
public final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** Resident set size now ({@code VmRSS}), in bytes, or -1. */
  public static long residentBytes() {
    return field("VmRSS:");
  }

  /** The highest resident set size so far ({@code VmHWM}), in bytes, or -1. */
  public static long peakResidentBytes() {
    return field("VmHWM:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
