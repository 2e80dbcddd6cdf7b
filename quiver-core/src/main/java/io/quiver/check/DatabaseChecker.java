package io.quiver.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.collection.CollectionChecker;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Read-only consistency check of a database directory ({@code quiver check}): holds the directory's lock so no
 * process opens it meanwhile, then checks the aliases and every collection with {@link CollectionChecker}. Nothing
 * is written or repaired: states a writable open repairs by itself (a torn log tail, crash leftovers) are notes,
 * everything else is a problem naming its file.
 */
public final class DatabaseChecker {
  private DatabaseChecker() {}

  /**
   * Checks the database in {@code root} ({@code only}: just these collections, or all when empty).
   *
   * @throws IOException when the directory is not a Quiver database or is open in another process
   */
  public static CheckReport check(Path root, List<String> only) throws IOException {
    Path collections = root.resolve("collections");
    if (!Files.isDirectory(collections)) {
      throw new NoSuchFileException(root.toString(), null, "not a Quiver database directory (no collections/)");
    }
    Path lockFile = root.resolve(".lock");
    try (FileChannel lockChannel = Files.exists(lockFile)
        ? FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE) : null) {
      FileLock lock = lockChannel == null ? null : tryLock(lockChannel);
      if (lockChannel != null && lock == null) {
        throw new IOException(root + " is open in another process: stop it, or check a copy or a snapshot");
      }
      try {
        return checkLocked(root, collections, only);
      } finally {
        if (lock != null) {
          lock.release();
        }
      }
    }
  }

  /** The lock, or null when another process (or another open in this JVM) holds it. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static CheckReport checkLocked(Path root, Path collections, List<String> only) throws IOException {
    ObjectMapper json = new ObjectMapper();
    CheckReport report = new CheckReport();
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(collections)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(".")) {
          report.note(p, "an interrupted create, restore or delete (removed at open)");
        } else if (Files.isDirectory(p)) {
          names.add(n);
        } else {
          report.problem(p, "a file where a collection directory belongs");
        }
      }
    }
    for (String wanted : only) {
      if (!names.contains(wanted)) {
        report.problem(collections.resolve(wanted), "no such collection");
      }
    }
    checkAliases(root.resolve("aliases.json"), names, json, report);
    for (String n : names) {
      if (only.isEmpty() || only.contains(n)) {
        CollectionChecker.check(n, collections.resolve(n), json, report);
      }
    }
    return report;
  }

  private static void checkAliases(Path file, List<String> names, ObjectMapper json, CheckReport report) {
    if (!Files.exists(file)) {
      return;
    }
    JsonNode node;
    try {
      node = json.readTree(file.toFile());
    } catch (IOException e) {
      report.problem(file, "unreadable: " + e.getMessage());
      return;
    }
    if (!node.isObject()) {
      report.problem(file, "expected a JSON object of alias -> collection");
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual() || !names.contains(e.getValue().asText())) {
        report.problem(file, "alias " + e.getKey() + " names collection " + e.getValue() + ", which does not exist");
      }
    }
  }
}
