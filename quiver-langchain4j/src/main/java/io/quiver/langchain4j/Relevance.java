package io.quiver.langchain4j;

import io.quiver.distance.Metric;

/**
 * LangChain4j's relevance score, in [0, 1] with 1 the best, from a Quiver score (the similarity for cosine and dot,
 * the distance for Euclid and Manhattan):
 *
 * <ul>
 *   <li>{@link Metric#COSINE}: {@code (cos + 1) / 2}, LangChain4j's {@code RelevanceScore.fromCosineSimilarity}, as
 *       its other stores report it;
 *   <li>{@link Metric#DOT}: {@code (dot + 1) / 2}, the same for unit vectors (outside [0, 1] for longer ones);
 *   <li>{@link Metric#L2} and {@link Metric#L1}: {@code 1 / (1 + distance)}.
 * </ul>
 */
public final class Relevance {
  private Relevance() {}

  /** The relevance of a hit that Quiver scored {@code score} under {@code metric}. */
  public static double of(Metric metric, double score) {
    return switch (metric) {
      case COSINE, DOT -> (score + 1) / 2;
      case L2, L1 -> 1 / (1 + score);
    };
  }
}
