package io.quiver.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.CorruptFileException;
import io.quiver.testing.RandomizedTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest extends RandomizedTest {

  @TempDir
  Path dir;

  /** Deterministic payload of a given LSN, 1..600 bytes, so a reader can check content without a side channel. */
  static byte[] payloadFor(long lsn) {
    Random r = new Random(lsn * 0x9E3779B97F4A7C15L);
    byte[] b = new byte[1 + r.nextInt(600)];
    r.nextBytes(b);
    return b;
  }

  private static WalOptions small() {
    return WalOptions.DEFAULT.withSegmentBytes(4096);
  }

  private static List<byte[]> replayAll(WriteAheadLog wal) throws IOException {
    List<byte[]> out = new ArrayList<>();
    long[] expected = {1};
    wal.replay(1, (lsn, payload) -> {
      assertThat(lsn).isEqualTo(expected[0]++);
      out.add(payload);
    });
    return out;
  }

  private List<Path> logFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  @Test
  void appendReplayAndReopenAcrossFileRollovers() throws IOException {
    int n = atLeast(300);
    for (Durability d : Durability.values()) {
      Path sub = dir.resolve(d.name());
      try (WriteAheadLog wal = WriteAheadLog.open(sub, small().withDurability(d))) {
        for (int i = 1; i <= n; i++) {
          assertThat(wal.append(payloadFor(i))).isEqualTo(i);
        }
      }
      try (WriteAheadLog wal = WriteAheadLog.open(sub, small().withDurability(d))) {
        assertThat(wal.lastLsn()).isEqualTo(n);
        List<byte[]> all = replayAll(wal);
        assertThat(all).hasSize(n);
        for (int i = 0; i < n; i++) {
          assertThat(all.get(i)).isEqualTo(payloadFor(i + 1));
        }
        assertThat(wal.append(payloadFor(n + 1))).isEqualTo(n + 1);
        List<byte[]> tail = new ArrayList<>();
        wal.replay(n, (lsn, p) -> tail.add(p));
        assertThat(tail).hasSize(2);
      }
    }
    try (Stream<Path> s = Files.list(dir.resolve("FSYNC"))) {
      assertThat(s.count()).as("rolled over into several files").isGreaterThan(3);
    }
  }

  @Test
  void tornTailIsTruncatedAndTheLogGoesOn() throws IOException {
    Random rnd = random();
    int n = 50 + rnd.nextInt(50);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      for (int i = 1; i <= n; i++) {
        wal.append(payloadFor(i));
      }
    }
    Path last = logFiles().getLast();
    long size = Files.size(last);
    int cut = 1 + rnd.nextInt(payloadFor(n).length + WriteAheadLog.RECORD_HEADER_BYTES - 1);
    try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
      f.setLength(size - cut); // a crash in the middle of writing record n
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      assertThat(wal.lastLsn()).isEqualTo(n - 1);
      assertThat(replayAll(wal)).hasSize(n - 1);
      assertThat(wal.append(payloadFor(n))).isEqualTo(n);
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      List<byte[]> all = replayAll(wal);
      assertThat(all).hasSize(n);
      assertThat(all.getLast()).isEqualTo(payloadFor(n));
    }
  }

  @Test
  void damageBeforeValidRecordsOfTheNewestFileKeepsTheDroppedBytesBesideTheLog() throws IOException {
    Random rnd = random();
    int n = 5 + rnd.nextInt(20);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      for (int i = 1; i <= n; i++) {
        wal.append(payloadFor(i));
      }
    }
    Path newest = logFiles().getLast();
    byte[] before = Files.readAllBytes(newest);
    // a payload byte of record 1..n-1: valid records follow it, so a process crash cannot have torn it
    long offset = WriteAheadLog.FILE_HEADER_BYTES;
    int damaged = 1 + rnd.nextInt(n - 1);
    for (int i = 1; i < damaged; i++) {
      offset += WriteAheadLog.RECORD_HEADER_BYTES + payloadFor(i).length;
    }
    flipByte(newest, offset + WriteAheadLog.RECORD_HEADER_BYTES);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      assertThat(wal.lastLsn()).isEqualTo(damaged - 1);
    }
    Path kept = newest.resolveSibling(newest.getFileName() + ".damaged-" + offset);
    assertThat(kept).as("the dropped records are kept for inspection").exists();
    byte[] keptBytes = Files.readAllBytes(kept);
    assertThat(keptBytes.length).isEqualTo(before.length - (int) offset);
    assertThat(Arrays.copyOfRange(keptBytes, WriteAheadLog.RECORD_HEADER_BYTES + 1, keptBytes.length))
        .isEqualTo(Arrays.copyOfRange(before, (int) offset + WriteAheadLog.RECORD_HEADER_BYTES + 1, before.length));
  }

  @Test
  void aLargeTornRecordIsTruncatedToTheRecordsBeforeIt() throws IOException {
    // one 32 MiB record torn in its middle (the search for valid later records checks LSN and length before a CRC:
    // computing one at every offset took 47 s on such a tail)
    byte[] big = new byte[32 << 20];
    random().nextBytes(big);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      wal.append(payloadFor(1));
      wal.append(big);
    }
    Path newest = logFiles().getLast();
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.setLength(f.length() - (16 << 20));
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT)) {
      assertThat(wal.lastLsn()).isEqualTo(1);
    }
  }

  @Test
  void aDamagedLastRecordIsATornTailButDamageInAnOlderFileIsCorruption() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      for (int i = 1; i <= 200; i++) {
        wal.append(payloadFor(i));
      }
    }
    List<Path> files = logFiles();
    assertThat(files.size()).isGreaterThan(2);
    // flip the last byte of the newest file: the last record fails its checksum, as after a torn write
    Path newest = files.getLast();
    flipByte(newest, Files.size(newest) - 1);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      assertThat(wal.lastLsn()).isEqualTo(199);
    }
    // flip a payload byte in the first file: acknowledged data is damaged, open must refuse
    Path oldest = files.getFirst();
    flipByte(oldest, WriteAheadLog.FILE_HEADER_BYTES + WriteAheadLog.RECORD_HEADER_BYTES + 1);
    assertThatThrownBy(() -> WriteAheadLog.open(dir, small()))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining(oldest.getFileName().toString())
        .hasMessageContaining("checksum mismatch at offset 20");
  }

  @Test
  void aMissingFileOrAForeignFileIsReported() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      for (int i = 1; i <= 200; i++) {
        wal.append(payloadFor(i));
      }
    }
    List<Path> files = logFiles();
    Files.delete(files.get(1));
    assertThatThrownBy(() -> WriteAheadLog.open(dir, small()))
        .isInstanceOf(CorruptFileException.class).hasMessageContaining("a log file is missing");
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    Files.writeString(other.resolve("wal-00000000000000000001.log"), "this is not a log file at all");
    assertThatThrownBy(() -> WriteAheadLog.open(other, small()))
        .isInstanceOf(CorruptFileException.class).hasMessageContaining("not a Quiver write-ahead log");
  }

  @Test
  void concurrentAppendsGetDistinctConsecutiveLsnsAndShareFsyncs() throws Exception {
    int threads = 6;
    int perThread = atLeast(150);
    ConcurrentHashMap<Long, byte[]> acked = new ConcurrentHashMap<>();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; i < perThread; i++) {
            byte[] p = ("t" + id + "-" + i).getBytes(StandardCharsets.UTF_8);
            try {
              assertThat(acked.put(wal.append(p), p)).isNull();
            } catch (IOException e) {
              throw new RuntimeException(e);
            }
          }
        }));
      }
      for (Thread t : ts) {
        t.join();
      }
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      assertThat(wal.lastLsn()).isEqualTo((long) threads * perThread);
      wal.replay(1, (lsn, p) -> assertThat(p).isEqualTo(acked.get(lsn)));
    }
  }

  @Test
  void truncateBeforeDropsWholeOldFilesOnly() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
      for (int i = 1; i <= 200; i++) {
        wal.append(payloadFor(i));
      }
      int before = logFiles().size();
      assertThat(wal.truncateBefore(100)).isPositive();
      assertThat(logFiles().size()).isLessThan(before);
      List<Long> lsns = new ArrayList<>();
      wal.replay(100, (lsn, p) -> lsns.add(lsn));
      assertThat(lsns).first().isEqualTo(100L);
      assertThat(lsns).last().isEqualTo(200L);
    }
    assertThatThrownBy(() -> WalOptions.DEFAULT.withSegmentBytes(10)).hasMessageContaining("segmentBytes");
  }

  @Test
  void closeRacingThePeriodicSyncerNeverFails() throws IOException {
    // close() once interrupted the syncer, and an interrupt during FileChannel.force closes the channel under it
    WalOptions fast = new WalOptions(Durability.PERIODIC, 4096, java.time.Duration.ofMillis(1), 1 << 20);
    long lsn = 0;
    for (int round = 0; round < atLeast(40); round++) {
      try (WriteAheadLog wal = WriteAheadLog.open(dir, fast)) {
        for (int i = 0; i < 20; i++) {
          lsn = wal.append(payloadFor(lsn + 1));
        }
      }
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, fast)) {
      assertThat(wal.lastLsn()).isEqualTo(lsn);
      assertThat(replayAll(wal)).hasSize((int) lsn);
    }
  }

  @Test
  void oversizedRecordsAreRejected() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(Durability.FSYNC, 4096,
        java.time.Duration.ofMillis(10), 100))) {
      assertThatThrownBy(() -> wal.append(new byte[101])).hasMessageContaining("exceeds the limit of 100");
      assertThat(wal.append(new byte[100])).isEqualTo(1);
    }
  }

  @Test
  void acknowledgedRecordsSurviveSigkill() throws Exception {
    Random rnd = random();
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    long highestAcked = 0;
    for (int round = 0; round < 4; round++) {
      Process child = new ProcessBuilder(java, "-cp", cp, WalCrashChild.class.getName(), dir.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("child started").startsWith("READY");
      assertThat(Long.parseLong(ready.substring(6))).as("reopened log keeps every acknowledged record")
          .isGreaterThanOrEqualTo(highestAcked);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100 + rnd.nextInt(400));
      String line;
      while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
        highestAcked = Math.max(highestAcked, Long.parseLong(line.substring(4)));
      }
      // SIGKILL on Linux, mid-append; acknowledgements printed but not read yet are simply not checked
      child.destroyForcibly();
      child.waitFor();
      try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.DEFAULT.withSegmentBytes(64 << 10))) {
        assertThat(wal.lastLsn()).as("round %d", round).isGreaterThanOrEqualTo(highestAcked);
        long[] count = {0};
        wal.replay(1, (lsn, p) -> {
          assertThat(p).as("payload of LSN %d", lsn).isEqualTo(payloadFor(lsn));
          count[0]++;
        });
        assertThat(count[0]).isEqualTo(wal.lastLsn());
      }
    }
    assertThat(highestAcked).as("the child acknowledged records").isPositive();
  }

  private static void flipByte(Path f, long pos) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(b ^ 0x5A);
    }
  }

}
