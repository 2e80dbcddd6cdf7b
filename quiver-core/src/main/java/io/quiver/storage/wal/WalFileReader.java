package io.quiver.storage.wal;

import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reading the log's files as docs/format.md lays them out: file headers, records and their CRCs, LSN order, and
 * telling a torn tail from damage. Shared by recovery ({@link WriteAheadLog#open}), replay and {@link WalVerifier}.
 */
final class WalFileReader {
  private WalFileReader() {}

  /** How far past the damaged record's LSN a later record may be numbered and still count (a bound, not a guess). */
  static final long LATER_LSN_WINDOW = 1L << 20;

  /**
   * The first offset at or after {@code from} where a whole record numbered after {@code damagedLsn} (within
   * {@link #LATER_LSN_WINDOW}) starts with a valid CRC, or -1. A crash that only kills the process tears nothing but
   * the end of the newest file, so such a record means the bytes before it are damaged, or that a power loss wrote
   * unsynced pages back out of order. The LSN and length are checked before any CRC is computed, so a tail of n
   * bytes costs O(n) plus a CRC per rare candidate, not a CRC per offset. Reads the tail once into memory (at most
   * one log file, {@code segmentBytes} plus one record).
   */
  static long nextValidRecord(FileChannel ch, long from, int maxRecordBytes, long damagedLsn) throws IOException {
    long size = ch.size();
    if (size - from < WriteAheadLog.RECORD_HEADER_BYTES || size - from > Integer.MAX_VALUE) {
      return -1;
    }
    ByteBuffer tail = ByteBuffer.allocate((int) (size - from)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, tail, from);
    byte[] bytes = tail.array();
    for (int off = 0; off + WriteAheadLog.RECORD_HEADER_BYTES <= bytes.length; off++) {
      long lsn = tail.getLong(off + 8);
      if (lsn <= damagedLsn || lsn > damagedLsn + LATER_LSN_WINDOW) {
        continue;
      }
      int len = tail.getInt(off);
      if (len < 0 || len > maxRecordBytes || (long) off + WriteAheadLog.RECORD_HEADER_BYTES + len > bytes.length) {
        continue;
      }
      if (WriteAheadLog.crc(lsn, bytes, off + WriteAheadLog.RECORD_HEADER_BYTES, len) == tail.getInt(off + 4)) {
        return from + off;
      }
    }
    return -1;
  }

  static long firstLsnOf(Path f) {
    String n = f.getFileName().toString();
    return Long.parseLong(n.substring(4, n.length() - 4));
  }

  /** The log files in {@code dir}, oldest first. */
  static List<Path> logFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("wal-\\d{20}\\.log")).sorted().toList();
    }
  }

  /**
   * One log file scanned in LSN order.
   *
   * @param end the offset after its last whole record
   * @param nextLsn the LSN after that record's
   * @param laterValid in the newest file, the offset of a whole record numbered after a damaged one (see
   *     {@link #nextValidRecord}), else -1
   */
  record FileScan(long end, long nextLsn, long laterValid) {}

  /**
   * Scans {@code f}, which must start at LSN {@code expected} and number its records consecutively, handing each
   * payload to {@code check}. In the newest file a bad record ends the scan (a torn write); elsewhere it is
   * corruption, as is a gap in the numbering.
   */
  static FileScan scanInOrder(Path f, FileChannel ch, long expected, boolean newest, int maxRecordBytes,
      WalVerifier.PayloadCheck check) throws IOException {
    if (firstLsnOf(f) != expected) {
      throw new CorruptFileException(f, "starts at LSN " + firstLsnOf(f) + " but LSN " + expected
          + " was expected (a log file is missing)");
    }
    long[] next = {expected};
    long end = scan(f, ch, (lsn, payload, recEnd) -> {
      if (lsn != next[0]) {
        throw new CorruptFileException(f, "record with LSN " + lsn + " where " + next[0] + " was expected");
      }
      check.check(lsn, payload);
      next[0]++;
    }, newest, maxRecordBytes);
    long later = newest && end < ch.size() ? nextValidRecord(ch, end + 1, maxRecordBytes, next[0]) : -1;
    return new FileScan(end, next[0], later);
  }

  @FunctionalInterface
  interface Visitor {
    void visit(long lsn, byte[] payload, long end) throws IOException;
  }

  /**
   * Visits the valid records of one file; returns the offset after the last valid one. A bad record ends the scan
   * when {@code tailAllowed} (a torn write in the newest file); otherwise it is corruption.
   */
  static long scan(Path f, FileChannel ch, Visitor visitor, boolean tailAllowed, int maxRecordBytes)
      throws IOException {
    long size = ch.size();
    ByteBuffer h = ByteBuffer.allocate(WriteAheadLog.FILE_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    if (size < WriteAheadLog.FILE_HEADER_BYTES || readFully(ch, h, 0) < WriteAheadLog.FILE_HEADER_BYTES) {
      throw new CorruptFileException(f, "file header is incomplete (" + size + " bytes)");
    }
    h.flip();
    int magic = h.getInt();
    int version = h.getInt();
    long first = h.getLong();
    int headerCrc = h.getInt();
    CRC32C c = new CRC32C();
    c.update(h.array(), 0, 16);
    if (magic != WriteAheadLog.MAGIC || (int) c.getValue() != headerCrc) {
      throw new CorruptFileException(f, "not a Quiver write-ahead log file, or its header is damaged");
    }
    if (version != WriteAheadLog.VERSION) {
      throw new CorruptFileException(f, "log format version " + version + " is not supported (expected "
          + WriteAheadLog.VERSION + ")");
    }
    if (first != firstLsnOf(f)) {
      throw new CorruptFileException(f, "header says first LSN " + first);
    }
    long pos = WriteAheadLog.FILE_HEADER_BYTES;
    ByteBuffer rh = ByteBuffer.allocate(WriteAheadLog.RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    while (pos < size) {
      String problem = null;
      rh.clear();
      if (readFully(ch, rh, pos) < WriteAheadLog.RECORD_HEADER_BYTES) {
        problem = "incomplete record header";
      } else {
        rh.flip();
        int len = rh.getInt();
        int crc = rh.getInt();
        long lsn = rh.getLong();
        if (len < 0 || len > maxRecordBytes || pos + WriteAheadLog.RECORD_HEADER_BYTES + len > size) {
          problem = "record length " + len + " runs past the end of the file";
        } else {
          byte[] payload = new byte[len];
          ByteBuffer pb = ByteBuffer.wrap(payload);
          readFully(ch, pb, pos + WriteAheadLog.RECORD_HEADER_BYTES);
          if (WriteAheadLog.crc(lsn, payload, 0, len) != crc) {
            problem = "checksum mismatch";
          } else {
            long end = pos + WriteAheadLog.RECORD_HEADER_BYTES + len;
            visitor.visit(lsn, payload, end);
            pos = end;
            continue;
          }
        }
      }
      if (tailAllowed) {
        return pos;
      }
      throw new CorruptFileException(f, problem + " at offset " + pos);
    }
    return pos;
  }

  static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }
}
