package io.quiver.collection;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sparse vector as Qdrant's: {@code indices} are unsigned 32-bit term ids held in an {@code int} (compared
 * unsigned: {@code -1} is 4294967295), each with the value at the same position. What a collection accepts (unique
 * indices, equal lengths, finite values) is checked when a point or query reaches it, with the field named; this
 * record only holds the arrays.
 */
public record SparseVector(int[] indices, float[] values) {
  public SparseVector {
    Objects.requireNonNull(indices, "indices");
    Objects.requireNonNull(values, "values");
  }

  public static SparseVector of(int[] indices, float[] values) {
    return new SparseVector(indices, values);
  }

  public int size() {
    return indices.length;
  }

  /** The problem with this vector as a stored or query vector, or null: lengths, duplicates, non-finite values. */
  public String problem() {
    if (indices.length != values.length) {
      return "indices and values must have the same length, got " + indices.length + " indices and "
          + values.length + " values";
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return "values[" + i + "] must be a finite number, got " + values[i];
      }
    }
    int[] sorted = indices.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        return "indices must be unique, " + Integer.toUnsignedString(sorted[i]) + " appears more than once";
      }
    }
    return null;
  }

  /** A copy with the entries in ascending unsigned index order (how it is stored and returned). */
  public SparseVector sorted() {
    int n = indices.length;
    long[] keyed = new long[n];
    for (int i = 0; i < n; i++) {
      // the index with its sign bit flipped, in the high half: signed long order is unsigned index order
      keyed[i] = ((long) (indices[i] ^ Integer.MIN_VALUE) << 32) | i;
    }
    Arrays.sort(keyed);
    int[] idx = new int[n];
    float[] val = new float[n];
    for (int i = 0; i < n; i++) {
      int from = (int) keyed[i];
      idx[i] = indices[from];
      val[i] = values[from];
    }
    return new SparseVector(idx, val);
  }

  /** Dot product with {@code other}, both {@link #sorted() sorted}. */
  public float dot(SparseVector other) {
    float sum = 0f;
    int i = 0;
    int j = 0;
    while (i < indices.length && j < other.indices.length) {
      int c = Integer.compareUnsigned(indices[i], other.indices[j]);
      if (c == 0) {
        sum += values[i++] * other.values[j++];
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return sum;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseVector s && Arrays.equals(indices, s.indices) && Arrays.equals(values, s.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "SparseVector" + Arrays.toString(indices) + "=" + Arrays.toString(values);
  }
}
