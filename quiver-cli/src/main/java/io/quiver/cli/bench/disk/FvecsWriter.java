package io.quiver.cli.bench.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes {@code .fvecs} or {@code .ivecs} records in chunks to a temporary file that {@link #commit} renames into
 * place, so an interrupted run never leaves a truncated file that a later run would take as its cached data.
 */
final class FvecsWriter implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
  private boolean committed;

  FvecsWriter(Path target) throws IOException {
    this.target = target;
    this.temp = target.resolveSibling(target.getFileName() + ".tmp");
    this.channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  void write(float[] v) throws IOException {
    ensure(4 + 4 * v.length);
    buffer.putInt(v.length);
    for (float x : v) {
      buffer.putFloat(x);
    }
  }

  void write(int[] row) throws IOException {
    ensure(4 + 4 * row.length);
    buffer.putInt(row.length);
    for (int x : row) {
      buffer.putInt(x);
    }
  }

  private void ensure(int bytes) throws IOException {
    if (bytes > buffer.capacity()) {
      throw new IllegalArgumentException("record of " + bytes + " bytes exceeds the write buffer");
    }
    if (buffer.remaining() < bytes) {
      flush();
    }
  }

  private void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /** Flushes, forces and renames the file into place. */
  void commit() throws IOException {
    flush();
    channel.force(true);
    channel.close();
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      channel.close();
      Files.deleteIfExists(temp);
    }
  }
}
