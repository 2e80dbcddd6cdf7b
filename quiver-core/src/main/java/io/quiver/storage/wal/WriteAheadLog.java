package io.quiver.storage.wal;

import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An append-only log of opaque records with consecutive log sequence numbers (LSNs, from 1), in files
 * {@code wal-<first LSN, 20 digits>.log} of one directory. The byte layout is documented in docs/format.md.
 *
 * <p><b>Durability.</b> In {@link Durability#FSYNC} mode {@link #append} returns only once its record is on stable
 * storage; threads appending at the same time share one {@code fsync} (group commit): the first waiter syncs
 * everything written so far, the others wait for it. {@link Durability#PERIODIC} acknowledges after the write and
 * syncs in the background.
 *
 * <p><b>Recovery.</b> {@link #open} reads every file, checking each record's CRC32C and LSN. A damaged or incomplete
 * record at the end of the newest file is a torn write from a crash: the file is truncated there and the log goes
 * on. Damage anywhere else means acknowledged data is lost, and {@code open} fails with {@link CorruptFileException}
 * naming the file and offset, rather than serve wrong data.
 *
 * <p>A failed write (disk full) is rolled back to the previous end of file and reported; the log stays usable.
 */
public final class WriteAheadLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.quiver.storage.wal");
  static final int MAGIC = 0x4C415751; // "QWAL" little-endian
  static final int VERSION = 1;
  static final int FILE_HEADER_BYTES = 20; // magic, version, first LSN, header CRC
  static final int RECORD_HEADER_BYTES = 16; // payload length, CRC32C, LSN

  private final Path dir;
  private final WalOptions options;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition synced = syncLock.newCondition();
  private final List<Path> files = new ArrayList<>();
  private volatile FileChannel current;
  private long currentSize;
  private volatile long lastLsn;
  private volatile long syncedLsn;
  private boolean syncing;
  private volatile boolean closed;
  /**
   * The first failed fsync. Sticky: after a failed fsync the kernel may have dropped the dirty pages and report
   * success on the next one, so no later record may be acknowledged as durable.
   */
  private volatile IOException syncFailure;
  private final Thread periodicSyncer;

  private WriteAheadLog(Path dir, WalOptions options) {
    this.dir = dir;
    this.options = options;
    this.periodicSyncer = options.durability() == Durability.PERIODIC
        ? Thread.ofVirtual().name("quiver-wal-sync").unstarted(this::syncPeriodically)
        : null;
  }

  /** Opens (creating if needed) the log in {@code dir}, recovering from a torn tail. */
  public static WriteAheadLog open(Path dir, WalOptions options) throws IOException {
    Files.createDirectories(dir);
    WriteAheadLog wal = new WriteAheadLog(dir, options);
    wal.recover();
    if (wal.periodicSyncer != null) {
      wal.periodicSyncer.start();
    }
    return wal;
  }

  /** LSN of the last record written (0 when empty). */
  public long lastLsn() {
    return lastLsn;
  }

  /** Appends one record and returns its LSN once it is as durable as the options say. */
  public long append(byte[] payload) throws IOException {
    long lsn = write(payload);
    awaitDurable(lsn);
    return lsn;
  }

  /**
   * Writes one record without waiting for it to be durable, and returns its LSN. Callers that must order log records
   * with their own state changes call this under their lock, then {@link #awaitDurable} outside it, so concurrent
   * writers still share one fsync.
   */
  public long write(byte[] payload) throws IOException {
    if (payload.length > options.maxRecordBytes()) {
      throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds the limit of "
          + options.maxRecordBytes());
    }
    long lsn;
    checkSyncFailure();
    appendLock.lock();
    try {
      ensureOpen();
      if (currentSize >= options.segmentBytes()) {
        rollOver();
      }
      lsn = lastLsn + 1;
      ByteBuffer buf = encode(lsn, payload);
      long before = currentSize;
      try {
        while (buf.hasRemaining()) {
          current.write(buf, currentSize + buf.position());
        }
      } catch (IOException e) {
        rollBack(before, e);
        throw new IOException("write-ahead log append failed (" + e.getMessage() + "); nothing was written", e);
      }
      currentSize = before + buf.limit();
      lastLsn = lsn;
    } finally {
      appendLock.unlock();
    }
    return lsn;
  }

  /** Returns once the record {@code lsn} is as durable as the options say (fsync'd in FSYNC mode). */
  public void awaitDurable(long lsn) throws IOException {
    if (options.durability() == Durability.FSYNC) {
      syncUpTo(lsn);
    }
  }

  /** Forces every record written so far to stable storage. */
  public void sync() throws IOException {
    syncUpTo(lastLsn);
  }

  /** Calls {@code consumer} for every record with LSN >= {@code fromLsn}, in order. */
  public void replay(long fromLsn, RecordConsumer consumer) throws IOException {
    List<Path> snapshot;
    long upTo;
    appendLock.lock();
    try {
      snapshot = List.copyOf(files);
      upTo = lastLsn;
    } finally {
      appendLock.unlock();
    }
    for (Path f : snapshot) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        scan(f, ch, (lsn, payload, end) -> {
          if (lsn >= fromLsn && lsn <= upTo) {
            consumer.accept(lsn, payload);
          }
        }, false);
      }
    }
  }

  /**
   * Starts a new file if the current one holds any record, so that a checkpoint covering every record written so far
   * can drop all the older files with {@link #truncateBefore}.
   */
  public void roll() throws IOException {
    appendLock.lock();
    try {
      ensureOpen();
      checkSyncFailure();
      if (currentSize > FILE_HEADER_BYTES) {
        rollOver();
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** Deletes whole files whose records are all below {@code lsn} (after a checkpoint made them redundant). */
  public int truncateBefore(long lsn) throws IOException {
    appendLock.lock();
    try {
      int removed = 0;
      while (files.size() > 1 && firstLsnOf(files.get(1)) <= lsn) {
        Files.delete(files.remove(0));
        removed++;
      }
      return removed;
    } finally {
      appendLock.unlock();
    }
  }

  /** Receives replayed records. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(long lsn, byte[] payload) throws IOException;
  }

  // ------------------------------------------------------------------ internals

  private static ByteBuffer encode(long lsn, byte[] payload) {
    ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(payload.length);
    buf.putInt(crc(lsn, payload, 0, payload.length));
    buf.putLong(lsn);
    buf.put(payload);
    return buf.flip();
  }

  private static int crc(long lsn, byte[] payload, int off, int len) {
    CRC32C c = new CRC32C();
    ByteBuffer l = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(lsn).flip();
    c.update(l);
    c.update(payload, off, len);
    return (int) c.getValue();
  }

  private void syncUpTo(long lsn) throws IOException {
    syncLock.lock();
    try {
      while (syncedLsn < lsn) {
        checkSyncFailure();
        if (syncing) {
          synced.awaitUninterruptibly();
          continue;
        }
        ensureOpen();
        syncing = true;
        // Never take appendLock here (rollOver holds it while taking syncLock). Reading lastLsn before current is
        // enough: records up to target are in current or in an older file, which rollOver forced before switching.
        long target = lastLsn;
        FileChannel ch = current;
        syncLock.unlock();
        IOException failure = null;
        try {
          ch.force(false);
        } catch (ClosedChannelException e) {
          // rolled over meanwhile: rollOver forced this file before closing it
        } catch (IOException e) {
          failure = e;
        } finally {
          syncLock.lock();
          syncing = false;
          if (failure == null && target > syncedLsn) {
            syncedLsn = target;
          } else if (failure != null && syncFailure == null) {
            syncFailure = failure;
          }
          synced.signalAll();
        }
        if (failure != null) {
          throw new IOException("write-ahead log fsync failed: " + failure.getMessage(), failure);
        }
      }
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Background fsync for PERIODIC mode. It is never interrupted: an interrupt during FileChannel I/O closes the
   * channel for every thread. {@link #close} unparks and joins it instead.
   */
  private void syncPeriodically() {
    long intervalNanos = options.syncInterval().toNanos();
    while (!closed) {
      LockSupport.parkNanos(intervalNanos);
      try {
        if (!closed && syncedLsn < lastLsn) {
          sync();
        }
      } catch (IOException | IllegalStateException e) {
        if (!closed) {
          LOG.log(Level.ERROR, "periodic write-ahead log sync failed: {0}", e.getMessage());
        }
      }
    }
  }

  private void rollBack(long size, IOException cause) {
    try {
      current.truncate(size);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private void rollOver() throws IOException {
    current.force(false);
    syncLock.lock();
    try {
      if (lastLsn > syncedLsn) {
        syncedLsn = lastLsn;
      }
      synced.signalAll();
    } finally {
      syncLock.unlock();
    }
    current.close();
    openNewFile(lastLsn + 1);
  }

  private void openNewFile(long firstLsn) throws IOException {
    Path f = dir.resolve(String.format(Locale.ROOT, "wal-%020d.log", firstLsn));
    FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(MAGIC).putInt(VERSION).putLong(firstLsn);
    CRC32C c = new CRC32C();
    c.update(h.array(), 0, 16);
    h.putInt((int) c.getValue()).flip();
    while (h.hasRemaining()) {
      ch.write(h, h.position());
    }
    ch.force(true);
    syncDirectory();
    files.add(f);
    current = ch;
    currentSize = FILE_HEADER_BYTES;
  }

  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open directories; the file itself was forced
    }
  }

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
    if (size - from < RECORD_HEADER_BYTES || size - from > Integer.MAX_VALUE) {
      return -1;
    }
    ByteBuffer tail = ByteBuffer.allocate((int) (size - from)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, tail, from);
    byte[] bytes = tail.array();
    for (int off = 0; off + RECORD_HEADER_BYTES <= bytes.length; off++) {
      long lsn = tail.getLong(off + 8);
      if (lsn <= damagedLsn || lsn > damagedLsn + LATER_LSN_WINDOW) {
        continue;
      }
      int len = tail.getInt(off);
      if (len < 0 || len > maxRecordBytes || (long) off + RECORD_HEADER_BYTES + len > bytes.length) {
        continue;
      }
      if (crc(lsn, bytes, off + RECORD_HEADER_BYTES, len) == tail.getInt(off + 4)) {
        return from + off;
      }
    }
    return -1;
  }

  /** Copies bytes {@code from}.. of {@code f} to a new file beside it (fsync'd), before they are truncated. */
  private static Path keepTail(Path f, FileChannel ch, long from) throws IOException {
    Path kept = f.resolveSibling(f.getFileName() + ".damaged-" + from);
    try (FileChannel out = FileChannel.open(kept, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long pos = from;
      while (pos < ch.size()) {
        pos += ch.transferTo(pos, ch.size() - pos, out);
      }
      out.force(true);
    }
    return kept;
  }

  static long firstLsnOf(Path f) {
    String n = f.getFileName().toString();
    return Long.parseLong(n.substring(4, n.length() - 4));
  }

  private void recover() throws IOException {
    List<Path> found = logFiles(dir);
    if (!found.isEmpty() && Files.size(found.get(found.size() - 1)) < FILE_HEADER_BYTES) {
      // a crash while creating the newest file, before its header was forced: it holds no record
      Path torn = found.get(found.size() - 1);
      LOG.log(Level.WARNING, "{0}: removing a log file with an incomplete header", torn);
      Files.delete(torn);
      found = found.subList(0, found.size() - 1);
    }
    long expected = found.isEmpty() ? 1 : firstLsnOf(found.get(0));
    for (int i = 0; i < found.size(); i++) {
      Path f = found.get(i);
      boolean newest = i == found.size() - 1;
      FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileScan scan = scanInOrder(f, ch, expected, newest, options.maxRecordBytes(), (lsn, payload) -> {});
      expected = scan.nextLsn();
      long end = scan.end();
      if (newest) {
        if (scan.laterValid() >= 0) {
          // damage to acknowledged records, or unsynced pages written back out of order by a power loss: the two
          // look alike here, so keep the bytes for inspection and go on from the last record that is whole
          Path kept = keepTail(f, ch, end);
          LOG.log(Level.ERROR, "{0}: damaged record at offset {1} (LSN {2}) followed by a valid record at offset {3}:"
              + " records from LSN {2} on are dropped; their {4} bytes are kept in {5}", f, end, expected,
              scan.laterValid(), ch.size() - end, kept);
        }
        if (end < ch.size()) {
          LOG.log(Level.WARNING, "{0}: truncating a torn tail of {1} bytes at offset {2}", f, ch.size() - end, end);
          ch.truncate(end);
          ch.force(true);
        }
        files.add(f);
        current = ch;
        currentSize = end;
      } else {
        files.add(f);
        ch.close();
      }
    }
    lastLsn = expected - 1;
    syncedLsn = lastLsn;
    if (current == null) {
      openNewFile(expected);
    }
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
  private long scan(Path f, FileChannel ch, Visitor visitor, boolean tailAllowed) throws IOException {
    return scan(f, ch, visitor, tailAllowed, options.maxRecordBytes());
  }

  static long scan(Path f, FileChannel ch, Visitor visitor, boolean tailAllowed, int maxRecordBytes)
      throws IOException {
    long size = ch.size();
    ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    if (size < FILE_HEADER_BYTES || readFully(ch, h, 0) < FILE_HEADER_BYTES) {
      throw new CorruptFileException(f, "file header is incomplete (" + size + " bytes)");
    }
    h.flip();
    int magic = h.getInt();
    int version = h.getInt();
    long first = h.getLong();
    int headerCrc = h.getInt();
    CRC32C c = new CRC32C();
    c.update(h.array(), 0, 16);
    if (magic != MAGIC || (int) c.getValue() != headerCrc) {
      throw new CorruptFileException(f, "not a Quiver write-ahead log file, or its header is damaged");
    }
    if (version != VERSION) {
      throw new CorruptFileException(f, "log format version " + version + " is not supported (expected "
          + VERSION + ")");
    }
    if (first != firstLsnOf(f)) {
      throw new CorruptFileException(f, "header says first LSN " + first);
    }
    long pos = FILE_HEADER_BYTES;
    ByteBuffer rh = ByteBuffer.allocate(RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    while (pos < size) {
      String problem = null;
      rh.clear();
      if (readFully(ch, rh, pos) < RECORD_HEADER_BYTES) {
        problem = "incomplete record header";
      } else {
        rh.flip();
        int len = rh.getInt();
        int crc = rh.getInt();
        long lsn = rh.getLong();
        if (len < 0 || len > maxRecordBytes || pos + RECORD_HEADER_BYTES + len > size) {
          problem = "record length " + len + " runs past the end of the file";
        } else {
          byte[] payload = new byte[len];
          ByteBuffer pb = ByteBuffer.wrap(payload);
          readFully(ch, pb, pos + RECORD_HEADER_BYTES);
          if (crc(lsn, payload, 0, len) != crc) {
            problem = "checksum mismatch";
          } else {
            long end = pos + RECORD_HEADER_BYTES + len;
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

  private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
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

  private void checkSyncFailure() throws IOException {
    IOException f = syncFailure;
    if (f != null) {
      throw new IOException("write-ahead log refuses writes after a failed fsync (" + f.getMessage()
          + "); reopen it to recover", f);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("write-ahead log is closed");
    }
  }

  @Override
  public void close() throws IOException {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (periodicSyncer != null) {
        LockSupport.unpark(periodicSyncer);
        try {
          periodicSyncer.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        current.force(false);
      } finally {
        current.close();
      }
    } finally {
      appendLock.unlock();
    }
  }
}
