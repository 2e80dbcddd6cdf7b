package io.quiver.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WalVerifier;
import io.quiver.storage.wal.WriteAheadLog;
import io.quiver.testing.RandomizedTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database with sealed segments (payload index, payload links, int8 codes), tombstones and log records after the
 * checkpoint passes the check; then one file of each kind is damaged in a copy, and the check must fail naming it.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class DatabaseCheckerTest extends RandomizedTest {
  private static final int DIM = 8;
  @TempDir Path tmp;
  private Path clean;
  private long livePoints;

  @BeforeEach
  void buildDatabase() throws Exception {
    Random rnd = random();
    clean = tmp.resolve("clean");
    ObjectMapper json = new ObjectMapper();
    try (Quiver db = Quiver.open(clean)) {
      Collection c = db.createCollection("docs", CollectionConfig.builder()
          .vector(VectorParams.of(DIM, Metric.L2)).payloadIndex("tag", FieldSchema.KEYWORD).sealThreshold(600)
          .quantization(QuantizationConfig.int8(0.99f)).build());
      int n = 1500 + rnd.nextInt(500);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          v[d] = (float) rnd.nextGaussian() + (i % 3) * 4;
        }
        points.add(Point.of(i, v, json.createObjectNode().put("tag", "t" + (i % 3))));
      }
      c.upsert(points);
      List<PointId> gone = new ArrayList<>();
      for (int i = 0; i < n; i += 7) {
        gone.add(PointId.of(i));
      }
      c.delete(gone);
      c.flush(); // seals: segments, deletes file, checkpoint
      c.upsert(Point.of(n, new float[DIM], json.createObjectNode().put("tag", "after")));
      livePoints = n - gone.size() + 1;
      db.createAlias("main", "docs");
    }
  }

  private Path copy(String name) throws IOException {
    Path target = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(clean)) {
      for (Path p : files.toList()) {
        Path to = target.resolve(clean.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }

  private static Path find(Path root, String glob) throws IOException {
    var matcher = root.getFileSystem().getPathMatcher("glob:" + glob);
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> matcher.matches(p.getFileName())).sorted().findFirst()
          .orElseThrow(() -> new AssertionError("no file " + glob + " under " + root));
    }
  }

  /** Flips one byte inside the file, away from its first 4 bytes (so the check cannot rely on the magic alone). */
  private void flipByte(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long len = f.length();
      long at = Math.min(len - 1, 4 + random().nextLong(Math.max(1, len - 4)));
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ (1 + random().nextInt(255)));
    }
  }

  @Test
  void aCleanDatabasePasses() throws Exception {
    CheckReport report = DatabaseChecker.check(clean, List.of());
    assertThat(report.problems()).as("%s", report.findings()).isEmpty();
    assertThat(report.summary()).singleElement().asString().startsWith("docs: ");
    // close() may seal the last point or leave it in the log: either way every live point is counted once
    Matcher m = Pattern.compile("with (\\d+) live point\\(s\\), (\\d+) log record").matcher(report.summary().get(0));
    assertThat(m.find()).isTrue();
    assertThat(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))).isEqualTo(livePoints);
  }

  @Test
  void eachKindOfDamagedFileIsAProblemNamingIt() throws Exception {
    String[] kinds = {"ids.bin", "payloads.bin", "payload-index.bin", "field-default.vec", "field-default.hnsw",
        "field-default.plinks", "field-default.qparams", "field-default.codes", "deletes-*.bin"};
    for (String kind : kinds) {
      Path db = copy("damaged-" + kind.replace('*', '_'));
      Path file = find(db, kind);
      flipByte(file);
      CheckReport report = DatabaseChecker.check(db, List.of());
      assertThat(report.problems()).as("damaged %s (%s)", kind, file).isNotEmpty();
      String segmentDir = file.getParent().toString();
      assertThat(report.problems()).as("a problem names %s", file)
          .anyMatch(f -> f.toString().contains(file.getFileName().toString()) || f.file().equals(file)
              || f.file().toString().equals(segmentDir) && f.message().contains(file.getFileName().toString()));
    }
  }

  @Test
  void unreadableJsonFilesAreProblems() throws Exception {
    for (String name : List.of("collection.json", "manifest.json")) {
      Path db = copy("json-" + name);
      Path file = db.resolve("collections/docs").resolve(name);
      Files.writeString(file, "{\"format\": 1, \"segments\": [");
      CheckReport report = DatabaseChecker.check(db, List.of());
      assertThat(report.problems()).as("truncated %s", name).anyMatch(f -> f.file().equals(file));
    }
    Path db = copy("alias");
    Files.writeString(db.resolve("aliases.json"), "{\"main\": \"no-such-collection\"}");
    assertThat(DatabaseChecker.check(db, List.of()).problems()).singleElement().asString().contains("alias main");
  }

  @Test
  void logDamageIsAProblemAndATornTailANote() throws Exception {
    Path header = copy("wal-header");
    Path log = find(header, "wal-*.log");
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.seek(9); // inside the first LSN, covered by the header CRC
      f.write(0x7f);
    }
    assertThat(DatabaseChecker.check(header, List.of()).problems()).anyMatch(f -> f.message().contains(
        log.getFileName().toString()));

    Path torn = copy("wal-torn");
    Path tornLog = find(torn, "wal-*.log");
    Files.write(tornLog, new byte[] {1, 0, 0, 0, 9, 9}, java.nio.file.StandardOpenOption.APPEND);
    CheckReport tornReport = DatabaseChecker.check(torn, List.of());
    assertThat(tornReport.problems()).as("%s", tornReport.findings()).isEmpty();
    assertThat(tornReport.findings()).anyMatch(f -> f.severity() == CheckReport.Severity.NOTE
        && f.message().contains("6 byte(s) after the last valid record"));
  }

  @Test
  void damageBeforeValidRecordsOfTheNewestLogFileIsNotTakenForATornWrite() throws Exception {
    Path walDir = tmp.resolve("wal");
    int records = 3 + random().nextInt(5);
    try (WriteAheadLog wal = WriteAheadLog.open(walDir, WalOptions.DEFAULT)) {
      for (int i = 0; i < records; i++) {
        wal.append(new byte[100 + random().nextInt(100)]);
      }
    }
    assertThat(WalVerifier.verify(walDir, 1 << 20, (lsn, payload) -> {}).records()).isEqualTo(records);
    Path log = find(walDir, "wal-*.log");
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.seek(20 + 16 + 10); // inside the first record's payload
      f.write(0x55);
    }
    assertThatThrownBy(() -> WalVerifier.verify(walDir, 1 << 20, (lsn, payload) -> {}))
        .isInstanceOf(CorruptFileException.class).hasMessageContaining("followed by a valid later record");
  }

  @Test
  void anIdLiveInTwoSegmentsIsNoted() throws Exception {
    Path db = copy("duplicate");
    Path coll = db.resolve("collections/docs");
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(coll.resolve("manifest.json").toFile());
    ArrayNode segments = (ArrayNode) manifest.get("segments");
    ObjectNode first = (ObjectNode) segments.get(0);
    long newId = manifest.get("next_segment_id").asLong();
    Path from = coll.resolve("segments").resolve(String.format("%020d", first.get("id").asLong()));
    Path to = Files.createDirectories(coll.resolve("segments").resolve(String.format("%020d", newId)));
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
    segments.addObject().put("id", newId).put("ordinals", first.get("ordinals").asInt());
    manifest.put("next_segment_id", newId + 1);
    AtomicFiles.write(coll.resolve("manifest.json"), json.writeValueAsBytes(manifest));
    CheckReport report = DatabaseChecker.check(db, List.of());
    assertThat(report.problems()).as("the open repairs it: the later segment's version wins").isEmpty();
    assertThat(report.findings()).isNotEmpty().allMatch(f -> f.severity() == CheckReport.Severity.NOTE
        && f.message().contains("is also live in segment"));
  }

  @Test
  void aDatabaseOpenInAnotherInstanceIsRefused() throws Exception {
    try (Quiver open = Quiver.open(clean)) {
      assertThatThrownBy(() -> DatabaseChecker.check(clean, List.of())).hasMessageContaining("is open in another");
    }
    assertThatThrownBy(() -> DatabaseChecker.check(tmp.resolve("nothing"), List.of()))
        .hasMessageContaining("not a Quiver database");
  }
}
