package io.quiver.agent.episode;

/**
 * An episode found by a query.
 *
 * @param similarity cosine between the query's and the episode's task embeddings
 * @param keywordScore the episode's BM25 score for the query (0 when dense only or no shared term)
 * @param score what the result is ranked by: {@code similarity} for dense retrieval, the reciprocal-rank-fusion score
 *     for hybrid search
 */
public record EpisodeHit(Episode episode, double similarity, double keywordScore, double score) {}
