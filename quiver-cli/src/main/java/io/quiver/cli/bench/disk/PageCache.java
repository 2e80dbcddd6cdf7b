package io.quiver.cli.bench.disk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Evicts chosen files from the page cache with {@code posix_fadvise(POSIX_FADV_DONTNEED)} through the FFM linker,
 * never with {@code /proc/sys/vm/drop_caches}, which empties the cache of every process on the machine. The kernel
 * keeps pages that some process has mapped and touched, so callers unmap (close the index) before evicting and check
 * with {@link #residentBytes} what is left.
 */
final class PageCache {
  private static final int O_RDONLY = 0;
  private static final int POSIX_FADV_DONTNEED = 4;
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN;
  private static final MethodHandle FADVISE;
  private static final MethodHandle CLOSE;
  private static final Throwable UNAVAILABLE;

  static {
    MethodHandle open = null;
    MethodHandle fadvise = null;
    MethodHandle close = null;
    Throwable failure = null;
    try {
      Linker linker = Linker.nativeLinker();
      Linker.Option errno = Linker.Option.captureCallState("errno");
      open = linker.downcallHandle(linker.defaultLookup().findOrThrow("open"),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
      fadvise = linker.downcallHandle(linker.defaultLookup().findOrThrow("posix_fadvise"),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
      close = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    } catch (RuntimeException | LinkageError e) { // IllegalCallerException without --enable-native-access
      failure = e;
    }
    OPEN = open;
    FADVISE = fadvise;
    CLOSE = close;
    UNAVAILABLE = failure;
  }

  private PageCache() {}

  /** Evicts every regular file under {@code root} (a file or a directory tree). */
  static void evict(Path root) throws IOException {
    for (Path f : files(root)) {
      evictFile(f);
    }
  }

  static void evictFile(Path file) throws IOException {
    if (UNAVAILABLE != null) {
      throw new IOException("cannot evict " + file + " from the page cache: posix_fadvise is not callable here ("
          + UNAVAILABLE + "); run with --enable-native-access=ALL-UNNAMED on Linux", UNAVAILABLE);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString(), StandardCharsets.UTF_8), O_RDONLY);
      if (fd < 0) {
        throw new IOException("cannot open " + file + " to evict it from the page cache: errno "
            + (int) ERRNO.get(state, 0L));
      }
      try {
        int rc = (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
        if (rc != 0) {
          throw new IOException("posix_fadvise(DONTNEED) on " + file + " failed: error " + rc);
        }
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("posix_fadvise on " + file + " failed", e);
    }
  }

  /**
   * Bytes of the files under {@code root} still in the page cache, as {@code fincore} reports them, or -1 when
   * fincore is not installed or fails.
   */
  static long residentBytes(Path root) {
    try {
      List<String> cmd = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--output", "RES"));
      for (Path f : files(root)) {
        cmd.add(f.toString());
      }
      if (cmd.size() == 5) {
        return 0;
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return -1;
      }
      long sum = 0;
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          sum += Long.parseLong(line.trim());
        }
      }
      return sum;
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static List<Path> files(Path root) throws IOException {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
