package io.quiver.cli.bench.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child of this process's own cgroup v1 memory cgroup with a limit, for a process started inside it. The page cache
 * a member reads is charged to it, so the limit caps heap, native memory and cached file pages together; its
 * {@code memory.max_usage_in_bytes} is the high-water mark of all three. Closing removes the cgroup (the kernel moves
 * what is still charged to the parent).
 */
final class MemoryCgroup implements AutoCloseable {
  static final Path V1_ROOT = Path.of("/sys/fs/cgroup/memory");
  static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");

  private final Path dir;
  private final long limitBytes;

  private MemoryCgroup(Path dir, long limitBytes) {
    this.dir = dir;
    this.limitBytes = limitBytes;
  }

  /**
   * Creates {@code name} under this process's memory cgroup, found in {@code procSelfCgroup} and mounted at
   * {@code v1Root}, limited to {@code limitBytes}.
   *
   * @throws IOException saying why, when there is no cgroup v1 memory controller or it cannot be written (not root)
   */
  static MemoryCgroup create(Path v1Root, Path procSelfCgroup, String name, long limitBytes) throws IOException {
    String own = ownPath(procSelfCgroup);
    Path parent = v1Root.resolve(own.startsWith("/") ? own.substring(1) : own);
    if (!Files.isDirectory(parent)) {
      throw new IOException("--mem-cap needs the cgroup v1 memory hierarchy, but " + parent
          + " (this process's memory cgroup) does not exist");
    }
    Path dir = parent.resolve(name);
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      throw new IOException("--mem-cap cannot create the memory cgroup " + dir + " (it needs root and a writable"
          + " cgroup v1 memory hierarchy): " + e, e);
    }
    try {
      Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
      long set = Long.parseLong(Files.readString(dir.resolve("memory.limit_in_bytes")).trim());
      return new MemoryCgroup(dir, set);
    } catch (IOException | NumberFormatException e) {
      removeQuietly(dir);
      throw new IOException("--mem-cap cannot set memory.limit_in_bytes of " + dir + ": " + e, e);
    }
  }

  /** This process's memory cgroup path from a {@code /proc/self/cgroup} file (cgroup v1 line with "memory"). */
  static String ownPath(Path procSelfCgroup) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(procSelfCgroup);
    } catch (IOException e) {
      throw new IOException("--mem-cap cannot read " + procSelfCgroup + ": " + e, e);
    }
    for (String line : lines) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && List.of(parts[1].split(",")).contains("memory")) {
        return parts[2];
      }
    }
    throw new IOException("--mem-cap needs a cgroup v1 memory controller, and " + procSelfCgroup
        + " names none (cgroup v2 only, or no memory controller)");
  }

  /** The file a process writes its pid to in order to join. */
  Path procsFile() {
    return dir.resolve("cgroup.procs");
  }

  /** The limit as the kernel holds it (rounded to pages). */
  long limitBytes() {
    return limitBytes;
  }

  /** The high-water mark of memory charged to the cgroup: heap, native, page cache. */
  long peakBytes() throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("memory.max_usage_in_bytes")).trim());
  }

  /** Anonymous memory charged now (heap, native, thread stacks): memory.stat's {@code rss}, 0 when unreadable. */
  long anonymousBytes() {
    try {
      for (String line : Files.readAllLines(dir.resolve("memory.stat"))) {
        if (line.startsWith("rss ")) {
          return Long.parseLong(line.substring("rss ".length()).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** Times a member was killed by the OOM killer for this cgroup's limit (0 when the kernel does not say). */
  long oomKills() {
    try {
      for (String line : Files.readAllLines(dir.resolve("memory.oom_control"))) {
        if (line.startsWith("oom_kill ")) {
          return Long.parseLong(line.substring("oom_kill ".length()).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() {
    removeQuietly(dir);
  }

  /** rmdir, retried briefly: the kernel refuses while the exited member is still being torn down. */
  private static void removeQuietly(Path dir) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    System.err.println("warning: could not remove the memory cgroup " + dir);
  }
}
