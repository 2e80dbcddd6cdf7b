package io.quiver.collection;

import java.util.Arrays;

/**
 * A term-at-a-time score accumulator over one segment's ordinals: the score of each ordinal some posting touched,
 * and the list of those ordinals in first-touch order.
 */
final class SparseScores {
  private final float[] scores;
  private final boolean[] seen;
  private int[] touched = new int[64];
  private int size;

  SparseScores(int ordinals) {
    scores = new float[ordinals];
    seen = new boolean[ordinals];
  }

  void add(int ordinal, float score) {
    if (!seen[ordinal]) {
      seen[ordinal] = true;
      if (size == touched.length) {
        touched = Arrays.copyOf(touched, size * 2);
      }
      touched[size++] = ordinal;
    }
    scores[ordinal] += score;
  }

  int size() {
    return size;
  }

  int ordinal(int i) {
    return touched[i];
  }

  float score(int ordinal) {
    return scores[ordinal];
  }
}
