package io.quiver.text;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** BM25's term-frequency part and the conversion of counted tokens to {@link TermWeights}. */
final class Bm25Weights {
  private Bm25Weights() {}

  /**
   * {@code tf·(k+1) / (tf + k·(1 - b + b·dl/avgLen))} in double, rounded once to float: evaluated as Qdrant does
   * ({@code k.mul_add(1 - b + b*dl/avg, tf)} is one fused multiply-add), so the float is bit-identical.
   */
  static float saturate(int tf, double k, double b, double docLength, double avgLen) {
    double n = tf;
    return (float) (n * (k + 1.0) / Math.fma(k, 1.0 - b + b * docLength / avgLen, n));
  }

  /** Token counts in order of first occurrence. */
  static Map<String, Integer> counts(List<String> tokens) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String t : tokens) {
      counts.merge(t, 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Sorted {@link TermWeights} from (token id, value) pairs given in first-occurrence order of the tokens. When two
   * tokens hash to one id, the later token's value replaces the earlier's (FastEmbed's dict assignment; Qdrant's
   * server keeps whichever its hash map yields last, so no order is more faithful than this deterministic one).
   */
  static TermWeights fromPairs(int[] ids, float[] values, int n) {
    Map<Integer, Float> byId = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byId.put(ids[i], values[i]);
    }
    return sorted(byId.keySet(), byId);
  }

  private static TermWeights sorted(Collection<Integer> keys, Map<Integer, Float> byId) {
    int[] idx = new int[keys.size()];
    int i = 0;
    for (int id : keys) {
      idx[i++] = id;
    }
    // unsigned order: flip the sign bit, sort signed, flip back
    for (int j = 0; j < idx.length; j++) {
      idx[j] ^= Integer.MIN_VALUE;
    }
    Arrays.sort(idx);
    float[] vals = new float[idx.length];
    for (int j = 0; j < idx.length; j++) {
      idx[j] ^= Integer.MIN_VALUE;
      vals[j] = byId.get(idx[j]);
    }
    return new TermWeights(idx, vals);
  }
}
