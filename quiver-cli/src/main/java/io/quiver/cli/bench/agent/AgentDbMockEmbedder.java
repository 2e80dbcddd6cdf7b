package io.quiver.cli.bench.agent;

/**
 * AgentDB 3.3.0's "mock" embedding (EmbeddingService.mockEmbedding), used when its MiniLM model does not load: a
 * 32-bit Java-style string hash of the UTF-16 code units, then {@code sin(h + 31i)·cos((h + 31i)/2)} per dimension,
 * stored as float32 and L2-normalised with a double-precision norm. Reproduced here so the bench can compute the true
 * nearest episode under the embedding AgentDB actually used. It is a hash of the whole string: texts that share words
 * are no closer than unrelated ones.
 */
final class AgentDbMockEmbedder {
  static final int DIMENSION = 384;

  private AgentDbMockEmbedder() {}

  static float[] embed(String text) {
    float[] v = new float[DIMENSION];
    if (text == null || text.isEmpty()) {
      return v;
    }
    int hash = 0;
    for (int i = 0; i < text.length(); i++) {
      hash = (hash << 5) - hash + text.charAt(i);
    }
    for (int i = 0; i < DIMENSION; i++) {
      double seed = (double) hash + i * 31.0; // JavaScript adds in doubles: no 32-bit wrap here
      v[i] = (float) (StrictMath.sin(seed) * StrictMath.cos(seed * 0.5));
    }
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) (v[i] / norm);
    }
    return v;
  }
}
