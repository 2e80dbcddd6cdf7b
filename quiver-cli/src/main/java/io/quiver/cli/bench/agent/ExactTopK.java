package io.quiver.cli.bench.agent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * Exact filtered nearest episodes by brute force over unit vectors (dot product = cosine), and the test of whether
 * an engine's answer is exact. Ties are tolerated: an answer is exact when it has as many hits as the filter allows
 * (up to k) and every hit scores at least the k-th exact score minus {@link #TIE}.
 */
final class ExactTopK {
  /** Float rounding between engines computing the same cosine in different orders. */
  static final double TIE = 1e-5;

  private final float[][] vectors;

  ExactTopK(float[][] vectors) {
    this.vectors = vectors;
  }

  record Scored(int index, double score) {}

  /** The k best indexes accepted by {@code filter}, best first (equal scores: lower index first). */
  List<Scored> top(float[] query, int k, IntPredicate filter) {
    Comparator<Scored> worstFirst = Comparator.comparingDouble(Scored::score)
        .thenComparing(Comparator.comparingInt(Scored::index).reversed());
    PriorityQueue<Scored> heap = new PriorityQueue<>(worstFirst);
    for (int i = 0; i < vectors.length; i++) {
      if (!filter.test(i)) {
        continue;
      }
      Scored s = new Scored(i, dot(query, vectors[i]));
      if (heap.size() < k) {
        heap.add(s);
      } else if (worstFirst.compare(s, heap.peek()) > 0) {
        heap.poll();
        heap.add(s);
      }
    }
    List<Scored> out = new ArrayList<>(heap);
    out.sort(worstFirst.reversed());
    return out;
  }

  double score(float[] query, int index) {
    return dot(query, vectors[index]);
  }

  /** Whether {@code answer} (episode indexes, best first) is an exact filtered top-k, ties tolerated. */
  boolean isExact(float[] query, List<Integer> answer, List<Scored> exact) {
    if (answer.size() != exact.size() || answer.stream().distinct().count() != answer.size()) {
      return false;
    }
    if (exact.isEmpty()) {
      return true;
    }
    double kth = exact.get(exact.size() - 1).score();
    for (int idx : answer) {
      if (idx < 0 || idx >= vectors.length || score(query, idx) < kth - TIE) {
        return false;
      }
    }
    return true;
  }

  /** Whether the first hit of an answer scores as high as the true nearest (ties tolerated). */
  boolean firstIsNearest(float[] query, List<Integer> answer, List<Scored> exact) {
    if (exact.isEmpty()) {
      return answer.isEmpty();
    }
    if (answer.isEmpty()) {
      return false;
    }
    int first = answer.get(0);
    return first >= 0 && first < vectors.length && score(query, first) >= exact.get(0).score() - TIE;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
