package io.quiver.cli.retrieval;

import java.util.List;
import java.util.Map;

/**
 * nDCG@10 with linear gains and the ideal ranking of all judged documents (pytrec_eval's {@code ndcg_cut_10}, as
 * BEIR reports it) and recall@100 (judged documents found in the top 100 over judged documents), per query.
 */
final class RankingMetrics {
  private RankingMetrics() {}

  static double ndcgAt10(List<String> ranked, Map<String, Integer> gains) {
    double dcg = 0;
    for (int r = 0; r < Math.min(10, ranked.size()); r++) {
      Integer g = gains.get(ranked.get(r));
      if (g != null) {
        dcg += g / log2(r + 2);
      }
    }
    int[] ideal = gains.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    double idcg = 0;
    for (int r = 0; r < Math.min(10, ideal.length); r++) {
      idcg += ideal[ideal.length - 1 - r] / log2(r + 2);
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  static double recallAt100(List<String> ranked, Map<String, Integer> gains) {
    int found = 0;
    for (int r = 0; r < Math.min(100, ranked.size()); r++) {
      if (gains.containsKey(ranked.get(r))) {
        found++;
      }
    }
    return gains.isEmpty() ? 0 : (double) found / gains.size();
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }
}
