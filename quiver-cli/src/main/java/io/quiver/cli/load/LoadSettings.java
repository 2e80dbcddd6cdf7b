package io.quiver.cli.load;

/**
 * What one load test run is asked to do, shared by the runner and the report.
 *
 * @param client the HTTP client: raw or jdk
 * @param concurrency connections, each with one request in flight
 * @param warmup unmeasured seconds before each scenario
 * @param duration measured seconds per scenario
 * @param limit neighbours per query (the k of recall@k)
 * @param ef {@code params.hnsw_ef} of every query
 * @param points points loaded
 * @param dim vector dimension
 * @param seed data and query seed
 * @param queryPool distinct pre-generated queries
 */
record LoadSettings(String client, int concurrency, double warmup, double duration, int limit, int ef, int points,
    int dim, long seed, int queryPool) {}
