package io.quiver.storage.wal;

import java.nio.file.Path;

/** Child process of {@link WriteAheadLogTest#acknowledgedRecordsSurviveSigkill}: appends until killed. */
public final class WalCrashChild {
  public static void main(String[] args) throws Exception {
    try (WriteAheadLog wal = WriteAheadLog.open(Path.of(args[0]), WalOptions.DEFAULT.withSegmentBytes(64 << 10))) {
      System.out.println("READY " + wal.lastLsn());
      System.out.flush();
      while (true) {
        long next = wal.lastLsn() + 1;
        long lsn = wal.append(WriteAheadLogTest.payloadFor(next));
        System.out.println("ACK " + lsn); // printed only after append returned: the record is durable
        System.out.flush();
      }
    }
  }
}
