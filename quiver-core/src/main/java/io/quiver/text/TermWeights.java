package io.quiver.text;

import java.util.Arrays;

/**
 * A sparse vector made from text: term ids and their weights. Invariants: equal lengths, indices strictly ascending
 * in unsigned order (ids are Qdrant's u32 sparse indices; the one id above {@link Integer#MAX_VALUE}, 2^31, is held as
 * {@link Integer#MIN_VALUE}), every value finite. The arrays are copied in and out, so a value is immutable.
 */
public record TermWeights(int[] indices, float[] values) {
  public static final TermWeights EMPTY = new TermWeights(new int[0], new float[0]);

  public TermWeights {
    if (indices.length != values.length) {
      throw new IllegalArgumentException(
          "indices and values differ in length: " + indices.length + " and " + values.length);
    }
    indices = indices.clone();
    values = values.clone();
    for (int i = 0; i < indices.length; i++) {
      if (i > 0 && Integer.compareUnsigned(indices[i - 1], indices[i]) >= 0) {
        throw new IllegalArgumentException("indices must be unique and ascending: "
            + Integer.toUnsignedString(indices[i - 1]) + " then " + Integer.toUnsignedString(indices[i]));
      }
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException("value " + values[i] + " of index " + Integer.toUnsignedString(indices[i])
            + " is not finite");
      }
    }
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public float[] values() {
    return values.clone();
  }

  public int size() {
    return indices.length;
  }

  public boolean isEmpty() {
    return indices.length == 0;
  }

  /** The id at position {@code i}, as Qdrant's unsigned index. */
  public long index(int i) {
    return Integer.toUnsignedLong(indices[i]);
  }

  public float value(int i) {
    return values[i];
  }

  /** The weight of {@code index}, or 0 when absent. */
  public float weightOf(int index) {
    int lo = 0;
    int hi = indices.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Integer.compareUnsigned(indices[mid], index);
      if (c == 0) {
        return values[mid];
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return 0f;
  }

  /** Dot product over the shared indices (a merge of the two sorted lists), accumulated in double. */
  public double dot(TermWeights other) {
    double sum = 0;
    int i = 0;
    int j = 0;
    while (i < indices.length && j < other.indices.length) {
      int c = Integer.compareUnsigned(indices[i], other.indices[j]);
      if (c == 0) {
        sum += (double) values[i++] * other.values[j++];
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
    return o instanceof TermWeights t && Arrays.equals(indices, t.indices) && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < indices.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(Integer.toUnsignedString(indices[i])).append(':').append(values[i]);
    }
    return sb.append('}').toString();
  }
}
