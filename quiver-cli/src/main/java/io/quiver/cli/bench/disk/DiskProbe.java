package io.quiver.cli.bench.disk;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random 4 KiB read latency and throughput of the disk under {@code --dir}, at 1 and 4 reads in flight, so every
 * result is printed beside what the disk did that day. Plain Java has no O_DIRECT: the probe reads a file larger than
 * the cap at random page offsets after evicting it from the page cache, so almost every read is a miss; the bytes
 * the kernel actually fetched per read are reported too (more than 4096 means read-ahead).
 */
final class DiskProbe {
  static final int PAGE = 4096;
  private static final int READS_ONE = 2000;
  private static final int READS_EACH_OF_FOUR = 1000;

  record Result(long fileBytes, double p50Us, double meanUs, double readsPerSecond1, double p50Us4,
      double readsPerSecond4, double bytesPerRead) {}

  private DiskProbe() {}

  /** Probes with a file of at least {@code minBytes} (kept as {@code dir/disk-probe.bin} for later runs). */
  static Result run(Path dir, long minBytes, PrintStream log) throws IOException, InterruptedException {
    long size = (minBytes + (1 << 20) - 1) >> 20 << 20;
    Path file = dir.resolve("disk-probe.bin");
    if (!Files.exists(file) || Files.size(file) < size) {
      write(file, size);
    }
    size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      PageCache.evictFile(file);
      long bytesBefore = ProcIo.readBytes();
      long[] one = reads(ch, size, 1, READS_ONE, 1);
      long bytesAfter = ProcIo.readBytes();
      PageCache.evictFile(file);
      long[] four = reads(ch, size, 4, READS_EACH_OF_FOUR, 2);
      PageCache.evictFile(file);
      double bytesPerRead = bytesBefore < 0 ? -1 : (bytesAfter - bytesBefore) / (double) READS_ONE;
      Result r = new Result(size, percentile(one, 1, 0.5), mean(one, 1), READS_ONE * 1e9 / one[0],
          percentile(four, 1, 0.5), 4 * READS_EACH_OF_FOUR * 1e9 / four[0], bytesPerRead);
      log.printf(Locale.ROOT, "disk probe (%s, %d MiB file): random 4 KiB reads p50 %.0f us, mean %.0f us, %,.0f"
              + " reads/s at 1 in flight; p50 %.0f us, %,.0f reads/s at 4 in flight; %.0f bytes fetched per read%n",
          file, size >> 20, r.p50Us(), r.meanUs(), r.readsPerSecond1(), r.p50Us4(), r.readsPerSecond4(),
          r.bytesPerRead());
      return r;
    }
  }

  /** Element 0: wall nanoseconds of all reads; then each read's latency. */
  private static long[] reads(FileChannel ch, long size, int threads, int readsEach, long seed)
      throws InterruptedException {
    long pages = size / PAGE;
    long[] out = new long[1 + threads * readsEach];
    AtomicLong failures = new AtomicLong();
    Thread[] workers = new Thread[threads];
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int base = 1 + t * readsEach;
      SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
      workers[t] = Thread.ofPlatform().start(() -> {
        ByteBuffer buf = ByteBuffer.allocateDirect(PAGE);
        for (int i = 0; i < readsEach; i++) {
          buf.clear();
          long t0 = System.nanoTime();
          try {
            ch.read(buf, rnd.nextLong(pages) * PAGE);
          } catch (IOException e) {
            failures.incrementAndGet();
          }
          out[base + i] = System.nanoTime() - t0;
        }
      });
    }
    for (Thread w : workers) {
      w.join();
    }
    out[0] = System.nanoTime() - start;
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " probe reads failed");
    }
    return out;
  }

  private static void write(Path file, long size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(7);
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < size; written += buf.capacity()) {
        buf.clear();
        while (buf.hasRemaining()) {
          buf.putLong(rnd.nextLong());
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  private static double percentile(long[] values, int from, double p) {
    long[] sorted = Arrays.copyOfRange(values, from, values.length);
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e3;
  }

  private static double mean(long[] values, int from) {
    double sum = 0;
    for (int i = from; i < values.length; i++) {
      sum += values[i];
    }
    return sum / (values.length - from) / 1e3;
  }
}
