package io.quiver.storage.wal;

import java.time.Duration;

/**
 * Write-ahead log settings.
 *
 * @param durability when appends are acknowledged
 * @param segmentBytes size after which the log rolls over to a new file
 * @param syncInterval fsync period in {@link Durability#PERIODIC} mode
 * @param maxRecordBytes largest payload accepted
 */
public record WalOptions(Durability durability, long segmentBytes, Duration syncInterval, int maxRecordBytes) {
  public static final WalOptions DEFAULT = new WalOptions(Durability.FSYNC, 64L << 20, Duration.ofMillis(50), 64 << 20);

  public WalOptions {
    if (segmentBytes < 4096) {
      throw new IllegalArgumentException("segmentBytes must be >= 4096, got " + segmentBytes);
    }
    if (maxRecordBytes < 1) {
      throw new IllegalArgumentException("maxRecordBytes must be >= 1");
    }
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException("syncInterval must be positive");
    }
  }

  public WalOptions withDurability(Durability d) {
    return new WalOptions(d, segmentBytes, syncInterval, maxRecordBytes);
  }

  public WalOptions withSegmentBytes(long bytes) {
    return new WalOptions(durability, bytes, syncInterval, maxRecordBytes);
  }
}
