/**
 * Reflexion episodes (AgentDB's {@code episodes} table, also behind its generic {@code agentdb_*} record tools) in
 * the Quiver collection {@code agent_episodes}: point id = episode id; dense field {@code task} (the embedder's
 * vector of the task text only: queries are task descriptions, and a critique would pull a failure's vector away
 * from its task); sparse field {@code bm25} ({@code quiver/bm25} of task and critique, IDF over the store) for keyword
 * search; payload under AgentDB's column names with indexes on {@code session_id}, {@code task}, {@code success},
 * {@code reward}, {@code ts} and {@code tags}.
 *
 * <ul>
 *   <li><b>Ids</b> are integers allocated in store order, never reused (a floor kept in {@code agent_episodes_meta}
 *       survives deletes and reopen; see {@code EpisodeMeta}). Gaps appear when a batch is refused by the disk.
 *   <li><b>Durable</b>: every store, batch, update and delete is one fsync'd log record before it returns.
 *   <li><b>Exact</b>: {@link io.quiver.agent.episode.EpisodeStore#retrieve} scans exactly the episodes the filter
 *       admits (through the payload indexes) and returns the brute-force top k, short only when fewer match.
 *   <li><b>Hybrid</b> search fuses the exact dense and BM25 top {@code max(4k, 50)} by reciprocal rank.
 *   <li><b>Rewards</b> are numbers in [0, 1]; bad arguments and unknown ids are refused before anything changes.
 *   <li>The embedder a store was created with is recorded; opening it with another is refused.
 * </ul>
 */
package io.quiver.agent.episode;
