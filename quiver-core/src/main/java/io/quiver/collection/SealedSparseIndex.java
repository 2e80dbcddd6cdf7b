package io.quiver.collection;

import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A sealed segment's sparse vector field, file {@code field-<name>.sparse} (layout in docs/format.md, "Sparse vector
 * file"): the vectors by ordinal and the inverted index, postings sorted by ordinal with each list's largest value.
 * Served from the mapping when the field is {@code on_disk}, else from a copy in native memory.
 */
final class SealedSparseIndex implements SparseIndex {
  static final int MAGIC = 0x56505351; // "QSPV"
  static final String EXTENSION = ".sparse";
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment data;
  private final int terms;
  private final long entries;
  private final int vectors;
  private final long offsets;
  private final long presence;
  private final long fwdIndices;
  private final long fwdValues;
  private final long termIds;
  private final long postingStarts;
  private final long maxValues;
  private final long postOrds;
  private final long postValues;

  private SealedSparseIndex(MemorySegment data, int count, Path file) throws CorruptFileException {
    this.data = data;
    long size = data.byteSize() - 4;
    if (size < 24) {
      throw new CorruptFileException(file, "truncated header");
    }
    terms = data.get(INT, 12);
    entries = data.get(LONG, 16);
    if (terms < 0 || entries < 0) {
      throw new CorruptFileException(file, "negative term or entry count");
    }
    long words = (count + 63L) >>> 6;
    offsets = 24;
    presence = offsets + 8L * (count + 1);
    fwdIndices = presence + 8L * words;
    fwdValues = fwdIndices + 4L * entries;
    termIds = fwdValues + 4L * entries;
    postingStarts = termIds + 4L * terms;
    maxValues = postingStarts + 8L * (terms + 1);
    postOrds = maxValues + 4L * terms;
    postValues = postOrds + 4L * entries;
    if (postValues + 4L * entries != size) {
      throw new CorruptFileException(file, "size " + data.byteSize() + " does not match " + terms + " terms and "
          + entries + " entries");
    }
    int present = 0;
    for (long w = 0; w < words; w++) {
      present += Long.bitCount(data.get(LONG, presence + 8 * w));
    }
    vectors = present;
    checkMonotonic(file, offsets, count, "vector offsets");
    checkMonotonic(file, postingStarts, terms, "posting starts");
    for (long i = 0; i < entries; i++) {
      int ord = data.get(INT, postOrds + 4 * i);
      if (ord < 0 || ord >= count) {
        throw new CorruptFileException(file, "posting ordinal " + ord + " outside the segment's " + count);
      }
    }
  }

  private void checkMonotonic(Path file, long at, int n, String what) throws CorruptFileException {
    long prev = 0;
    for (int i = 0; i <= n; i++) {
      long v = data.get(LONG, at + 8L * i);
      if (v < prev || v > entries || (i == 0 && v != 0) || (i == n && v != entries)) {
        throw new CorruptFileException(file, what + " are not ascending from 0 to " + entries);
      }
      prev = v;
    }
  }

  static Path file(Path dir, String field) {
    return dir.resolve(SealedSegment.fieldFile(field) + EXTENSION);
  }

  /** Opens and checks (magic, version, count, CRC32C, structure) the file of {@code field} in {@code arena}. */
  static SealedSparseIndex open(Path dir, String field, int count, boolean onDisk, Arena arena) throws IOException {
    Path file = file(dir, field);
    MemorySegment mapped = SegmentFiles.map(file, arena, MAGIC, count);
    MemorySegment data = mapped;
    if (!onDisk) {
      data = arena.allocate(mapped.byteSize(), 8);
      data.copyFrom(mapped);
    }
    return new SealedSparseIndex(data, count, file);
  }

  /** Writes the first {@code count} ordinals of {@code source} (no longer written) to the field's file, fsync'd. */
  static void write(Path dir, String field, MutableSparseIndex source, int count) throws IOException {
    long entries = 0;
    long[] starts = new long[count + 1];
    long[] words = new long[(count + 63) >>> 6];
    for (int ord = 0; ord < count; ord++) {
      SparseVector v = source.vector(ord);
      if (v != null) {
        words[ord >>> 6] |= 1L << ord;
        entries += v.size();
      }
      starts[ord + 1] = entries;
    }
    if (entries > Integer.MAX_VALUE - 16) {
      throw new IOException("sparse field '" + field + "' holds " + entries + " entries, more than one segment can");
    }
    int[] terms = source.sortedTerms();
    int[] ords = new int[(int) entries];
    float[] values = new float[(int) entries];
    long[] postingStarts = new long[terms.length + 1];
    float[] max = new float[terms.length];
    int at = 0;
    for (int t = 0; t < terms.length; t++) {
      int n = source.postingsInto(terms[t], ords, values, at);
      float m = Float.NEGATIVE_INFINITY;
      for (int i = at; i < at + n; i++) {
        m = Math.max(m, values[i]);
      }
      max[t] = m;
      at += n;
      postingStarts[t + 1] = at;
    }
    try (SegmentFiles.Writer w = new SegmentFiles.Writer(file(dir, field))) {
      w.putInt(MAGIC).putInt(SegmentFiles.VERSION).putInt(count).putInt(terms.length).putLong(entries);
      for (long s : starts) {
        w.putLong(s);
      }
      for (long word : words) {
        w.putLong(word);
      }
      for (int ord = 0; ord < count; ord++) {
        SparseVector v = source.vector(ord);
        if (v != null) {
          for (int i : v.indices()) {
            w.putInt(i);
          }
        }
      }
      for (int ord = 0; ord < count; ord++) {
        SparseVector v = source.vector(ord);
        if (v != null) {
          for (float x : v.values()) {
            w.putInt(Float.floatToRawIntBits(x));
          }
        }
      }
      for (int t : terms) {
        w.putInt(t);
      }
      for (long s : postingStarts) {
        w.putLong(s);
      }
      for (float m : max) {
        w.putInt(Float.floatToRawIntBits(m));
      }
      for (int o : ords) {
        w.putInt(o);
      }
      for (float x : values) {
        w.putInt(Float.floatToRawIntBits(x));
      }
      w.finish();
    }
  }

  /** The position of {@code term} in the term list, or -1. */
  private int find(int term) {
    int lo = 0;
    int hi = terms - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Integer.compareUnsigned(data.get(INT, termIds + 4L * mid), term);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  @Override
  public int postings(int term) {
    int t = find(term);
    return t < 0 ? 0 : (int) (data.get(LONG, postingStarts + 8L * (t + 1)) - data.get(LONG, postingStarts + 8L * t));
  }

  @Override
  public int countLive(int term, Segment s) {
    int t = find(term);
    if (t < 0) {
      return 0;
    }
    long from = data.get(LONG, postingStarts + 8L * t);
    long to = data.get(LONG, postingStarts + 8L * (t + 1));
    int live = 0;
    for (long i = from; i < to; i++) {
      if (!s.isDeleted(data.get(INT, postOrds + 4 * i))) {
        live++;
      }
    }
    return live;
  }

  @Override
  public void accumulate(int term, float weight, int limit, SparseScores acc) {
    int t = find(term);
    if (t < 0) {
      return;
    }
    long from = data.get(LONG, postingStarts + 8L * t);
    long to = data.get(LONG, postingStarts + 8L * (t + 1));
    for (long i = from; i < to; i++) {
      acc.add(data.get(INT, postOrds + 4 * i), weight * data.get(FLOAT, postValues + 4 * i));
    }
  }

  /** The largest value in {@code term}'s postings (negative infinity for an unknown term). */
  float maxValue(int term) {
    int t = find(term);
    return t < 0 ? Float.NEGATIVE_INFINITY : data.get(FLOAT, maxValues + 4L * t);
  }

  @Override
  public int vectors() {
    return vectors;
  }

  @Override
  public boolean has(int ordinal) {
    return (data.get(LONG, presence + 8L * (ordinal >>> 6)) & (1L << ordinal)) != 0;
  }

  @Override
  public SparseVector vector(int ordinal) {
    if (!has(ordinal)) {
      return null;
    }
    long from = data.get(LONG, offsets + 8L * ordinal);
    int n = (int) (data.get(LONG, offsets + 8L * (ordinal + 1)) - from);
    int[] idx = new int[n];
    float[] val = new float[n];
    MemorySegment.copy(data, INT, fwdIndices + 4 * from, idx, 0, n);
    MemorySegment.copy(data, FLOAT, fwdValues + 4 * from, val, 0, n);
    return new SparseVector(idx, val);
  }

  long bytes() {
    return data.byteSize();
  }

  boolean inRam() {
    return !data.isMapped();
  }
}
