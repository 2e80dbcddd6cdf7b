/**
 * Agent memory stored in Quiver collections: reflexion episodes, a skill library, causal edges, causal recall with
 * certificates, reasoning patterns and learning sessions. Every kind is a collection with payload indexes on the
 * fields its filters use, so filters are exact and writes are acknowledged only once durable.
 */
package io.quiver.agent;
