package io.quiver.agent.recall;

import java.util.List;

/**
 * Why a recall answer is right: the ids and utilities returned, the parameters used, and the bound that shows no
 * other episode could rank higher.
 *
 * @param id SHA-256 (first 16 bytes, hex) of the query, parameters, ids and utilities: the same answer to the same
 *     question always has the same id, any change gives another
 * @param candidates how many episodes (the most similar ones) were scored
 * @param stored how many episodes the store held
 * @param similarityFloor the cosine of the least similar candidate: every episode not scored is at most this similar
 * @param utilityBound the highest utility an episode not scored could reach: {@code alpha·similarityFloor +
 *     |beta|·upliftBound + max(0, −gamma)}
 * @param exhaustive true when every stored episode was scored
 * @param exact true when the answer is the true top k over all stored episodes: exhaustive, or the k-th utility is
 *     at least {@code utilityBound}
 */
public record Certificate(String id, String query, int k, double alpha, double beta, double gamma,
    double latencyScaleMs, List<Long> ids, List<Double> utilities, int candidates, long stored,
    double similarityFloor, double upliftBound, double utilityBound, boolean exhaustive, boolean exact,
    String embedder) {
  public Certificate {
    ids = List.copyOf(ids);
    utilities = List.copyOf(utilities);
  }
}
