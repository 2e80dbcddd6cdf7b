package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import io.quiver.calibration.CalibrationStore;
import io.quiver.check.CheckReport;
import io.quiver.index.hnsw.HnswIndex;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WalVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Read-only consistency check of one collection directory (Lucene's CheckIndex for Quiver): the configuration, the
 * manifest and its deletes file, every file of every sealed segment with its checksums (as a writable open checks
 * them, but nothing is rebuilt or written), point ids unique among live points across segments, level-0
 * reachability of every sealed HNSW graph, and the write-ahead log's framing and records after the checkpoint.
 * Findings name the file; the directory must not be open in a running process (the database checker holds its
 * lock).
 */
public final class CollectionChecker {
  private final Path dir;
  private final ObjectMapper json;
  private final CheckReport report;

  private CollectionChecker(Path dir, ObjectMapper json, CheckReport report) {
    this.dir = dir;
    this.json = json;
    this.report = report;
  }

  /** Checks the collection in {@code dir}, adding its findings and one summary line to {@code report}. */
  public static void check(String name, Path dir, ObjectMapper json, CheckReport report) {
    new CollectionChecker(dir, json, report).run(name);
  }

  private void run(String name) {
    Path configFile = dir.resolve("collection.json");
    CollectionConfig config;
    try {
      config = ConfigCodec.fromJson(json.readTree(configFile.toFile()));
    } catch (IOException | RuntimeException e) {
      report.problem(configFile, "unreadable configuration: " + e.getMessage());
      report.summary(name + ": not checked further (no configuration)");
      return;
    }
    Manifest manifest;
    try {
      manifest = Manifest.read(dir, json);
    } catch (IOException | RuntimeException e) {
      report.problem(dir.resolve(Manifest.FILE), message(e));
      manifest = null;
    }
    long livePoints = 0;
    int segments = 0;
    if (manifest != null) {
      Map<Long, long[]> deletes = readDeletes(manifest);
      checkLeftovers(manifest);
      Map<PointId, Long> owner = new HashMap<>();
      for (Manifest.Entry e : manifest.segments()) {
        livePoints += checkSegment(e, config, deletes == null ? Map.of() : deletes, owner);
        segments++;
      }
    }
    String calibration = CalibrationStore.check(dir);
    if (calibration != null) {
      report.note(dir.resolve(CalibrationStore.FILE), calibration + " (derived data: ignored at open, replaced by the"
          + " next calibration)");
    }
    long records = checkLog(manifest == null ? 0 : manifest.checkpointLsn());
    report.summary(String.format("%s: %d sealed segment(s) with %d live point(s), %d log record(s) after the"
        + " checkpoint", name, segments, livePoints, records));
  }

  /** The deletes file the manifest names, checked against the manifest's segments; null when unreadable. */
  private Map<Long, long[]> readDeletes(Manifest manifest) {
    if (manifest.deletesFile() == null) {
      return Map.of();
    }
    Path file = dir.resolve(manifest.deletesFile());
    if (!Files.exists(file)) {
      report.problem(file, "the deletes file named by the manifest is missing");
      return null;
    }
    Map<Long, long[]> deletes;
    try {
      deletes = Manifest.readDeletes(file);
    } catch (IOException | RuntimeException e) {
      report.problem(file, message(e));
      return null;
    }
    Map<Long, Integer> ordinals = new HashMap<>();
    manifest.segments().forEach(e -> ordinals.put(e.id(), e.ordinals()));
    for (var e : deletes.entrySet()) {
      Integer n = ordinals.get(e.getKey());
      if (n == null) {
        report.problem(file, "holds tombstones of segment " + e.getKey() + ", which the manifest does not name");
        continue;
      }
      long[] words = e.getValue();
      for (int w = 0; w < words.length; w++) {
        long beyond = w * 64L + 63 - Long.numberOfLeadingZeros(words[w]);
        if (words[w] != 0 && beyond >= n) {
          report.problem(file, "tombstone of ordinal " + beyond + " in segment " + e.getKey() + ", which has " + n);
          break;
        }
      }
    }
    return deletes;
  }

  /** Segment directories and deletes files the manifest does not name: crash leftovers a writable open removes. */
  private void checkLeftovers(Manifest manifest) {
    Set<String> named = new HashSet<>();
    manifest.segments().forEach(e -> named.add(Manifest.segmentDirName(e.id())));
    Path segmentsDir = dir.resolve("segments");
    if (Files.isDirectory(segmentsDir)) {
      try (Stream<Path> s = Files.list(segmentsDir)) {
        s.filter(p -> !named.contains(p.getFileName().toString())).sorted().forEach(p -> report.note(p,
            "segment directory not named by the manifest (left by an interrupted optimization; removed at open)"));
      } catch (IOException e) {
        report.problem(segmentsDir, "cannot list: " + e.getMessage());
      }
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith("deletes-"))
          .filter(p -> !p.getFileName().toString().equals(manifest.deletesFile())).sorted()
          .forEach(p -> report.note(p, "deletes file not named by the manifest (superseded; removed at open)"));
    } catch (IOException e) {
      report.problem(dir, "cannot list: " + e.getMessage());
    }
  }

  /** Opens one sealed segment read-only and checks it; returns its live points. */
  private long checkSegment(Manifest.Entry e, CollectionConfig config, Map<Long, long[]> deletes,
      Map<PointId, Long> owner) {
    Path segDir = dir.resolve("segments").resolve(Manifest.segmentDirName(e.id()));
    SealedSegment seg;
    try {
      seg = SealedSegment.openReadOnly(e.id(), segDir, e.ordinals(), config, json);
    } catch (IOException | RuntimeException ex) {
      report.problem(segDir, message(ex));
      return 0;
    }
    try {
      long[] words = deletes.getOrDefault(e.id(), new long[0]);
      for (int w = 0; w < words.length; w++) {
        for (long bits = words[w]; bits != 0; bits &= bits - 1) {
          int ord = w * 64 + Long.numberOfTrailingZeros(bits);
          if (ord < e.ordinals()) {
            seg.markDeleted(ord);
          }
        }
      }
      if (seg.payloadIndexStale()) {
        report.note(segDir.resolve(SealedSegment.PAYLOAD_INDEX),
            "missing or behind the payload schema (derived data: rebuilt at the next open)");
      }
      long live = 0;
      for (int ord = 0; ord < e.ordinals(); ord++) {
        if (seg.isDeleted(ord)) {
          continue;
        }
        PointId id = seg.idOf(ord);
        Long before = owner.putIfAbsent(id, e.id());
        if (before == null) {
          live++;
        } else {
          // only a crash between two manifest writes leaves this; open keeps the later segment's version
          report.note(segDir.resolve("ids.bin"), "point id " + id + " (ordinal " + ord + ") is also live in"
              + " segment " + before + " (the open keeps the version of the segment listed later in the manifest)");
        }
      }
      for (DiskField f : seg.diskFields().values()) {
        try {
          f.index().verify(); // every node block's and the float vectors' checksums (open checks the rest)
        } catch (CorruptFileException ex) {
          report.problem(f.file(), message(ex));
        }
      }
      for (Map.Entry<String, HnswIndex> g : seg.graphs().entrySet()) {
        int[] unreachable = g.getValue().unreachableOnLevel0();
        long liveUnreachable = Arrays.stream(unreachable).filter(o -> !seg.isDeleted(o)).count();
        if (liveUnreachable > 0) {
          int first = Arrays.stream(unreachable).filter(o -> !seg.isDeleted(o)).findFirst().getAsInt();
          // the level-0 repair at seal is best effort (a bounded number of passes): a search quality issue, not
          // damage; exact scans and small filtered searches still find these points
          report.note(segDir.resolve(SealedSegment.fieldFile(g.getKey()) + ".hnsw"), liveUnreachable
              + " live node(s) unreachable from the entry point on level 0 (first: ordinal " + first + ", id "
              + seg.idOf(first) + "): an unfiltered graph search cannot return them");
        }
      }
      return live;
    } finally {
      seg.closeResources();
    }
  }

  /** Verifies the log's framing and decodes each record; returns the records after {@code checkpointLsn}. */
  private long checkLog(long checkpointLsn) {
    Path walDir = dir.resolve("wal");
    if (!Files.isDirectory(walDir)) {
      if (checkpointLsn > 0) {
        report.problem(walDir, "the write-ahead log directory is missing");
      }
      return 0;
    }
    long[] after = {0};
    WalVerifier.Verification v;
    try {
      v = WalVerifier.verify(walDir, WalOptions.DEFAULT.maxRecordBytes(), (lsn, payload) -> {
        try {
          WalOp.decode(payload, json);
        } catch (IOException | RuntimeException e) {
          throw new IOException("record with LSN " + lsn + " does not decode: " + e.getMessage(), e);
        }
        if (lsn > checkpointLsn) {
          after[0]++;
        }
      });
    } catch (IOException | RuntimeException e) {
      report.problem(walDir, message(e));
      return after[0];
    }
    if (v.tornTailBytes() > 0) {
      report.note(v.files().isEmpty() ? walDir : v.files().getLast(), v.tornTailBytes() + " byte(s) after the last"
          + " valid record (a write torn by a crash, never acknowledged; truncated at open)");
    }
    long start = v.records() > 0 ? v.firstLsn() : v.nextLsn();
    if (!v.files().isEmpty() && start > checkpointLsn + 1) {
      report.problem(v.files().getFirst(), "the log starts at LSN " + start + " but the manifest's checkpoint is "
          + checkpointLsn + ": records " + (checkpointLsn + 1) + ".." + (start - 1) + " are lost");
    } else if (v.nextLsn() <= checkpointLsn) {
      report.problem(walDir, "the log would go on at LSN " + v.nextLsn() + ", at or below the manifest's checkpoint "
          + checkpointLsn + ": the recovery after the next open would skip what is written then");
    }
    return after[0];
  }

  /** An exception's message, which for Quiver's corruption exceptions names the file; else its class too. */
  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : e instanceof IOException ? m : e.getClass().getSimpleName()
        + ": " + m;
  }
}
