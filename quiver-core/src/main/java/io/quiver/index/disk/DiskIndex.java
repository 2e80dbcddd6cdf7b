package io.quiver.index.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorSource;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A vector index that lives on disk: the graph's bottom layer and a compact copy of every vector in fixed-size node
 * blocks of one file, read as searches reach them; only compact codes, the routing layers and the tombstones stay in
 * RAM. Byte layout in docs/format.md ("Disk index").
 */
public final class DiskIndex implements AutoCloseable {
  public static final String EXTENSION = ".qdisk";

  private DiskIndex() {}

  /** Builds a graph over {@code vectors} as {@code config} says and writes the index to {@code file} (atomically). */
  public static void build(VectorSource vectors, Metric metric, DiskIndexConfig config, Path file,
      BuildProgress progress) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /** Maps {@code file} and reads its RAM-resident parts (checked against their checksums). */
  public static DiskIndex open(Path file) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /** Opens an index held in memory (the bytes of a {@code .qdisk} file), with no filesystem. */
  public static DiskIndex open(MemorySegment bytes) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /** The k nearest live ordinals {@code filter} accepts (null accepts all), nearest first. Thread-safe. */
  public SearchResult search(float[] query, int k, DiskSearchParams params, OrdinalFilter filter) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The k nearest among {@code count} given live ordinals (a selective filter's matches): their RAM codes are scored,
   * and only the best {@code max(k, params.listSize())} are read from disk and reranked. Exact up to the codes'
   * ranking of that shortlist; never returns fewer than {@code min(k, live ordinals given)}.
   */
  public SearchResult searchAmong(float[] query, int k, int[] ordinals, int count, DiskSearchParams params) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Exact distance from {@code query} to the stored float vector of {@code ordinal} (one read when not cached). */
  public float distance(float[] query, int ordinal) {
    throw new UnsupportedOperationException("not yet");
  }

  public int dimension() {
    throw new UnsupportedOperationException("not yet");
  }

  public Metric metric() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Live vectors. */
  public int size() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Marks {@code ordinal} deleted; it still routes searches but is never returned. */
  public boolean delete(int ordinal) {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean contains(int ordinal) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The stored float vector (normalised for cosine), or null when absent or deleted. */
  public float[] vector(int ordinal) {
    throw new UnsupportedOperationException("not yet");
  }

  /** RAM this index holds: codes, their per-record terms, routing layers, tombstones. */
  public long ramBytesUsed() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Bytes of the mapped file. */
  public long mappedBytes() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Node blocks fetched by all searches so far (logical reads; the page cache may serve some). */
  public long blocksRead() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() {}
}
