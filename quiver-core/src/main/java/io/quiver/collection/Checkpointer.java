package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.calibration.CalibrationStore;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The collection's durable state outside the log: the manifest naming the sealed segments and the log position they
 * hold every write up to, the deletes file with their tombstones, and snapshot archives of all of it. Only the
 * optimizer thread (or a caller holding the optimizer lock) checkpoints, so manifests are written in order.
 */
final class Checkpointer {
  private final Path dir;
  private final ObjectMapper json;
  private final WriteAheadLog wal;
  private final SegmentHolder holder;
  /** The manifest last written. */
  private Manifest manifest;

  Checkpointer(Path dir, ObjectMapper json, WriteAheadLog wal, SegmentHolder holder, Manifest manifest) {
    this.dir = dir;
    this.json = json;
    this.wal = wal;
    this.holder = holder;
    this.manifest = manifest;
  }

  /** Removes segment directories and deletes files the manifest does not name (left by a crash mid-optimization). */
  static void removeOrphans(Path dir, Manifest manifest) throws IOException {
    Set<String> live = new HashSet<>();
    manifest.segments().forEach(e -> live.add(Manifest.segmentDirName(e.id())));
    try (Stream<Path> entries = Files.list(dir.resolve("segments"))) {
      for (Path p : entries.toList()) {
        if (!live.contains(p.getFileName().toString())) {
          AtomicFiles.deleteTree(p);
        }
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String f = p.getFileName().toString();
        if (f.startsWith("deletes-") && !f.equals(manifest.deletesFile())) {
          Files.deleteIfExists(p);
        } else if (f.startsWith(".snapshot-wal")) {
          AtomicFiles.deleteTree(p); // a snapshot interrupted by a crash
        }
      }
    }
  }

  /**
   * Writes a new deletes file and manifest naming the current sealed segments, with {@code lsn} as the point up to
   * which they hold every write, then drops log files wholly before it.
   */
  void checkpoint(long lsn) throws IOException {
    List<Segment> current = holder.segments;
    long generation = manifest.generation() + 1;
    Map<Long, long[]> bits = new LinkedHashMap<>();
    Map<Long, Integer> ordinals = new HashMap<>();
    List<Manifest.Entry> entries = new ArrayList<>();
    for (Segment s : current) {
      if (s instanceof SealedSegment) {
        entries.add(new Manifest.Entry(s.id, s.ordinals()));
        bits.put(s.id, s.deletedWords());
        ordinals.put(s.id, s.ordinals());
      }
    }
    // every tombstone copied above was set by a log record at or before lastLsn: make those durable first, or a
    // power loss could keep the tombstone and lose the record that wrote the point's new version
    wal.sync();
    String deletesFile = "deletes-" + String.format("%020d", generation) + ".bin";
    Manifest.writeDeletes(dir.resolve(deletesFile), bits, ordinals);
    Manifest next = new Manifest(generation, lsn, holder.nextSegmentId.get(), entries, deletesFile);
    next.write(dir, json);
    if (manifest.deletesFile() != null) {
      Files.deleteIfExists(dir.resolve(manifest.deletesFile()));
    }
    manifest = next;
    if (wal.lastLsn() == lsn) {
      wal.roll(); // nothing after the checkpoint: a fresh file lets every older one go
    }
    wal.truncateBefore(lsn + 1);
  }

  /** Rewrites the manifest and deletes file at the same log position, so tombstones since then are on disk. */
  void persistTombstones() throws IOException {
    checkpoint(manifest.checkpointLsn());
  }

  /**
   * Writes the manifest's segments, deletes file and the log records after its checkpoint (every write acknowledged
   * before the call) to one zip archive at {@code target}. The caller has flushed; writes may go on meanwhile.
   */
  void snapshot(Path target) throws IOException {
    holder.optimizerLock.lock(); // segment files named by the manifest stay in place while they are copied
    try {
      Manifest m;
      long upTo;
      holder.writeLock.lock();
      try {
        m = manifest;
        upTo = wal.lastLsn();
      } finally {
        holder.writeLock.unlock();
      }
      Path tmpWal = Files.createTempDirectory(dir, ".snapshot-wal");
      try {
        // the log records after the checkpoint, renumbered from 1 in a log of their own
        try (WriteAheadLog copy = WriteAheadLog.open(tmpWal, WalOptions.DEFAULT.withDurability(Durability.PERIODIC))) {
          wal.replay(m.checkpointLsn() + 1, (lsn, payload) -> {
            if (lsn <= upTo) {
              copy.write(payload);
            }
          });
          copy.sync();
        }
        Manifest archived = new Manifest(m.generation(), 0, m.nextSegmentId(), m.segments(), m.deletesFile());
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try (var zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
          zip.setLevel(Deflater.BEST_SPEED);
          addEntry(zip, "collection.json", dir.resolve("collection.json"));
          zip.putNextEntry(new ZipEntry(Manifest.FILE));
          zip.write(archived.toBytes(json));
          zip.closeEntry();
          if (m.deletesFile() != null) {
            addEntry(zip, m.deletesFile(), dir.resolve(m.deletesFile()));
          }
          if (Files.exists(dir.resolve(CalibrationStore.FILE))) {
            addEntry(zip, CalibrationStore.FILE, dir.resolve(CalibrationStore.FILE));
          }
          for (Manifest.Entry e : m.segments()) {
            String segName = Manifest.segmentDirName(e.id());
            try (Stream<Path> files = Files.list(dir.resolve("segments").resolve(segName))) {
              for (Path f : files.sorted().toList()) {
                addEntry(zip, "segments/" + segName + "/" + f.getFileName(), f);
              }
            }
          }
          try (Stream<Path> files = Files.list(tmpWal)) {
            for (Path f : files.sorted().toList()) {
              addEntry(zip, "wal/" + f.getFileName(), f);
            }
          }
        }
        try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        AtomicFiles.move(tmp, target);
      } finally {
        AtomicFiles.deleteTree(tmpWal);
      }
    } finally {
      holder.optimizerLock.unlock();
    }
  }

  private static void addEntry(ZipOutputStream zip, String entry, Path file) throws IOException {
    zip.putNextEntry(new ZipEntry(entry));
    Files.copy(file, zip);
    zip.closeEntry();
  }
}
