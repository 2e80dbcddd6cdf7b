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
        WalFileReader.scan(f, ch, (lsn, payload, end) -> {
          if (lsn >= fromLsn && lsn <= upTo) {
            consumer.accept(lsn, payload);
          }
        }, false, options.maxRecordBytes());
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
      while (files.size() > 1 && WalFileReader.firstLsnOf(files.get(1)) <= lsn) {
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

  static int crc(long lsn, byte[] payload, int off, int len) {
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

  private void recover() throws IOException {
    List<Path> found = WalFileReader.logFiles(dir);
    if (!found.isEmpty() && Files.size(found.get(found.size() - 1)) < FILE_HEADER_BYTES) {
      // a crash while creating the newest file, before its header was forced: it holds no record
      Path torn = found.get(found.size() - 1);
      LOG.log(Level.WARNING, "{0}: removing a log file with an incomplete header", torn);
      Files.delete(torn);
      found = found.subList(0, found.size() - 1);
    }
    long expected = found.isEmpty() ? 1 : WalFileReader.firstLsnOf(found.get(0));
    for (int i = 0; i < found.size(); i++) {
      Path f = found.get(i);
      boolean newest = i == found.size() - 1;
      FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
      WalFileReader.FileScan scan = WalFileReader.scanInOrder(f, ch, expected, newest, options.maxRecordBytes(), (lsn, payload) -> {});
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
