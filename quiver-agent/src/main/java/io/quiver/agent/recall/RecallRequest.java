package io.quiver.agent.recall;

/**
 * One causal recall: the {@code k} episodes of highest utility {@code U = alpha·similarity + beta·uplift −
 * gamma·latencyNorm} for {@code query}. Defaults are AgentDB's {@code recall_with_certificate} schema's: k 12, alpha
 * 0.7, beta 0.2, gamma 0.1 (AgentDB describes gamma as a recency weight; here, as in its utility formula, it weighs
 * the episode's latency).
 *
 * @param latencyScaleMs latency normalisation: {@code latencyNorm = latency / (latency + latencyScaleMs)}, in [0, 1),
 *     one half at the scale (default 1000 ms). A fixed function of the episode alone, so a score does not depend on
 *     which other episodes are candidates.
 */
public record RecallRequest(String query, int k, double alpha, double beta, double gamma, double latencyScaleMs) {
  public static final int DEFAULT_K = 12;
  public static final double DEFAULT_ALPHA = 0.7;
  public static final double DEFAULT_BETA = 0.2;
  public static final double DEFAULT_GAMMA = 0.1;
  public static final double DEFAULT_LATENCY_SCALE_MS = 1000;

  /** {@code query} with every default. */
  public static RecallRequest of(String query) {
    return new RecallRequest(query, DEFAULT_K, DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_GAMMA, DEFAULT_LATENCY_SCALE_MS);
  }

  public RecallRequest withK(int value) {
    return new RecallRequest(query, value, alpha, beta, gamma, latencyScaleMs);
  }

  public RecallRequest withWeights(double a, double b, double g) {
    return new RecallRequest(query, k, a, b, g, latencyScaleMs);
  }

  /** The latency term of an episode that took {@code latencyMs}. */
  public double latencyNorm(double latencyMs) {
    return latencyMs / (latencyMs + latencyScaleMs);
  }
}
