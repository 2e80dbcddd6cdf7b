/**
 * Embedders for agent memory. {@link io.quiver.agent.embed.TokenHashEmbedder} ({@code quiver/token-hash}, 384
 * dimensions by default) needs no model: lowercased word tokens and word pairs, each hashed with a seeded
 * MurmurHash3 into a signed bucket with weight {@code 1 + ln tf}, L2-normalised. Identical text gives an identical
 * vector on every JVM; texts sharing words are closer than unrelated texts, whose cosine stays near 0 (about
 * {@code ±1/sqrt(384)}). It is a lexical embedder: it knows no synonyms. {@link io.quiver.agent.embed.Embedders}
 * selects by name ({@code token-hash}, the default, or {@code minilm}, the local all-MiniLM-L6-v2) and never falls
 * back: an unknown or unloadable model is an error, and the active embedder's name and dimension are reported.
 */
package io.quiver.agent.embed;
