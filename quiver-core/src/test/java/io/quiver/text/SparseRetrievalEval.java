package io.quiver.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brute-force sparse retrieval and its scores against judgments: a dot product of the query with every document
 * through an inverted index, query weights multiplied by Qdrant's {@code idf} modifier
 * {@code ln(1 + (N - n + 0.5)/(n + 0.5))} over the whole corpus, ties broken by corpus order. nDCG@10 with linear
 * gains and the ideal ranking of all judged documents (pytrec_eval's {@code ndcg_cut_10}, as BEIR reports), and
 * recall@100, each averaged over the queries.
 */
final class SparseRetrievalEval {
  private final Map<Integer, int[]> postingDocs = new HashMap<>();
  private final Map<Integer, float[]> postingValues = new HashMap<>();
  private final int n;

  SparseRetrievalEval(List<TermWeights> docs) {
    n = docs.size();
    Map<Integer, List<int[]>> tmp = new HashMap<>();
    Map<Integer, List<Float>> vals = new HashMap<>();
    for (int d = 0; d < docs.size(); d++) {
      TermWeights t = docs.get(d);
      int[] idx = t.indices();
      float[] v = t.values();
      for (int i = 0; i < idx.length; i++) {
        tmp.computeIfAbsent(idx[i], k -> new ArrayList<>()).add(new int[] {d});
        vals.computeIfAbsent(idx[i], k -> new ArrayList<>()).add(v[i]);
      }
    }
    for (Map.Entry<Integer, List<int[]>> e : tmp.entrySet()) {
      List<int[]> ds = e.getValue();
      List<Float> vs = vals.get(e.getKey());
      int[] a = new int[ds.size()];
      float[] b = new float[ds.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = ds.get(i)[0];
        b[i] = vs.get(i);
      }
      postingDocs.put(e.getKey(), a);
      postingValues.put(e.getKey(), b);
    }
  }

  double idf(int index) {
    int[] p = postingDocs.get(index);
    double df = p == null ? 0 : p.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The top {@code k} document ordinals by score. */
  int[] search(TermWeights query, int k) {
    double[] scores = new double[n];
    boolean[] touched = new boolean[n];
    int[] idx = query.indices();
    float[] qv = query.values();
    for (int i = 0; i < idx.length; i++) {
      int[] docs = postingDocs.get(idx[i]);
      if (docs == null) {
        continue;
      }
      float[] vals = postingValues.get(idx[i]);
      double w = qv[i] * idf(idx[i]);
      for (int j = 0; j < docs.length; j++) {
        scores[docs[j]] += w * vals[j];
        touched[docs[j]] = true;
      }
    }
    Integer[] cand = new Integer[n];
    int c = 0;
    for (int d = 0; d < n; d++) {
      if (touched[d]) {
        cand[c++] = d;
      }
    }
    Integer[] hits = Arrays.copyOf(cand, c);
    Arrays.sort(hits, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b));
    int m = Math.min(k, hits.length);
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = hits[i];
    }
    return out;
  }

  /** nDCG@10 and recall@100 of {@code queries} over {@code set}. */
  static double[] evaluate(BeirSet set, List<TermWeights> docs, List<TermWeights> queries) {
    SparseRetrievalEval eval = new SparseRetrievalEval(docs);
    double ndcg = 0;
    double recall = 0;
    for (int q = 0; q < queries.size(); q++) {
      int[] top = eval.search(queries.get(q), 100);
      Map<String, Integer> gains = set.gains().get(q);
      double dcg = 0;
      int found = 0;
      for (int r = 0; r < top.length; r++) {
        Integer g = gains.get(set.docIds().get(top[r]));
        if (g != null) {
          if (r < 10) {
            dcg += g / (Math.log(r + 2) / Math.log(2));
          }
          found++;
        }
      }
      int[] ideal = gains.values().stream().mapToInt(Integer::intValue).sorted().toArray();
      double idcg = 0;
      for (int r = 0; r < Math.min(10, ideal.length); r++) {
        idcg += ideal[ideal.length - 1 - r] / (Math.log(r + 2) / Math.log(2));
      }
      ndcg += dcg / idcg;
      recall += (double) found / gains.size();
    }
    return new double[] {ndcg / queries.size(), recall / queries.size()};
  }
}
