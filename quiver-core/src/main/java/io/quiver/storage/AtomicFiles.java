package io.quiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/** Crash-safe file replacement: a reader after a crash sees the old file or the new one, never a mix. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code target} via a temp file: write, fsync, rename over, fsync the directory. */
  private static final int WRITE_SLICE = 1 << 20;

  public static void write(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      // in slices: the JDK copies a heap buffer into a temporary direct one of the same size and keeps it cached
      // per thread, which for a 768 MB codes file held 768 MB of native memory for good
      for (int off = 0; off < bytes.length; off += WRITE_SLICE) {
        ByteBuffer buf = ByteBuffer.wrap(bytes, off, Math.min(WRITE_SLICE, bytes.length - off));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    move(tmp, target);
  }

  /** Renames atomically and fsyncs the target's directory so the rename itself survives a crash. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot rename " + from + " atomically", e);
    }
    syncDirectory(to.toAbsolutePath().getParent());
  }

  /** fsyncs a directory (its entries), where the platform allows opening one. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }

  /** Deletes a directory tree; missing is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
