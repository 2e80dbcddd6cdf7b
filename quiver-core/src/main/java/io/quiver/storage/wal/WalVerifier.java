package io.quiver.storage.wal;

import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Read-only verification of a write-ahead log directory, with the checks recovery makes (for {@code quiver check}). */
public final class WalVerifier {
  private WalVerifier() {}

  /**
   * What a read-only pass over the log in {@code dir} found: the checks {@link WriteAheadLog#open} makes at recovery (file
   * headers, record CRCs, LSN continuity within and across files), without truncating or deleting anything.
   *
   * @param files log files, oldest first
   * @param records valid records
   * @param firstLsn LSN of the first record (0: no record)
   * @param lastLsn LSN of the last valid record (0: no record)
   * @param nextLsn the LSN the log writes next once opened: after the last record, or the newest file's first LSN
   *     when it holds none (1 for an empty directory)
   * @param tornTailBytes bytes after the last valid record of the newest file, which recovery truncates (a write
   *     torn by a crash, not corruption: it was never acknowledged)
   */
  public record Verification(List<Path> files, long records, long firstLsn, long lastLsn, long nextLsn,
      long tornTailBytes) {}

  /** Visits every record's payload during {@link #verify}. */
  @FunctionalInterface
  public interface PayloadCheck {
    void check(long lsn, byte[] payload) throws IOException;
  }

  /**
   * Verifies the log in {@code dir} read-only, calling {@code check} on each valid record's payload.
   *
   * @throws CorruptFileException naming the file and offset of the first damage recovery would refuse
   */
  public static Verification verify(Path dir, int maxRecordBytes, PayloadCheck check) throws IOException {
    List<Path> found = WalFileReader.logFiles(dir);
    long torn = 0;
    if (!found.isEmpty() && Files.size(found.get(found.size() - 1)) < WriteAheadLog.FILE_HEADER_BYTES) {
      torn = Files.size(found.get(found.size() - 1)); // recovery deletes a newest file with an incomplete header
      found = found.subList(0, found.size() - 1);
    }
    long first = found.isEmpty() ? 1 : WalFileReader.firstLsnOf(found.get(0));
    long expected = first;
    for (int i = 0; i < found.size(); i++) {
      Path f = found.get(i);
      boolean newest = i == found.size() - 1;
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        WalFileReader.FileScan scan = WalFileReader.scanInOrder(f, ch, expected, newest, maxRecordBytes, check);
        if (scan.laterValid() >= 0) {
          throw new CorruptFileException(f, "damaged record at offset " + scan.end() + " (LSN " + scan.nextLsn()
              + "), followed by a valid later record at offset " + scan.laterValid() + ": damage to acknowledged"
              + " records, or unsynced writes reordered by a power loss; opening keeps these bytes beside the file"
              + " and drops them");
        }
        expected = scan.nextLsn();
        if (newest) {
          torn += ch.size() - scan.end();
        }
      }
    }
    long records = expected - first;
    return new Verification(found, records, records == 0 ? 0 : first, records == 0 ? 0 : expected - 1, expected,
        torn);
  }
}
