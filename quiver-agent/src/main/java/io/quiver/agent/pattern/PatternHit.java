package io.quiver.agent.pattern;

/** A pattern search result: cosine similarity of the task to the pattern's text, and the ranking score. */
public record PatternHit(Pattern pattern, double similarity, double score) {}
